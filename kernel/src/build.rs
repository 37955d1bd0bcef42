//! Building the kernel with its own Makefile, cached by a hash of source and configuration.
//!
//! Each build gets its own copy of the patched source with the configuration's `autoconf.h` written into it
//! (the standalone Makefile reads `include/plat/<plat>/autoconf.h` first on its include path), runs
//! `make -f $SRC/Makefile ... DEBUG=1` from a separate build directory with a private Python venv first on
//! `PATH`, and converts the ELF64 kernel to ELF32 for QEMU's multiboot loader. Results live in
//! `<home>/kernels/<key>/`; a configuration that was built before is never rebuilt.
//!
//! The architecture picks the rest: aarch32 builds the imx6 (Sabre Lite) kernel with the
//! `arm-linux-gnueabihf-` cross compiler and soft float (Debian's compiler defaults to hard float, which the
//! kernel's ARMv7-A build rejects), and its kernel is already an ELF32 (copied as `kernel.elf32`, for the
//! loader to embed). The verified configuration ([`KernelConfig::verified_imx6`]) keeps the tree's own
//! `autoconf.h`, after checking that it says what the typed configuration says.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::Digest;

use crate::source::{copy_tree, hex, publish, unique_tmp, KernelSource};
use crate::{prereq, Arch, Error, KernelConfig};

/// Bumped whenever the build recipe changes, so cached kernels are rebuilt.
const RECIPE: &str = "selkie-kernel-build-v1";
/// Warnings that gcc 12 raises on the x86_64 kernel and that its `-Werror` would make fatal.
const EXTRA_CFLAGS: &str = "-Wno-array-bounds -Wno-address-of-packed-member";
/// Soft float for the ARM kernel: Debian's armhf cross compiler defaults to hard float, and the kernel's
/// ARMv7-A build then fails with "selected architecture lacks an FPU".
const ARM_FLOAT_FLAGS: &str = "-mfloat-abi=soft";

/// The `CFLAGS` and `ASFLAGS` the kernel build gets from the environment for `arch` (its Makefile adds its own).
fn env_flags(arch: Arch) -> (&'static str, &'static str) {
    match arch {
        Arch::X86_64 => (EXTRA_CFLAGS, ""),
        Arch::Aarch32 => (ARM_FLOAT_FLAGS, ARM_FLOAT_FLAGS),
    }
}
/// The Python packages the kernel's build scripts import.
const PYTHON_PACKAGES: &[&str] = &["ply==3.11", "six", "tempita"];

/// A built kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltKernel {
    /// The kernel as ELF32: for x86_64 converted, as QEMU's multiboot loader needs it; for aarch32 the
    /// build's own ELF32 kernel (what the loader embeds).
    pub elf32: PathBuf,
    /// The kernel as the build produced it (ELF64 on x86_64, ELF32 on aarch32).
    pub elf: PathBuf,
    /// The build directory, holding the build's generated headers (`api/invocation.h`,
    /// `arch/api/invocation.h`, `arch/api/sel4_invocation.h`, `arch/api/syscall.h`).
    pub build_dir: PathBuf,
    /// The patched source copy the kernel was built from, with this configuration's `autoconf.h`.
    pub source: PathBuf,
    /// The build log.
    pub log: PathBuf,
    /// The cache key (hash of source identity, configuration and recipe).
    pub key: String,
    /// Whether this call built the kernel (false: it came from the cache).
    pub fresh: bool,
}

/// Builds the kernel for `cfg` from `src`, or returns the cached build. Caches live in selkie's home under
/// `target_dir` (`<target_dir>/selkie`, or `SELKIE_HOME` when set).
pub fn build_kernel(target_dir: &Path, src: &KernelSource, cfg: &KernelConfig) -> Result<BuiltKernel, Error> {
    build_kernel_in(&crate::home_in(target_dir), src, cfg)
}

/// The cache key of a kernel build.
pub fn cache_key(src: &KernelSource, cfg: &KernelConfig) -> String {
    let mut h = sha2::Sha256::new();
    let (cflags, asflags) = env_flags(cfg.arch);
    let autoconf = cfg.autoconf_h();
    let mut parts = vec![
        RECIPE,
        &src.identity,
        &autoconf,
        cflags,
        cfg.arch.sel4_arch(),
        cfg.arch.plat(),
    ];
    // Only what differs from the x86_64 recipe is added, so that x86_64 kernels keep their keys.
    if cfg.arch != Arch::X86_64 {
        parts.push(asflags);
        parts.extend(cfg.arch.make_vars());
    }
    if cfg.verified {
        parts.push("verified: the tree's own autoconf.h");
    }
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize()[..8])
}

/// [`build_kernel`] with an explicit selkie home directory.
pub fn build_kernel_in(home: &Path, src: &KernelSource, cfg: &KernelConfig) -> Result<BuiltKernel, Error> {
    cfg.validate()?;
    // make runs in the build directory: every path handed to it must be absolute.
    let home = &std::path::absolute(home).map_err(Error::io(format!("resolving {}", home.display())))?;
    let key = cache_key(src, cfg);
    let dest = home.join("kernels").join(&key);
    let built = |fresh| BuiltKernel {
        elf32: dest.join("kernel.elf32"),
        elf: dest.join("build/kernel.elf"),
        build_dir: dest.join("build"),
        source: dest.join("src"),
        log: dest.join("build.log"),
        key: key.clone(),
        fresh,
    };
    if dest.join("kernel.elf32").is_file() {
        return Ok(built(false));
    }
    prereq::ensure(prereq::KERNEL_BUILD)?;
    prereq::ensure(prereq::kernel_build_for(cfg.arch))?;
    let venv = python_venv(home)?;
    let tmp = unique_tmp(&dest);
    let result = build_into(&tmp, &venv, src, cfg);
    if let Err(e) = result {
        // Keep the log where the error message points, and drop the rest.
        if let Error::Build { log, summary } = e {
            let kept = home.join("kernels").join(format!("{key}-failed.log"));
            let _ = fs::create_dir_all(home.join("kernels"));
            let _ = fs::rename(&log, &kept);
            let _ = fs::remove_dir_all(&tmp);
            return Err(Error::Build { summary, log: kept });
        }
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    publish(&tmp, &dest)?;
    Ok(built(true))
}

fn build_into(dir: &Path, venv: &Path, src: &KernelSource, cfg: &KernelConfig) -> Result<(), Error> {
    let arch = cfg.arch;
    let tree = dir.join("src");
    copy_tree(&src.root, &tree)?;
    let autoconf = tree.join("include/plat").join(arch.plat()).join("autoconf.h");
    if cfg.verified {
        check_shipped_autoconf(&autoconf, cfg)?;
    } else {
        fs::write(&autoconf, cfg.autoconf_h()).map_err(Error::io(format!("writing {}", autoconf.display())))?;
    }
    let build = dir.join("build");
    fs::create_dir_all(&build).map_err(Error::io(format!("creating {}", build.display())))?;
    let log_path = dir.join("build.log");
    let log = fs::File::create(&log_path).map_err(Error::io(format!("creating {}", log_path.display())))?;
    let log_err = log.try_clone().map_err(Error::io("opening the build log"))?;
    let path = std::env::join_paths(
        std::iter::once(venv.join("bin")).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .map_err(|e| Error::Config(format!("PATH: {e}")))?;
    let mut make = Command::new("make");
    // The standalone Makefile's DEBUG adds CONFIG_DEBUG_BUILD (and -DDEBUG) on its own: a release
    // configuration must not pass it.
    if cfg.debug_build {
        make.arg("DEBUG=1");
    }
    let (cflags, asflags) = env_flags(arch);
    if !asflags.is_empty() {
        make.env("ASFLAGS", asflags);
    }
    let status = make
        .current_dir(&build)
        .arg("-f")
        .arg(tree.join("Makefile"))
        // One job: the kernel's bitfield generator writes ply's parser table next to itself, and two of them
        // running at once corrupt it ("module 'parsetab' has no attribute '_tabversion'").
        .arg("-j1")
        .arg(format!("SOURCE_ROOT={}", tree.display()))
        .arg(format!("ARCH={}", arch.arch()))
        .arg(format!("SEL4_ARCH={}", arch.sel4_arch()))
        .arg(format!("PLAT={}", arch.plat()))
        .args(arch.make_vars())
        .arg("PYTHON=python")
        .env("PATH", path)
        .env("CFLAGS", cflags)
        // Cargo's build-script environment must not leak into the kernel's make.
        .env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .status()
        .map_err(Error::io("running make"))?;
    if !status.success() || !build.join("kernel.elf").is_file() {
        let text = fs::read_to_string(&log_path).unwrap_or_default();
        return Err(Error::Build {
            summary: summarize(&text),
            log: log_path,
        });
    }
    if arch != Arch::X86_64 {
        // Already an ELF32 for its machine: kept under the same name, for the loader to embed.
        fs::copy(build.join("kernel.elf"), dir.join("kernel.elf32"))
            .map_err(Error::io(format!("copying {}", build.join("kernel.elf").display())))?;
        return Ok(());
    }
    let out = Command::new("objcopy")
        .args(["-O", "elf32-i386"])
        .arg(build.join("kernel.elf"))
        .arg(dir.join("kernel.elf32"))
        .output()
        .map_err(Error::io("running objcopy"))?;
    if !out.status.success() {
        return Err(Error::Build {
            summary: format!("objcopy -O elf32-i386: {}", String::from_utf8_lossy(&out.stderr).trim()),
            log: log_path,
        });
    }
    Ok(())
}

/// The `#define NAME VALUE` lines of an `autoconf.h` text, name to value.
pub fn parse_autoconf(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some("#define"), Some(name), Some(value)) => Some((name.to_string(), value.to_string())),
                _ => None,
            }
        })
        .collect()
}

/// Checks that the tree's shipped `autoconf.h` sets every option of the verified configuration as
/// [`KernelConfig::defines`] says (the runtime's bindings are generated from the typed configuration).
fn check_shipped_autoconf(path: &Path, cfg: &KernelConfig) -> Result<(), Error> {
    let text = fs::read_to_string(path).map_err(Error::io(format!("reading {}", path.display())))?;
    let shipped = parse_autoconf(&text);
    let differ: Vec<String> = cfg
        .defines()
        .into_iter()
        .filter(|(k, v)| shipped.get(k) != Some(v))
        .map(|(k, v)| {
            format!(
                "{k} (expected {v}, found {})",
                shipped.get(&k).map_or("nothing", String::as_str)
            )
        })
        .collect();
    let debug = ["CONFIG_DEBUG_BUILD", "CONFIG_PRINTING"]
        .into_iter()
        .filter(|k| shipped.contains_key(*k))
        .map(|k| format!("{k} (expected unset)"));
    let differ: Vec<String> = differ.into_iter().chain(debug).collect();
    if differ.is_empty() {
        return Ok(());
    }
    Err(Error::Source(format!(
        "{} is not the verified configuration selkie knows: {}",
        path.display(),
        differ.join(", ")
    )))
}

/// The first compiler errors of a failed build, or its last lines.
fn summarize(log: &str) -> String {
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("error:") || l.contains("Error "))
        .take(6)
        .collect();
    let lines = if errors.is_empty() {
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(6)..].to_vec()
    } else {
        errors
    };
    lines.join(" | ")
}

/// The Python venv with the kernel build's dependencies (ply, six, tempita), created once under `home`. Also
/// runs libsel4's own header generators where a build needs libsel4's C headers (the benchmark's C stubs).
pub fn python_venv(home: &Path) -> Result<PathBuf, Error> {
    let dest = home.join("venv");
    if dest.join(".selkie-ready").is_file() {
        return Ok(dest);
    }
    let tmp = unique_tmp(&dest);
    let run = |cmd: &mut Command, what: &str| -> Result<(), Error> {
        let out = cmd.output().map_err(Error::io(what.to_string()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::Source(format!(
                "{what} failed: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("no output")
            )))
        }
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&tmp),
        "creating the Python venv for the kernel build",
    )?;
    run(
        Command::new(tmp.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .args(PYTHON_PACKAGES),
        "installing the kernel build's Python packages (ply, six, tempita) from PyPI",
    )?;
    fs::write(tmp.join(".selkie-ready"), PYTHON_PACKAGES.join("\n")).map_err(Error::io("marking the venv"))?;
    publish(&tmp, &dest)?;
    Ok(dest)
}
