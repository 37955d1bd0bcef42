//! The typed kernel and QEMU configuration, read from a project's `selkie.toml`.
//!
//! Every field has a default that boots under QEMU's TCG emulation, so an empty file (or none) is a valid
//! configuration. [`Config::validate`] rejects combinations that the kernel cannot build or that QEMU cannot boot
//! before any build starts, with an error that says which field to change.
//!
//! ```
//! use selkie_kernel::config::Config;
//! let cfg: Config = Config::from_toml_str("[kernel]\nroot_cnode_size_bits = 14\n", "selkie.toml").unwrap();
//! assert_eq!(cfg.kernel.root_cnode_size_bits, 14);
//! assert_eq!(cfg.kernel.defines()["CONFIG_ROOT_CNODE_SIZE_BITS"], "14");
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

/// Whether cargo is building in the release profile (`PROFILE=release`, which cargo sets for build scripts).
fn release_profile() -> bool {
    std::env::var("PROFILE").is_ok_and(|p| p == "release")
}

/// A whole `selkie.toml`: the kernel build configuration and how QEMU runs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Kernel build configuration (becomes the kernel's `autoconf.h`).
    pub kernel: KernelConfig,
    /// How the runner boots the kernel in QEMU.
    pub qemu: QemuConfig,
    /// Per-profile overrides: `[profile.release.kernel]` replaces fields of `[kernel]` when cargo builds with
    /// `--release` (see [`Config::for_profile`]).
    #[serde(skip_serializing_if = "Profiles::is_empty")]
    pub profile: Profiles,
}

/// The `[profile.*]` sections of a `selkie.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profiles {
    /// `[profile.release]`: what changes when cargo builds with `--release`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<ProfileOverrides>,
}

impl Profiles {
    fn is_empty(&self) -> bool {
        self.release.is_none()
    }
}

/// The overrides of one profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileOverrides {
    /// Fields of [`KernelConfig`] to replace, by their `selkie.toml` names (`debug_build = false`, ...).
    pub kernel: toml::Table,
}

/// The processor architecture (and board) a kernel is built for: `[kernel] arch = "..."` in `selkie.toml`.
///
/// ```
/// use selkie_kernel::config::{Arch, Config};
/// let cfg = Config::from_toml_str("[kernel]\narch = \"aarch32\"\n", "selkie.toml").unwrap();
/// assert_eq!(cfg.kernel.arch, Arch::Aarch32);
/// assert_eq!(cfg.kernel.arch.plat(), "imx6");
/// assert_eq!(Config::default().kernel.arch, Arch::X86_64);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// 64-bit x86 on the pc99 platform, booted by QEMU's multiboot loader. The default.
    #[default]
    X86_64,
    /// 32-bit ARM (ARMv7-A, Cortex-A9) on the i.MX6 Sabre Lite board (`qemu-system-arm -M sabrelite`), booted
    /// by selkie's loader (crate `selkie-loader`).
    Aarch32,
}

impl Arch {
    /// The kernel's `ARCH` make variable (`x86`, `arm`).
    pub fn arch(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86",
            Arch::Aarch32 => "arm",
        }
    }

    /// The kernel's `SEL4_ARCH` make variable (`x86_64`, `aarch32`).
    pub fn sel4_arch(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch32 => "aarch32",
        }
    }

    /// The kernel's `PLAT` make variable (`pc99`, `imx6`).
    pub fn plat(self) -> &'static str {
        match self {
            Arch::X86_64 => "pc99",
            Arch::Aarch32 => "imx6",
        }
    }

    /// The further make variables this architecture's kernel build needs (ARM: the architecture version and
    /// CPU, and the cross compiler's prefix).
    pub fn make_vars(self) -> &'static [&'static str] {
        match self {
            Arch::X86_64 => &[],
            Arch::Aarch32 => &["ARMV=armv7-a", "CPU=cortex-a9", "TOOLPREFIX=arm-linux-gnueabihf-"],
        }
    }

    /// The C compiler the kernel build runs (a cross compiler for ARM).
    pub fn c_compiler(self) -> &'static str {
        match self {
            Arch::X86_64 => "gcc",
            Arch::Aarch32 => "arm-linux-gnueabihf-gcc",
        }
    }

    /// The Rust target that root tasks for this architecture are built for.
    pub fn rust_target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-none",
            Arch::Aarch32 => "armv7a-none-eabi",
        }
    }

    /// The QEMU system emulator binary for this architecture.
    pub fn qemu_binary(self) -> &'static str {
        match self {
            Arch::X86_64 => "qemu-system-x86_64",
            Arch::Aarch32 => "qemu-system-arm",
        }
    }

    /// The Debian package that provides [`Arch::qemu_binary`].
    pub fn qemu_package(self) -> &'static str {
        match self {
            Arch::X86_64 => "qemu-system-x86",
            Arch::Aarch32 => "qemu-system-arm",
        }
    }

    /// The name used in `selkie.toml` (`x86_64`, `aarch32`).
    pub fn name(self) -> &'static str {
        self.sel4_arch()
    }
}

/// Which local APIC mode the kernel drives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Apic {
    /// xAPIC (memory-mapped). Works under QEMU TCG.
    #[default]
    Xapic,
    /// x2APIC (MSR-based). QEMU's TCG lacks it: the kernel hangs at boot.
    X2apic,
}

/// How the kernel reads and writes the FS/GS base registers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FsGsBase {
    /// Through the `IA32_FS_BASE`/`IA32_GS_BASE` MSRs. Works on every x86_64 CPU.
    #[default]
    Msr,
    /// With the `rdfsbase`/`wrgsbase` instructions. Needs QEMU `-cpu ...,+fsgsbase`.
    Inst,
}

/// The kernel's compiler optimisation level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Optimisation {
    /// `-Os`.
    Os,
    /// `-O1`.
    O1,
    /// `-O2`, the kernel's default.
    #[default]
    O2,
    /// `-O3`.
    O3,
}

/// The seL4 kernel's build configuration. Each field is one `CONFIG_*` option of the kernel's `Kconfig`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KernelConfig {
    /// Target architecture (`CONFIG_ARCH_*`).
    pub arch: Arch,
    /// The verified configuration (aarch32 only): the kernel is built with the configuration file its tree
    /// ships for the platform (`include/plat/imx6/autoconf.h`: `CONFIG_VERIFICATION_BUILD`, no debug
    /// facilities, no printing) instead of one generated from these fields. With `verified = true`, a
    /// `selkie.toml`'s `[kernel]` sets nothing but `arch`; the other fields then read as that file sets them
    /// ([`KernelConfig::verified_imx6`]). Written out only when set, so other configurations read as before.
    #[serde(skip_serializing_if = "is_false")]
    pub verified: bool,
    /// Debug facilities: debug syscalls such as printing and capability identification (`CONFIG_DEBUG_BUILD`).
    /// selkie's runtime needs them, so this must stay `true`.
    pub debug_build: bool,
    /// Kernel printing on the serial console (`CONFIG_PRINTING`).
    pub printing: bool,
    /// Report spurious or undelivered IRQs (`CONFIG_IRQ_REPORTING`).
    pub irq_reporting: bool,
    /// The root task's CNode has `2^root_cnode_size_bits` slots (`CONFIG_ROOT_CNODE_SIZE_BITS`).
    pub root_cnode_size_bits: u32,
    /// Capacity of the bootinfo untyped list (`CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS`).
    pub max_num_bootinfo_untyped_caps: u32,
    /// Timer tick period in milliseconds (`CONFIG_TIMER_TICK_MS`).
    pub timer_tick_ms: u32,
    /// Ticks per time slice (`CONFIG_TIME_SLICE`).
    pub time_slice: u32,
    /// Number of thread priorities (`CONFIG_NUM_PRIORITIES`).
    pub num_priorities: u32,
    /// Number of scheduling domains (`CONFIG_NUM_DOMAINS`).
    pub num_domains: u32,
    /// Number of CPU cores the kernel manages (`CONFIG_MAX_NUM_NODES`). Only 1 is supported.
    pub max_num_nodes: u32,
    /// Most objects one `Untyped_Retype` may create (`CONFIG_RETYPE_FAN_OUT_LIMIT`).
    pub retype_fan_out_limit: u32,
    /// Preemption granularity of long operations (`CONFIG_MAX_NUM_WORK_UNITS_PER_PREEMPTION`).
    pub max_num_work_units_per_preemption: u32,
    /// The IPC fast path (`CONFIG_FASTPATH`).
    pub fastpath: bool,
    /// Kernel stack size, as a power of two (`CONFIG_KERNEL_STACK_BITS`).
    pub kernel_stack_bits: u32,
    /// Local APIC mode (`CONFIG_XAPIC` / `CONFIG_X2APIC`).
    pub apic: Apic,
    /// FS/GS base access (`CONFIG_FSGSBASE_MSR` / `CONFIG_FSGSBASE_INST`).
    pub fsgsbase: FsGsBase,
    /// 1 GiB huge pages (`CONFIG_HUGE_PAGE`). Shifts the frame object type numbers; needs QEMU `+pdpe1gb`.
    pub huge_page: bool,
    /// Process-context identifiers (`CONFIG_SUPPORT_PCID`). QEMU's TCG lacks them.
    pub support_pcid: bool,
    /// Hardware breakpoints and single stepping (`CONFIG_HARDWARE_DEBUG_API`). Adds TCB invocations, which
    /// shifts every invocation label after `TCBUnbindNotification`.
    pub hardware_debug_api: bool,
    /// Compiler optimisation level (`CONFIG_OPTIMISATION_*`).
    pub optimisation: Optimisation,
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig {
            arch: Arch::X86_64,
            verified: false,
            debug_build: true,
            printing: true,
            irq_reporting: true,
            root_cnode_size_bits: 12,
            max_num_bootinfo_untyped_caps: 167,
            timer_tick_ms: 2,
            time_slice: 5,
            num_priorities: 256,
            num_domains: 1,
            max_num_nodes: 1,
            retype_fan_out_limit: 256,
            max_num_work_units_per_preemption: 100,
            fastpath: true,
            kernel_stack_bits: 12,
            apic: Apic::Xapic,
            fsgsbase: FsGsBase::Msr,
            huge_page: false,
            support_pcid: false,
            hardware_debug_api: false,
            optimisation: Optimisation::O2,
        }
    }
}

/// The RAM the i.MX6 kernel assumes (its physical memory list is fixed at 1 GiB), which the runner gives QEMU.
pub const IMX6_MEMORY: &str = "1G";

/// How the runner boots a kernel and root task in QEMU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QemuConfig {
    /// The `-cpu` model (x86_64 only: the Sabre Lite board has its Cortex-A9).
    pub cpu: String,
    /// CPU features added to the model, such as `"+fsgsbase"` or `"+pdpe1gb"` (x86_64 only).
    pub cpu_features: Vec<String>,
    /// Guest memory (`-m`). On aarch32 the runner always gives [`IMX6_MEMORY`], which the imx6 kernel
    /// assumes; another value is refused.
    pub memory: String,
    /// Seconds before a run is stopped and reported as timed out. QEMU is killed by its own pid.
    pub timeout_secs: u64,
    /// Seconds the kernel may take to reach user space before the run is reported as a boot hang (a kernel
    /// configured for a CPU feature QEMU lacks hangs during boot).
    pub boot_timeout_secs: u64,
    /// Deterministic instruction counting (`-icount shift=0`): the guest TSC then advances with executed
    /// instructions, so `rdtsc` deltas are exactly repeatable. Used for benchmarks.
    pub icount: bool,
    /// Further arguments passed to QEMU unchanged.
    pub extra_args: Vec<String>,
}

impl Default for QemuConfig {
    fn default() -> Self {
        QemuConfig {
            cpu: "qemu64".into(),
            cpu_features: Vec::new(),
            memory: "512M".into(),
            timeout_secs: 60,
            boot_timeout_secs: 10,
            icount: false,
            extra_args: Vec::new(),
        }
    }
}

impl QemuConfig {
    /// The full `-cpu` argument, such as `qemu64,+fsgsbase`.
    pub fn cpu_arg(&self) -> String {
        let mut s = self.cpu.clone();
        for f in &self.cpu_features {
            s.push(',');
            s.push_str(f);
        }
        s
    }

    fn has_feature(&self, feature: &str) -> bool {
        self.cpu_features.iter().any(|f| f == feature)
    }
}

impl Config {
    /// Parses a `selkie.toml` text; `origin` names it in errors. Each error is one line naming `origin`, the
    /// line and the field at fault; an unknown field or section comes with the nearest known name.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Config, Error> {
        let doc = toml::de::DeTable::parse(text).map_err(|e| located(origin, text, e.span(), e.message()))?;
        check_keys(doc.get_ref(), text, origin)?;
        let config: Config = toml::from_str(text).map_err(|e| {
            let message = match e.span().and_then(|s| field_around(doc.get_ref(), s.start)) {
                Some(field) => format!("`{field}`: {}", e.message().trim()),
                None => e.message().trim().to_string(),
            };
            located(origin, text, e.span(), &message)
        })?;
        if config.kernel.verified {
            check_verified_keys(doc.get_ref(), text, origin)?;
        }
        Ok(config.normalized())
    }

    /// The configuration with a verified kernel's fields set as its shipped file sets them.
    fn normalized(mut self) -> Config {
        self.kernel = self.kernel.resolved();
        self
    }

    /// Parses a `selkie.toml` text and [validates](Config::validate) it; a rejected value's error also names
    /// the line that sets it.
    pub fn from_toml_str_validated(text: &str, origin: &str) -> Result<Config, Error> {
        let config = Config::from_toml_str(text, origin)?;
        if let Err(invalid) = config.check() {
            let doc = toml::de::DeTable::parse(text).map_err(|e| located(origin, text, e.span(), e.message()))?;
            return Err(located(
                origin,
                text,
                field_span(doc.get_ref(), invalid.field),
                &invalid.message,
            ));
        }
        Ok(config)
    }

    /// Reads and parses a `selkie.toml` file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        Config::from_toml_str(&read(path)?, &path.display().to_string())
    }

    /// Reads, parses and [validates](Config::validate) a `selkie.toml` file; errors name its lines.
    pub fn load_validated(path: &Path) -> Result<Config, Error> {
        Config::from_toml_str_validated(&read(path)?, &path.display().to_string())
    }

    /// The configuration named by `SELKIE_CONFIG` (a path to a `selkie.toml`), or the default, for the
    /// profile cargo is building (see [`Config::for_profile`]; cargo sets `PROFILE` for build scripts).
    pub fn from_env() -> Result<Config, Error> {
        let config = match std::env::var_os(crate::env::CONFIG) {
            Some(p) if !p.is_empty() => Config::load(Path::new(&p))?,
            _ => Config::default(),
        };
        config.for_profile(release_profile())
    }

    /// [`Config::from_env`], [validated](Config::validate), with errors naming the file's lines.
    pub fn from_env_validated() -> Result<Config, Error> {
        let config = match std::env::var_os(crate::env::CONFIG) {
            Some(p) if !p.is_empty() => Config::load_validated(Path::new(&p))?,
            _ => Config::default(),
        };
        let config = config.for_profile(release_profile())?;
        config.validate()?;
        Ok(config)
    }

    /// The configuration a build in the release profile (`release = true`, `cargo build --release`) or the
    /// dev profile uses: for release, `[kernel]` with the fields of `[profile.release.kernel]` replaced.
    /// The overrides are dropped from the result (it is what the kernel is built from).
    ///
    /// ```
    /// use selkie_kernel::config::Config;
    /// let text = "[kernel]\nroot_cnode_size_bits = 14\n\n[profile.release.kernel]\ndebug_build = false\nprinting = false\n";
    /// let cfg = Config::from_toml_str(text, "selkie.toml").unwrap();
    /// assert!(cfg.clone().for_profile(false).unwrap().kernel.debug_build);
    /// let release = cfg.for_profile(true).unwrap();
    /// assert!(!release.kernel.debug_build && !release.kernel.printing);
    /// assert_eq!(release.kernel.root_cnode_size_bits, 14);
    /// ```
    pub fn for_profile(mut self, release: bool) -> Result<Config, Error> {
        let overrides = std::mem::take(&mut self.profile).release.map(|p| p.kernel);
        let Some(overrides) = overrides.filter(|_| release) else {
            return Ok(self);
        };
        let mut kernel = toml::Table::try_from(&self.kernel).expect("a KernelConfig always serialises");
        kernel.extend(overrides);
        self.kernel = kernel
            .try_into()
            .map_err(|e: toml::de::Error| Error::Config(format!("[profile.release.kernel]: {}", e.message().trim())))?;
        Ok(self.normalized())
    }

    /// Rejects configurations the kernel cannot build or QEMU (TCG) cannot boot. Each error names the field.
    pub fn validate(&self) -> Result<(), Error> {
        self.check().map_err(|invalid| Error::Config(invalid.message))
    }

    /// The first rejected value, with the field it is reported against.
    fn check(&self) -> Result<(), Invalid> {
        self.kernel.check()?;
        let k = &self.kernel;
        let q = &self.qemu;
        if k.arch != Arch::X86_64 {
            for (set, field) in [
                (k.apic != Apic::Xapic, "kernel.apic"),
                (k.fsgsbase != FsGsBase::Msr, "kernel.fsgsbase"),
                (k.huge_page, "kernel.huge_page"),
                (k.support_pcid, "kernel.support_pcid"),
            ] {
                if set {
                    return Err(Invalid::new(
                        field,
                        format!(
                            "{field} is an x86_64 setting; remove it for arch = \"{}\"",
                            k.arch.name()
                        ),
                    ));
                }
            }
        }
        if k.arch == Arch::Aarch32 {
            let default = QemuConfig::default();
            if q.cpu != default.cpu || !q.cpu_features.is_empty() {
                return Err(Invalid::new(
                    if q.cpu != default.cpu {
                        "qemu.cpu"
                    } else {
                        "qemu.cpu_features"
                    },
                    "qemu.cpu and qemu.cpu_features are x86_64 settings: the Sabre Lite board has its Cortex-A9; \
                     remove them for arch = \"aarch32\"",
                ));
            }
            if q.memory != default.memory && q.memory != IMX6_MEMORY {
                return Err(Invalid::new(
                    "qemu.memory",
                    format!(
                        "qemu.memory = \"{}\": the imx6 kernel assumes the board's {IMX6_MEMORY} of RAM, which the \
                         runner always gives it; remove the setting",
                        q.memory
                    ),
                ));
            }
        }
        if k.apic == Apic::X2apic {
            return Err(Invalid::new(
                "kernel.apic",
                "kernel.apic = \"x2apic\": QEMU's TCG emulation has no x2APIC and the kernel would hang at boot \
                 without output; use apic = \"xapic\"",
            ));
        }
        if k.support_pcid {
            return Err(Invalid::new(
                "kernel.support_pcid",
                "kernel.support_pcid = true: QEMU's TCG emulation has no PCID and the kernel would hang at boot \
                 without output; set support_pcid = false",
            ));
        }
        if k.fsgsbase == FsGsBase::Inst && !q.has_feature("+fsgsbase") {
            return Err(Invalid::new(
                "kernel.fsgsbase",
                "kernel.fsgsbase = \"inst\" needs the CPU feature: add \"+fsgsbase\" to qemu.cpu_features \
                 (or use fsgsbase = \"msr\")",
            ));
        }
        if k.huge_page && !q.has_feature("+pdpe1gb") {
            return Err(Invalid::new(
                "kernel.huge_page",
                "kernel.huge_page = true needs 1 GiB pages in the CPU: add \"+pdpe1gb\" to qemu.cpu_features \
                 (or set huge_page = false)",
            ));
        }
        if q.timeout_secs == 0 {
            return Err(Invalid::new(
                "qemu.timeout_secs",
                "qemu.timeout_secs must be at least 1",
            ));
        }
        if q.boot_timeout_secs == 0 {
            return Err(Invalid::new(
                "qemu.boot_timeout_secs",
                "qemu.boot_timeout_secs must be at least 1",
            ));
        }
        Ok(())
    }

    /// The configuration as TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a Config always serialises")
    }
}

impl KernelConfig {
    /// The verified configuration of the i.MX6 kernel: what the kernel tree's shipped
    /// `include/plat/imx6/autoconf.h` sets (`CONFIG_VERIFICATION_BUILD`, no debug build, no printing, 16
    /// domains, 166 bootinfo untyped caps). The build uses that file itself and checks that it says this.
    ///
    /// ```
    /// use selkie_kernel::config::{Arch, Config, KernelConfig};
    /// let v = KernelConfig::verified_imx6();
    /// assert!(v.verified && !v.debug_build && !v.printing);
    /// assert_eq!(v.defines()["CONFIG_VERIFICATION_BUILD"], "1");
    /// // One setting selects it:
    /// let cfg = Config::from_toml_str("[kernel]\narch = \"aarch32\"\nverified = true\n", "selkie.toml").unwrap();
    /// assert_eq!(cfg.kernel, v);
    /// ```
    pub fn verified_imx6() -> KernelConfig {
        KernelConfig {
            arch: Arch::Aarch32,
            verified: true,
            debug_build: false,
            printing: false,
            irq_reporting: false,
            root_cnode_size_bits: 12,
            max_num_bootinfo_untyped_caps: 166,
            timer_tick_ms: 2,
            time_slice: 5,
            num_priorities: 256,
            num_domains: 16,
            max_num_nodes: 1,
            retype_fan_out_limit: 256,
            max_num_work_units_per_preemption: 100,
            fastpath: true,
            kernel_stack_bits: 12,
            apic: Apic::Xapic,
            fsgsbase: FsGsBase::Msr,
            huge_page: false,
            support_pcid: false,
            hardware_debug_api: false,
            optimisation: Optimisation::O2,
        }
    }

    /// This configuration with, when `verified` is set, every other field as the verified configuration
    /// sets it (the architecture is kept, for validation to judge). Unchanged otherwise.
    ///
    /// ```
    /// use selkie_kernel::config::{Arch, KernelConfig};
    /// let asked = KernelConfig { arch: Arch::Aarch32, verified: true, ..KernelConfig::default() };
    /// assert_eq!(asked.resolved(), KernelConfig::verified_imx6());
    /// ```
    pub fn resolved(self) -> KernelConfig {
        if self.verified {
            KernelConfig {
                arch: self.arch,
                ..KernelConfig::verified_imx6()
            }
        } else {
            self
        }
    }

    /// The debug configuration of the i.MX6 kernel: the defaults (debug build, printing) on aarch32.
    pub fn debug_imx6() -> KernelConfig {
        KernelConfig {
            arch: Arch::Aarch32,
            ..KernelConfig::default()
        }
    }

    /// Rejects kernel configurations that the kernel's build or boot code cannot accept.
    pub fn validate(&self) -> Result<(), Error> {
        self.check().map_err(|invalid| Error::Config(invalid.message))
    }

    fn check(&self) -> Result<(), Invalid> {
        let range = |field: &'static str, v: u32, lo: u32, hi: u32| -> Result<(), Invalid> {
            if v < lo || v > hi {
                Err(Invalid::new(
                    field,
                    format!("{field} = {v} is out of range: it must be in {lo}..={hi}"),
                ))
            } else {
                Ok(())
            }
        };
        if self.verified {
            if self.arch != Arch::Aarch32 {
                return Err(Invalid::new(
                    "kernel.verified",
                    "kernel.verified = true needs arch = \"aarch32\": the verified configuration is the one the \
                     kernel tree ships for the imx6 board (the pc99 file it ships is a test configuration that \
                     does not boot under QEMU)",
                ));
            }
            if *self != KernelConfig::verified_imx6() {
                return Err(Invalid::new(
                    "kernel.verified",
                    "kernel.verified = true: the verified configuration is the kernel tree's own \
                     include/plat/imx6/autoconf.h and its fields cannot be changed (use \
                     KernelConfig::verified_imx6(), or set verified = false)",
                ));
            }
        }
        if self.max_num_nodes != 1 {
            return Err(Invalid::new(
                "kernel.max_num_nodes",
                format!(
                    "kernel.max_num_nodes = {}: selkie supports single-core kernels only; set max_num_nodes = 1",
                    self.max_num_nodes
                ),
            ));
        }
        // The root CNode must hold the initial caps, the untyped list and the image frames, and a slot
        // index must fit a 32-bit CPtr depth with the 5-bit slot size.
        range("kernel.root_cnode_size_bits", self.root_cnode_size_bits, 8, 26)?;
        // The bootinfo (169 bytes + 12 per untyped) must fit its one 4 KiB page.
        range(
            "kernel.max_num_bootinfo_untyped_caps",
            self.max_num_bootinfo_untyped_caps,
            1,
            327,
        )?;
        range("kernel.timer_tick_ms", self.timer_tick_ms, 1, 1000)?;
        range("kernel.time_slice", self.time_slice, 1, 1000)?;
        range("kernel.num_priorities", self.num_priorities, 1, 256)?;
        range("kernel.num_domains", self.num_domains, 1, 256)?;
        range("kernel.retype_fan_out_limit", self.retype_fan_out_limit, 1, 1024)?;
        range(
            "kernel.max_num_work_units_per_preemption",
            self.max_num_work_units_per_preemption,
            1,
            100_000,
        )?;
        range("kernel.kernel_stack_bits", self.kernel_stack_bits, 12, 16)?;
        Ok(())
    }

    /// The `CONFIG_*` preprocessor definitions this configuration stands for, name to value (`"1"` for a set
    /// boolean; unset booleans are absent, as in an `autoconf.h`).
    pub fn defines(&self) -> BTreeMap<String, String> {
        let mut d = BTreeMap::new();
        let mut set = |k: &str, v: String| {
            d.insert(format!("CONFIG_{k}"), v);
        };
        let flag = |b: bool| if b { Some("1".to_string()) } else { None };
        let mut flags: Vec<(&str, Option<String>)> = vec![
            ("DEBUG_BUILD", flag(self.debug_build)),
            ("PRINTING", flag(self.printing)),
            ("IRQ_REPORTING", flag(self.irq_reporting)),
            ("FASTPATH", flag(self.fastpath)),
            ("HUGE_PAGE", flag(self.huge_page)),
            ("SUPPORT_PCID", flag(self.support_pcid)),
            ("HARDWARE_DEBUG_API", flag(self.hardware_debug_api)),
        ];
        match self.arch {
            Arch::X86_64 => {
                flags.extend([
                    ("ARCH_X86", flag(true)),
                    ("ARCH_X86_64", flag(true)),
                    ("PLAT_PC99", flag(true)),
                    ("IRQ_IOAPIC", flag(true)),
                    ("SYSCALL", flag(true)),
                    ("FXSAVE", flag(true)),
                    ("HAVE_FPU", flag(true)),
                    ("MULTIBOOT_GRAPHICS_MODE_NONE", flag(true)),
                    ("XAPIC", flag(self.apic == Apic::Xapic)),
                    ("X2APIC", flag(self.apic == Apic::X2apic)),
                    ("FSGSBASE_MSR", flag(self.fsgsbase == FsGsBase::Msr)),
                    ("FSGSBASE_INST", flag(self.fsgsbase == FsGsBase::Inst)),
                ]);
                set("WORD_SIZE", "64".into());
                set("MAX_NUM_IOAPIC", "1".into());
                set("XSAVE_SIZE", "512".into());
                set("XSAVE_FEATURE_SET", "3".into());
                set("MAX_RMRR_ENTRIES", "32".into());
                set("MAX_VPIDS", "1024".into());
                set("CACHE_LN_SZ", "64".into());
                set("FPU_MAX_RESTORES_SINCE_SWITCH", "64".into());
            }
            Arch::Aarch32 => {
                flags.extend([
                    ("ARCH_ARM", flag(true)),
                    ("ARCH_AARCH32", flag(true)),
                    ("ARCH_ARM_V7A", flag(true)),
                    ("ARM_CORTEX_A9", flag(true)),
                    ("PLAT_IMX6", flag(true)),
                    ("PLAT_SABRE", flag(true)),
                    ("IPC_BUF_TPIDRURW", flag(true)),
                    ("ARM_ERRATA_764369", flag(true)),
                    ("VERIFICATION_BUILD", flag(self.verified)),
                ]);
                set("WORD_SIZE", "32".into());
            }
        }
        let opt = match self.optimisation {
            Optimisation::Os => "OPTIMISATION_Os",
            Optimisation::O1 => "OPTIMISATION_O1",
            Optimisation::O2 => "OPTIMISATION_O2",
            Optimisation::O3 => "OPTIMISATION_O3",
        };
        flags.push((opt, flag(true)));
        for (k, v) in flags {
            if let Some(v) = v {
                set(k, v);
            }
        }
        set("ROOT_CNODE_SIZE_BITS", self.root_cnode_size_bits.to_string());
        set(
            "MAX_NUM_BOOTINFO_UNTYPED_CAPS",
            self.max_num_bootinfo_untyped_caps.to_string(),
        );
        set("TIMER_TICK_MS", self.timer_tick_ms.to_string());
        set("TIME_SLICE", self.time_slice.to_string());
        set("NUM_PRIORITIES", self.num_priorities.to_string());
        set("NUM_DOMAINS", self.num_domains.to_string());
        set("MAX_NUM_NODES", self.max_num_nodes.to_string());
        set("RETYPE_FAN_OUT_LIMIT", self.retype_fan_out_limit.to_string());
        set(
            "MAX_NUM_WORK_UNITS_PER_PREEMPTION",
            self.max_num_work_units_per_preemption.to_string(),
        );
        set("KERNEL_STACK_BITS", self.kernel_stack_bits.to_string());
        d
    }

    /// The kernel's `autoconf.h` for this configuration.
    pub fn autoconf_h(&self) -> String {
        let mut s = String::from(
            "/* Generated by selkie-kernel from the project's kernel configuration. */\n\
             #ifndef AUTOCONF_INCLUDED\n#define AUTOCONF_INCLUDED\n",
        );
        for (k, v) in self.defines() {
            let _ = writeln!(s, "#define {k} {v}");
        }
        s.push_str("#endif\n");
        s
    }

    /// The kernel configuration as TOML text (the `[kernel]` table's body).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a KernelConfig always serialises")
    }

    /// The configuration's architecture.
    pub fn arch(&self) -> Arch {
        self.arch
    }
}

/// A value the validation rejects: the field it is reported against (`kernel.apic`) and why.
struct Invalid {
    field: &'static str,
    message: String,
}

impl Invalid {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Invalid {
            field,
            message: message.into(),
        }
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))
}

/// `<origin> line <n>: <message>` (the line holding byte `span.start`), or `<origin>: <message>`.
fn located(origin: &str, text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> Error {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            Error::Config(format!("{origin} line {line}: {message}"))
        }
        None => Error::Config(format!("{origin}: {message}")),
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The sections of `selkie.toml` and their fields, from the verified configuration (every field serialises).
fn known_fields() -> Vec<(String, Vec<String>)> {
    let all = Config {
        kernel: KernelConfig::verified_imx6(),
        ..Config::default()
    };
    let table = toml::Table::try_from(all).expect("a Config always serialises");
    table
        .into_iter()
        .map(|(section, value)| {
            let fields = value
                .as_table()
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default();
            (section, fields)
        })
        .collect()
}

/// Rejects unknown sections and fields before serde does, to name the nearest known one.
fn check_keys(doc: &toml::de::DeTable<'_>, text: &str, origin: &str) -> Result<(), Error> {
    let known = known_fields();
    let kernel_fields = &known.iter().find(|(s, _)| s == "kernel").expect("[kernel] is known").1;
    for (key, value) in doc.iter() {
        let name: &str = key.get_ref();
        if name == "profile" {
            check_profile(value, kernel_fields, text, origin)?;
            continue;
        }
        let Some((_, fields)) = known.iter().find(|(section, _)| section == name) else {
            // A field written above its section header reads as a top-level key.
            let message = match known.iter().find(|(_, fields)| fields.iter().any(|f| f == name)) {
                Some((section, _)) => format!("`{name}` must be in the [{section}] section"),
                None => {
                    let sections: Vec<&str> = known.iter().map(|(s, _)| s.as_str()).collect();
                    format!("unknown section `{name}`{}", suggestion(name, &sections))
                }
            };
            return Err(located(origin, text, Some(key.span()), &message));
        };
        let Some(table) = value.get_ref().as_table() else {
            return Err(located(
                origin,
                text,
                Some(value.span()),
                &format!("`{name}` must be a table ([{name}])"),
            ));
        };
        for (field, _) in table.iter() {
            let field_name: &str = field.get_ref();
            if !fields.iter().any(|f| f == field_name) {
                let candidates: Vec<&str> = fields.iter().map(String::as_str).collect();
                return Err(located(
                    origin,
                    text,
                    Some(field.span()),
                    &format!(
                        "unknown field `{field_name}` in [{name}]{}",
                        suggestion(field_name, &candidates)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// With `verified = true`, `[kernel]` may set `arch` and `verified`, and other fields only to the values the
/// verified configuration has (so that a written-out verified configuration reads back).
fn check_verified_keys(doc: &toml::de::DeTable<'_>, text: &str, origin: &str) -> Result<(), Error> {
    let parsed: toml::Table = toml::from_str(text).map_err(|e| located(origin, text, e.span(), e.message()))?;
    let Some(kernel) = parsed.get("kernel").and_then(toml::Value::as_table) else {
        return Ok(());
    };
    let verified = toml::Table::try_from(KernelConfig::verified_imx6()).expect("a KernelConfig always serialises");
    for (key, value) in kernel {
        if matches!(key.as_str(), "arch" | "verified") || verified.get(key) == Some(value) {
            continue;
        }
        let field = format!("kernel.{key}");
        let span = doc
            .iter()
            .find(|(k, _)| k.get_ref() == "kernel")
            .and_then(|(_, t)| t.get_ref().as_table()?.iter().find(|(k, _)| k.get_ref() == key))
            .map(|(k, _)| k.span());
        return Err(located(
            origin,
            text,
            span,
            &format!(
                "{field} cannot be set with verified = true: the verified configuration is the kernel tree's own \
                 include/plat/imx6/autoconf.h (remove the line, or set verified = false)"
            ),
        ));
    }
    Ok(())
}

/// Checks `[profile.release.kernel]`: the only profile section, holding only kernel fields.
fn check_profile(
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    kernel_fields: &[String],
    text: &str,
    origin: &str,
) -> Result<(), Error> {
    fn table<'a, 'b>(
        v: &'a toml::Spanned<toml::de::DeValue<'b>>,
        what: &str,
        text: &str,
        origin: &str,
    ) -> Result<&'a toml::de::DeTable<'b>, Error> {
        v.get_ref().as_table().ok_or_else(|| {
            located(
                origin,
                text,
                Some(v.span()),
                &format!("`{what}` must be a table ([{what}])"),
            )
        })
    }
    for (profile, v) in table(value, "profile", text, origin)?.iter() {
        if profile.get_ref() != "release" {
            return Err(located(
                origin,
                text,
                Some(profile.span()),
                &format!(
                    "unknown profile `{}`: only [profile.release.kernel] is read",
                    profile.get_ref()
                ),
            ));
        }
        for (section, v) in table(v, "profile.release", text, origin)?.iter() {
            if section.get_ref() != "kernel" {
                return Err(located(
                    origin,
                    text,
                    Some(section.span()),
                    &format!(
                        "unknown section `profile.release.{}`: only [profile.release.kernel] is read",
                        section.get_ref()
                    ),
                ));
            }
            for (field, _) in table(v, "profile.release.kernel", text, origin)?.iter() {
                let name: &str = field.get_ref();
                if !kernel_fields.iter().any(|f| f == name) {
                    let candidates: Vec<&str> = kernel_fields.iter().map(String::as_str).collect();
                    return Err(located(
                        origin,
                        text,
                        Some(field.span()),
                        &format!(
                            "unknown field `{name}` in [profile.release.kernel]{}",
                            suggestion(name, &candidates)
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `; did you mean `x`?` for the nearest candidate close enough to be a typo (a few characters off, or the
/// name cut short: `timeout` for `timeout_secs`), else the list of candidates.
fn suggestion(name: &str, candidates: &[&str]) -> String {
    let typo = |c: &str| edit_distance(name, c) <= (name.chars().count() / 3).max(2);
    let shortened = |c: &str| name.len() >= 3 && c.starts_with(name);
    let best = candidates
        .iter()
        .filter(|c| typo(c) || shortened(c))
        .min_by_key(|c| edit_distance(name, c));
    match best {
        Some(c) => format!("; did you mean `{c}`?"),
        None => format!("; expected one of: {}", candidates.join(", ")),
    }
}

/// Levenshtein distance (insertions, deletions and substitutions of characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The span of the key that sets `field` (`section.name`), if the text sets it.
fn field_span(doc: &toml::de::DeTable<'_>, field: &str) -> Option<std::ops::Range<usize>> {
    let (section, name) = field.split_once('.')?;
    let (_, table) = doc.iter().find(|(k, _)| k.get_ref() == section)?;
    let (key, _) = table.get_ref().as_table()?.iter().find(|(k, _)| k.get_ref() == name)?;
    Some(key.span())
}

/// The `section.name` whose value holds byte `offset` of the text, if any.
fn field_around(doc: &toml::de::DeTable<'_>, offset: usize) -> Option<String> {
    doc.iter().find_map(|(section, value)| {
        let table = value.get_ref().as_table()?;
        table.iter().find_map(|(key, v)| {
            let holds = key.span().contains(&offset) || v.span().contains(&offset);
            holds.then(|| format!("{}.{}", section.get_ref(), key.get_ref()))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_matches_the_tcg_config() {
        let c = Config::default();
        c.validate().unwrap();
        let d = c.kernel.defines();
        assert_eq!(d["CONFIG_XAPIC"], "1");
        assert!(!d.contains_key("CONFIG_X2APIC"));
        assert!(!d.contains_key("CONFIG_VERIFICATION_BUILD"));
        assert_eq!(d["CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS"], "167");
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let e = Config::from_toml_str("[kernel]\nroot_cnode_bits = 3\n", "x.toml").unwrap_err();
        assert!(e.to_string().contains("root_cnode_bits"), "{e}");
    }

    #[test]
    fn a_typo_names_the_file_line_and_nearest_field() {
        let text = "# my settings\n[kernel]\nprinting = true\nroot_cnode_size_bit = 14\n";
        let e = Config::from_toml_str(text, "/p/selkie.toml").unwrap_err().to_string();
        assert_eq!(
            e,
            "selkie configuration: /p/selkie.toml line 4: unknown field `root_cnode_size_bit` in [kernel]; \
             did you mean `root_cnode_size_bits`?"
        );
        let e = Config::from_toml_str("[qemu]\ntimeout = 5\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("s.toml line 2: unknown field `timeout` in [qemu]; did you mean `timeout_secs`?"),
            "{e}"
        );
        // Nothing close: the known fields are listed.
        let e = Config::from_toml_str("[qemu]\nzzz = 5\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `zzz` in [qemu]; expected one of: ") && e.contains("timeout_secs"));
        // Sections: a misspelt one, and a field above its section header.
        let e = Config::from_toml_str("[kernal]\nprinting = true\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("s.toml line 1: unknown section `kernal`; did you mean `kernel`?"),
            "{e}"
        );
        let e = Config::from_toml_str("\nhuge_page = true\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("s.toml line 2: `huge_page` must be in the [kernel] section"),
            "{e}"
        );
    }

    #[test]
    fn type_and_syntax_errors_name_the_line() {
        let e = Config::from_toml_str("[kernel]\n\nnum_domains = \"two\"\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.toml line 3: `kernel.num_domains`: invalid type: string"),
            "{e}"
        );
        assert!(!e.contains('\n'), "one line: {e}");
        let e = Config::from_toml_str("[kernel]\napic = \"x3apic\"\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.toml line 2: `kernel.apic`: unknown variant `x3apic`"),
            "{e}"
        );
        let e = Config::from_toml_str("[kernel]\nprinting = \n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.toml line 2: "), "{e}");
    }

    #[test]
    fn a_rejected_value_names_the_line_that_sets_it() {
        let text = "[qemu]\ntimeout_secs = 5\n\n[kernel]\nprinting = true\nroot_cnode_size_bits = 40\n";
        let e = Config::from_toml_str_validated(text, "/p/selkie.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "selkie configuration: /p/selkie.toml line 6: kernel.root_cnode_size_bits = 40 is out of range: \
             it must be in 8..=26"
        );
        // Unvalidated parsing accepts it; `validate` alone gives the message without a line.
        let c = Config::from_toml_str(text, "/p/selkie.toml").unwrap();
        assert_eq!(
            c.validate().unwrap_err().to_string(),
            "selkie configuration: kernel.root_cnode_size_bits = 40 is out of range: it must be in 8..=26"
        );
        let e = Config::from_toml_str_validated("[qemu]\nboot_timeout_secs = 0\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("s.toml line 2: qemu.boot_timeout_secs must be at least 1"),
            "{e}"
        );
        // A combination is reported against the field that asks for the missing feature.
        let e = Config::from_toml_str_validated("[kernel]\n\nfsgsbase = \"inst\"\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.toml line 3: kernel.fsgsbase = \"inst\" needs the CPU feature"),
            "{e}"
        );
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("root_cnode_size_bit", "root_cnode_size_bits"), 1);
        assert_eq!(edit_distance("kernal", "kernel"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("sitting", "kitten"), 3);
    }

    #[test]
    fn tcg_incompatible_features_are_rejected_before_a_build() {
        for (toml, word) in [
            ("[kernel]\napic = \"x2apic\"\n", "x2apic"),
            ("[kernel]\nsupport_pcid = true\n", "PCID"),
            ("[kernel]\nfsgsbase = \"inst\"\n", "+fsgsbase"),
            ("[kernel]\nhuge_page = true\n", "+pdpe1gb"),
            ("[kernel]\nroot_cnode_size_bits = 40\n", "8..=26"),
        ] {
            let c = Config::from_toml_str(toml, "t").unwrap();
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(word), "{toml}: {e}");
        }
        let ok = Config::from_toml_str(
            "[kernel]\nhuge_page = true\nfsgsbase = \"inst\"\n[qemu]\ncpu_features = [\"+fsgsbase\", \"+pdpe1gb\"]\n",
            "t",
        )
        .unwrap();
        ok.validate().unwrap();
        assert_eq!(ok.qemu.cpu_arg(), "qemu64,+fsgsbase,+pdpe1gb");
    }

    #[test]
    fn a_release_profile_overrides_kernel_fields_only_for_release_builds() {
        let text = "[kernel]\nnum_priorities = 64\n\n[profile.release.kernel]\ndebug_build = false\nprinting = false\n";
        let c = Config::from_toml_str(text, "s.toml").unwrap();
        let dev = c.clone().for_profile(false).unwrap();
        assert!(dev.kernel.debug_build && dev.kernel.printing);
        assert_eq!(dev.profile, Profiles::default());
        let rel = c.for_profile(true).unwrap();
        assert!(!rel.kernel.debug_build && !rel.kernel.printing);
        assert_eq!(rel.kernel.num_priorities, 64);
        rel.validate().unwrap();
        assert!(!rel.kernel.defines().contains_key("CONFIG_DEBUG_BUILD"));

        let e = Config::from_toml_str("[profile.release.kernel]\nprintng = false\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.toml line 2") && e.contains("did you mean `printing`?"),
            "{e}"
        );
        let e = Config::from_toml_str("[profile.debug.kernel]\nprinting = false\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown profile `debug`"), "{e}");
    }

    #[test]
    fn aarch32_is_one_setting_and_its_defines_name_the_board() {
        let c = Config::from_toml_str_validated("[kernel]\narch = \"aarch32\"\n", "s.toml").unwrap();
        assert_eq!(c.kernel, KernelConfig::debug_imx6());
        let d = c.kernel.defines();
        for flag in [
            "CONFIG_ARCH_AARCH32",
            "CONFIG_PLAT_IMX6",
            "CONFIG_ARM_CORTEX_A9",
            "CONFIG_PRINTING",
        ] {
            assert_eq!(d[flag], "1", "{flag}");
        }
        assert_eq!(d["CONFIG_WORD_SIZE"], "32");
        assert!(!d.contains_key("CONFIG_ARCH_X86_64") && !d.contains_key("CONFIG_XAPIC"));
        assert!(!d.contains_key("CONFIG_VERIFICATION_BUILD"));
        // x86_64 keeps exactly its settings.
        let x = KernelConfig::default().defines();
        assert!(x.contains_key("CONFIG_XAPIC") && !x.contains_key("CONFIG_PLAT_IMX6"));
    }

    #[test]
    fn the_verified_configuration_is_one_setting_and_cannot_be_changed() {
        let c = Config::from_toml_str_validated("[kernel]\narch = \"aarch32\"\nverified = true\n", "s.toml").unwrap();
        assert_eq!(c.kernel, KernelConfig::verified_imx6());
        assert!(!c.kernel.debug_build && !c.kernel.printing);
        let e = Config::from_toml_str(
            "[kernel]\narch = \"aarch32\"\nverified = true\nprinting = true\n",
            "s.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("s.toml line 4: kernel.printing cannot be set with verified = true"),
            "{e}"
        );
        let e = Config::from_toml_str_validated("[kernel]\nverified = true\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.toml line 2: kernel.verified = true needs arch = \"aarch32\""),
            "{e}"
        );
        // Built in code with a changed field: refused.
        let changed = KernelConfig {
            num_domains: 1,
            ..KernelConfig::verified_imx6()
        };
        assert!(changed
            .validate()
            .unwrap_err()
            .to_string()
            .contains("cannot be changed"));
        // A release profile may select it.
        let text = "[kernel]\narch = \"aarch32\"\n[profile.release.kernel]\nverified = true\n";
        let c = Config::from_toml_str(text, "s.toml").unwrap();
        assert_eq!(
            c.clone().for_profile(true).unwrap().kernel,
            KernelConfig::verified_imx6()
        );
        assert_eq!(c.for_profile(false).unwrap().kernel, KernelConfig::debug_imx6());
    }

    #[test]
    fn x86_64_settings_are_refused_for_aarch32() {
        for (toml, field) in [
            (
                "[kernel]\narch = \"aarch32\"\nhuge_page = true\n",
                "line 3: kernel.huge_page is an x86_64 setting",
            ),
            (
                "[kernel]\narch = \"aarch32\"\n[qemu]\ncpu = \"max\"\n",
                "line 4: qemu.cpu and qemu.cpu_features",
            ),
            (
                "[kernel]\narch = \"aarch32\"\n[qemu]\nmemory = \"2G\"\n",
                "line 4: qemu.memory = \"2G\"",
            ),
        ] {
            let e = Config::from_toml_str_validated(toml, "s.toml").unwrap_err().to_string();
            assert!(e.contains(field), "{toml}: {e}");
        }
        let ok = "[kernel]\narch = \"aarch32\"\n[qemu]\nmemory = \"1G\"\n";
        Config::from_toml_str_validated(ok, "s.toml").unwrap();
    }

    #[test]
    fn the_verified_configuration_round_trips_and_others_do_not_mention_it() {
        let v = Config {
            kernel: KernelConfig::verified_imx6(),
            ..Config::default()
        };
        assert_eq!(Config::from_toml_str(&v.to_toml(), "t").unwrap(), v);
        assert!(!Config::default().to_toml().contains("verified"));
        // Set to the verified value, a field is accepted; to another, refused.
        let same = "[kernel]\narch = \"aarch32\"\nverified = true\nnum_domains = 16\n";
        assert_eq!(
            Config::from_toml_str(same, "s").unwrap().kernel,
            KernelConfig::verified_imx6()
        );
        let other = "[kernel]\narch = \"aarch32\"\nverified = true\nnum_domains = 1\n";
        let e = Config::from_toml_str(other, "s").unwrap_err().to_string();
        assert!(e.contains("s line 4: kernel.num_domains cannot be set"), "{e}");
    }

    #[test]
    fn toml_round_trips() {
        let mut c = Config::default();
        c.kernel.hardware_debug_api = true;
        c.qemu.timeout_secs = 7;
        let back = Config::from_toml_str(&c.to_toml(), "t").unwrap();
        assert_eq!(back, c);
    }
}
