//! The library behind the `selkie` command: building root tasks with cargo and booting them on the real
//! kernel. The QEMU test harness uses it too.

#![warn(missing_docs)]

pub mod abi;
pub mod harness;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use selkie_kernel::{image, qemu, source, Arch, Config, Error, KernelConfig};

/// A root-task executable cargo built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootTask {
    /// The binary target's name.
    pub name: String,
    /// The ELF file.
    pub path: PathBuf,
}

/// How to build root tasks.
#[derive(Debug, Clone)]
pub struct BuildOptions<'a> {
    /// The manifest of the bare-metal package or workspace.
    pub manifest: &'a Path,
    /// Packages to build (all of the workspace when empty).
    pub packages: &'a [&'a str],
    /// Release profile (optimised, LTO) or dev.
    pub release: bool,
    /// The cargo target directory for the bare-metal build.
    pub target_dir: &'a Path,
    /// selkie's cache directory (kernel sources and builds), shared with the runner.
    pub home: &'a Path,
    /// The `selkie.toml` the bindings are generated for, if not the default configuration.
    pub config: Option<&'a Path>,
}

/// Builds root tasks with cargo, for the Rust target of the architecture the configuration names
/// (`x86_64-unknown-none` by default, `armv7a-none-eabi` for `arch = "aarch32"`), and returns the executables
/// it produced. Compiler output goes to this process's stderr as it happens.
pub fn build_root_tasks(opts: &BuildOptions<'_>) -> Result<Vec<RootTask>, Error> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let dir = opts.manifest.parent().unwrap_or(Path::new("."));
    let arch = match opts.config {
        Some(c) => Config::load(c)?.for_profile(opts.release)?.kernel.arch,
        None => selkie_kernel::Arch::default(),
    };
    selkie_kernel::prereq::ensure_rust_target(arch.rust_target(), dir)?;
    let mut cmd = Command::new(cargo);
    cmd.current_dir(dir)
        .args(["build", "--quiet"])
        .arg("--manifest-path")
        .arg(opts.manifest)
        .args(["--target", arch.rust_target()])
        .args(["--message-format", "json-render-diagnostics"])
        .env("CARGO_TARGET_DIR", opts.target_dir)
        .env(selkie_kernel::env::HOME, opts.home)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    match opts.config {
        Some(c) => cmd.env(selkie_kernel::env::CONFIG, c),
        None => cmd.env_remove(selkie_kernel::env::CONFIG),
    };
    if opts.release {
        cmd.arg("--release");
    }
    if opts.packages.is_empty() {
        cmd.arg("--workspace");
    }
    for p in opts.packages {
        cmd.args(["--package", p]);
    }
    let out = cmd
        .output()
        .map_err(Error::io("running cargo build for the root tasks"))?;
    if !out.status.success() {
        return Err(Error::Image {
            path: opts.manifest.to_path_buf(),
            message: "cargo build failed (the compiler's errors are above)".into(),
        });
    }
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        if let (Some(exe), Some(name)) = (msg["executable"].as_str(), msg["target"]["name"].as_str()) {
            found.push(RootTask {
                name: name.to_string(),
                path: PathBuf::from(exe),
            });
        }
    }
    Ok(found)
}

/// The selkie home to use for an image: `SELKIE_HOME`, else `selkie/` in the cargo target directory the image
/// was built in.
pub fn home_for(image: &Path) -> PathBuf {
    let image = std::path::absolute(image).unwrap_or_else(|_| image.to_path_buf());
    match selkie_kernel::target_dir_above(&image) {
        Some(target) => selkie_kernel::home_in(&target),
        None => selkie_kernel::selkie_home(),
    }
}

/// A finished boot: how it went, and the kernel it ran on.
#[derive(Debug, Clone)]
pub struct Booted {
    /// How the run ended, with its console log.
    pub report: qemu::Report,
    /// The kernel that was booted (`fresh` says whether this call built it).
    pub kernel: selkie_kernel::BuiltKernel,
}

/// Boots a root-task image on the kernel it was compiled against, streaming console lines to `on_line`.
/// `home` is selkie's cache directory (see [`home_for`]). This is the whole flow for either architecture:
/// build (or reuse) the kernel for the image's configuration, on aarch32 build (or reuse) the loader image
/// holding kernel and root task ([`selkie_kernel::loader`]), and run it in QEMU.
///
/// The kernel configuration comes from the image's `.selkie.kconfig` section (what its bindings were
/// generated from); `config` supplies the QEMU settings, and the kernel configuration for images that carry
/// none.
pub fn boot(image_path: &Path, config: &Config, home: &Path, on_line: &mut dyn FnMut(&str)) -> Result<Booted, Error> {
    boot_marked(image_path, config, home, &mut |line, _| on_line(line))
}

/// [`boot`], also telling for each console line whether the root task printed it.
pub fn boot_marked(
    image_path: &Path,
    config: &Config,
    home: &Path,
    on_line: &mut dyn FnMut(&str, qemu::Source),
) -> Result<Booted, Error> {
    let info = image::read(image_path)?;
    let mut cfg = config.clone();
    if let Some(k) = info.kernel_config {
        cfg.kernel = k;
    }
    cfg.validate()?;
    let src = source::resolve(home)?;
    let kernel = selkie_kernel::build::build_kernel_in(home, &src, &cfg.kernel)?;
    let bootable = selkie_kernel::loader::boot_image(home, cfg.kernel.arch, &kernel, image_path)?;
    let boot = qemu::Boot {
        kernel: &bootable,
        root_task: image_path,
        arch: cfg.kernel.arch,
        qemu: &cfg.qemu,
        kernel_printing: cfg.kernel.printing,
    };
    let report = qemu::run_marked(&boot, on_line)?;
    Ok(Booted { report, kernel })
}

/// The selkie repository this tool was built from (for `selkie qemu <example>`).
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tool lives in the repository")
        .to_path_buf()
}

/// The `.cargo/config.toml` that makes `cargo run` in a user's project build a selkie root task for `arch`
/// and boot it: the bare-metal target, the `selkie` runner (`runner` is the command, such as
/// `/home/u/.cargo/bin/selkie`), the link settings (the same on both architectures), and `SELKIE_CONFIG`
/// pointing at the project's `selkie.toml`.
///
/// ```
/// use selkie_kernel::Arch;
/// let text = selkie_tool::user_cargo_config(std::path::Path::new("selkie"), Arch::Aarch32);
/// assert!(text.contains("target = \"armv7a-none-eabi\"") && text.contains("runner = \"selkie run\""));
/// ```
pub fn user_cargo_config(runner: &Path, arch: Arch) -> String {
    let what = match arch {
        Arch::X86_64 => "bare-metal x86_64",
        Arch::Aarch32 => "bare-metal aarch32 (ARMv7-A, the i.MX6 Sabre Lite)",
    };
    format!(
        "# Written by `selkie init`: build for {what} and boot with selkie's runner.\n\
         [build]\ntarget = \"{target}\"\n\n\
         [target.{target}]\nrunner = \"{runner} run\"\n\
         rustflags = [\"-C\", \"relocation-model=static\", \"-C\", \"link-arg=-Tselkie.ld\"]\n\n\
         [env]\nSELKIE_CONFIG = {{ value = \"selkie.toml\", relative = true }}\n",
        target = arch.rust_target(),
        runner = runner.display(),
    )
}

/// A `selkie.toml` for `arch` holding the default configuration, to edit, and a kernel without debug
/// facilities for `--release` builds: on x86_64 a release kernel, on aarch32 the verified configuration.
///
/// ```
/// use selkie_kernel::{Arch, Config};
/// let text = selkie_tool::default_selkie_toml(Arch::Aarch32);
/// let release = Config::from_toml_str(&text, "selkie.toml").unwrap().for_profile(true).unwrap();
/// assert!(release.kernel.verified && release.kernel.arch == Arch::Aarch32);
/// ```
pub fn default_selkie_toml(arch: Arch) -> String {
    let config = Config {
        kernel: KernelConfig {
            arch,
            ..KernelConfig::default()
        },
        ..Config::default()
    };
    let release = match arch {
        Arch::X86_64 => {
            "# `cargo build --release` / `cargo run --release`: a release kernel, with no debug facilities and no\n\
             # kernel printing (the root task's console then drives COM1 itself).\n\
             [profile.release.kernel]\ndebug_build = false\nprinting = false\n"
        }
        Arch::Aarch32 => {
            "# `cargo build --release` / `cargo run --release`: the verified configuration, the kernel tree's own\n\
             # imx6 configuration file (no debug facilities, no kernel printing: the root task's console then\n\
             # drives the board's UART itself).\n\
             [profile.release.kernel]\nverified = true\n"
        }
    };
    format!(
        "# The kernel and QEMU configuration of this project; every field is optional (these are the defaults).\n\
         # Changing [kernel] rebuilds the kernel and the bindings; see selkie_kernel::config for each field.\n\n{}\n\
         {release}",
        config.to_toml()
    )
}

/// The settings `selkie init` adds to a project's `Cargo.toml` (binary `package`): the binary has no unit
/// tests (`test = false`: there is no libtest on bare metal), and `tests/kernel.rs` holds in-kernel tests
/// with selkie's harness instead of libtest's (`harness = false`), so `cargo test` builds it for the
/// bare-metal target and cargo's runner (`selkie run`) boots it and reports each test.
pub fn user_manifest_additions(package: &str) -> String {
    format!(
        "\n# Written by `selkie init`. Bare metal has no libtest: the root task has no unit tests, and every\n\
         # file of in-kernel tests in tests/ needs a [[test]] entry with `harness = false` (`selkie run` is\n\
         # the harness: it boots the file's tests on seL4 and reports each by name).\n\
         [[bin]]\nname = \"{package}\"\npath = \"src/main.rs\"\ntest = false\nbench = false\n\n\
         [[test]]\nname = \"kernel\"\npath = \"tests/kernel.rs\"\nharness = false\n"
    )
}

/// The first in-kernel test file `selkie init` writes (`tests/kernel.rs`).
pub const USER_TESTS_RS: &str =
    "//! In-kernel tests: `cargo test` boots this file's tests on seL4 in QEMU and reports each by name.\n\
#![no_std]\n#![no_main]\n\nselkie::test_main!();\n\n#[selkie::test]\nfn the_kernel_boots() {}\n";

/// The `[package]` name of a `Cargo.toml` text.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(v) = line
                .strip_prefix("name")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
            {
                return Some(v.trim().trim_matches('"').to_string());
            }
        }
    }
    None
}

/// Sets up an existing cargo project at `dir` to build and boot as a selkie root task for `arch`: writes
/// `.cargo/config.toml` ([`user_cargo_config`]) and `selkie.toml` ([`default_selkie_toml`]), and, unless the
/// manifest already has `[[bin]]` or `[[test]]` entries, adds [`user_manifest_additions`] to `Cargo.toml`
/// with a first `tests/kernel.rs` ([`USER_TESTS_RS`]). Refuses to
/// overwrite an existing `.cargo/config.toml` (saying what to add instead); keeps an existing `selkie.toml`.
pub fn init_project(dir: &Path, runner: &Path, arch: Arch) -> Result<Vec<PathBuf>, Error> {
    if !dir.join("Cargo.toml").is_file() {
        return Err(Error::Config(format!(
            "{} has no Cargo.toml: run `cargo new` first",
            dir.display()
        )));
    }
    let toml = dir.join("selkie.toml");
    if toml.exists() {
        let text = std::fs::read_to_string(&toml).map_err(Error::io(format!("reading {}", toml.display())))?;
        let kept = Config::from_toml_str(&text, &toml.display().to_string())?.kernel.arch;
        if kept != arch {
            return Err(Error::Config(format!(
                "{} is for {}, not {}: change its `[kernel] arch`, or run `selkie init --arch {}`",
                toml.display(),
                kept.sel4_arch(),
                arch.sel4_arch(),
                kept.sel4_arch()
            )));
        }
    }
    let config = dir.join(".cargo").join("config.toml");
    let text = user_cargo_config(runner, arch);
    if config.exists() {
        return Err(Error::Config(format!(
            "{} already exists; add these settings to it yourself:\n{text}",
            config.display()
        )));
    }
    std::fs::create_dir_all(dir.join(".cargo")).map_err(Error::io(format!("creating {}", dir.display())))?;
    std::fs::write(&config, text).map_err(Error::io(format!("writing {}", config.display())))?;
    let mut written = vec![config];
    let manifest_path = dir.join("Cargo.toml");
    let manifest =
        std::fs::read_to_string(&manifest_path).map_err(Error::io(format!("reading {}", manifest_path.display())))?;
    if !manifest.contains("[[bin]]") && !manifest.contains("[[test]]") {
        let package = package_name(&manifest)
            .ok_or_else(|| Error::Config(format!("{} has no [package] name", manifest_path.display())))?;
        std::fs::write(&manifest_path, manifest + &user_manifest_additions(&package))
            .map_err(Error::io(format!("writing {}", manifest_path.display())))?;
        written.push(manifest_path);
        let tests = dir.join("tests").join("kernel.rs");
        if !tests.exists() {
            std::fs::create_dir_all(dir.join("tests")).map_err(Error::io(format!("creating {}", dir.display())))?;
            std::fs::write(&tests, USER_TESTS_RS).map_err(Error::io(format!("writing {}", tests.display())))?;
            written.push(tests);
        }
    }
    if !toml.exists() {
        std::fs::write(&toml, default_selkie_toml(arch)).map_err(Error::io(format!("writing {}", toml.display())))?;
        written.push(toml);
    }
    Ok(written)
}
