//! Host prerequisites: the tools the kernel pipeline and the runner call.
//!
//! [`ensure`] finds what is missing. Running as root on Debian it installs the packages with `apt-get` (saying
//! what it runs); otherwise it stops with an error naming the package and the exact command that installs it.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::Error;

/// A host tool and the Debian package that provides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// The command looked up on `PATH`.
    pub command: &'static str,
    /// The Debian package that provides it.
    pub package: &'static str,
    /// A Python module the tool must also provide (for `python3`, the `venv` support), if any.
    pub python_module: Option<&'static str>,
}

const fn tool(command: &'static str, package: &'static str) -> Tool {
    Tool {
        command,
        package,
        python_module: None,
    }
}

/// What building the kernel needs.
pub const KERNEL_BUILD: &[Tool] = &[
    tool("make", "make"),
    tool("gcc", "gcc"),
    tool("objcopy", "binutils"),
    tool("xmllint", "libxml2-utils"),
    Tool {
        command: "python3",
        package: "python3-venv",
        python_module: Some("ensurepip"),
    },
];

/// What booting a system needs (on x86_64; see [`qemu_for`]).
pub const QEMU: &[Tool] = &[tool("qemu-system-x86_64", "qemu-system-x86")];
/// What booting an aarch32 system needs.
pub const QEMU_ARM: &[Tool] = &[tool("qemu-system-arm", "qemu-system-arm")];
/// What building the ARM kernel needs besides [`KERNEL_BUILD`]: the cross compiler (and its binutils).
pub const ARM_CROSS: &[Tool] = &[tool("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf")];

/// The QEMU tools that boot systems for `arch`.
pub fn qemu_for(arch: crate::Arch) -> &'static [Tool] {
    match arch {
        crate::Arch::X86_64 => QEMU,
        crate::Arch::Aarch32 => QEMU_ARM,
    }
}

/// What building the kernel for `arch` needs besides [`KERNEL_BUILD`].
pub fn kernel_build_for(arch: crate::Arch) -> &'static [Tool] {
    match arch {
        crate::Arch::X86_64 => &[],
        crate::Arch::Aarch32 => ARM_CROSS,
    }
}

/// Whether `tool` is usable on this host.
pub fn present(tool: &Tool) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {}", tool.command))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    match (found, tool.python_module) {
        (false, _) => false,
        (true, None) => true,
        (true, Some(m)) => Command::new(tool.command)
            .args(["-c", &format!("import {m}, venv")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success()),
    }
}

/// Makes sure every tool in `tools` is present, installing missing ones with apt-get when running as root on
/// Debian, else returning [`Error::MissingTool`] for the first missing one.
pub fn ensure(tools: &[Tool]) -> Result<(), Error> {
    ensure_with(tools, can_apt_install())
}

fn ensure_with(tools: &[Tool], may_install: bool) -> Result<(), Error> {
    let missing = |tools: &[Tool]| -> Vec<Tool> { tools.iter().filter(|t| !present(t)).copied().collect() };
    let mut absent = missing(tools);
    if absent.is_empty() {
        return Ok(());
    }
    if may_install {
        // Several builds (cargo runs tests in parallel) may find the same tools missing at once, and apt-get
        // fails at once when another apt-get holds its lock. So installs are serialised on a lock file of our
        // own, what another process installed meanwhile is not installed again, and apt-get waits for the lock
        // of an apt run of another program instead of failing.
        let _held = install_lock("selkie-apt-install.lock");
        absent = missing(&absent);
        if absent.is_empty() {
            return Ok(());
        }
        let packages: Vec<&str> = absent.iter().map(|t| t.package).collect();
        eprintln!(
            "selkie: installing missing host packages: apt-get install -y {}",
            packages.join(" ")
        );
        let wait = ["-o", "DPkg::Lock::Timeout=300"];
        let update = Command::new("apt-get").args(["update", "-qq"]).args(wait).status();
        let install = Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(wait)
            .args(&packages)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        absent = missing(&absent);
        if update.is_ok() && install.is_ok_and(|s| s.success()) && absent.is_empty() {
            return Ok(());
        }
    }
    let packages: Vec<&str> = absent.iter().map(|t| t.package).collect();
    let first = absent[0];
    Err(Error::MissingTool {
        tool: format!("host tool `{}`", first.command),
        package: first.package.into(),
        command: format!("sudo apt-get install -y {}", packages.join(" ")),
    })
}

/// Makes sure the Rust standard library for `target` (such as `x86_64-unknown-none`) is installed for the
/// toolchain that builds in `dir`, adding it with `rustup target add` (saying so) when it is missing.
pub fn ensure_rust_target(target: &str, dir: &Path) -> Result<(), Error> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(&rustc)
        .current_dir(dir)
        .args(["--print", "sysroot"])
        .output()
        .map_err(Error::io("running rustc --print sysroot"))?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    let installed = || {
        Path::new(&sysroot)
            .join("lib/rustlib")
            .join(target)
            .join("lib")
            .is_dir()
    };
    if installed() {
        return Ok(());
    }
    // Two builds starting at once on a fresh machine (`cargo test` runs tests in parallel) would both run
    // `rustup target add`, and the second fails on the first one's half-installed files ("detected conflict").
    // Installs are serialised on a lock file, and what another process installed meanwhile is not added again.
    let _held = install_lock("selkie-rustup-target.lock");
    if installed() {
        return Ok(());
    }
    let command = format!("rustup target add {target}");
    eprintln!("selkie: the Rust target {target} is missing; running `{command}`");
    let added = Command::new("rustup")
        .current_dir(dir)
        .args(["target", "add", target])
        .status();
    if added.is_ok_and(|s| s.success()) {
        return Ok(());
    }
    Err(Error::MissingTool {
        tool: format!("the Rust target {target}"),
        package: "rustup".into(),
        command,
    })
}

/// Takes the machine-wide lock file `name` (in the temporary directory), held until the returned file is
/// dropped, so that concurrent builds install one at a time. `None` when it cannot be taken: then nothing is
/// serialised, and an install that collides fails with its own message.
fn install_lock(name: &str) -> Option<std::fs::File> {
    let file = std::fs::File::create(std::env::temp_dir().join(name)).ok()?;
    file.lock().ok()?;
    Some(file)
}

fn can_apt_install() -> bool {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    root && std::path::Path::new("/etc/debian_version").exists() && present(&tool("apt-get", "apt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tool_is_reported_with_its_package_and_command() {
        let ghost = Tool {
            command: "selkie-no-such-tool",
            package: "selkie-no-such-package",
            python_module: None,
        };
        assert!(!present(&ghost));
        let e = ensure_with(&[ghost], false).unwrap_err().to_string();
        assert!(e.contains("selkie-no-such-package"), "{e}");
        assert!(e.contains("apt-get install -y selkie-no-such-package"), "{e}");
    }

    #[test]
    fn present_tools_are_found() {
        assert!(present(&tool("sh", "dash")));
    }
}
