//! Build-script support for a root task that embeds separately built programs (child processes with their
//! own executables).
//!
//! A program is a binary crate of its own (its `main` marked `#[selkie::program]`, depending on `selkie` with
//! the `program` feature). The root task's `build.rs` calls [`embed_program`], which runs a nested
//! `cargo build --release` of the program for the root task's own bare-metal target (`x86_64-unknown-none`,
//! or `armv7a-none-eabi` for aarch32: see [`program_target`]) with selkie's link settings
//! (`-C relocation-model=static -C link-arg=-Tselkie.ld`) into a target directory of its own under the root
//! task's `OUT_DIR` (never the outer build's target directory, whose lock the outer cargo holds), and sets an
//! environment variable to the executable's path, for `include_bytes!`:
//!
//! ```text
//! // build.rs of the root task
//! fn main() {
//!     selkie_build::embed_program("programs/hello", "hello", "HELLO_ELF").unwrap();
//! }
//! ```
//!
//! ```ignore
//! // the root task
//! static HELLO: &[u8] = include_bytes!(env!("HELLO_ELF"));
//! ```

#![warn(missing_docs)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The bare-metal target programs are built for unless the root task is built for another one.
pub const DEFAULT_TARGET: &str = "x86_64-unknown-none";

/// The bare-metal targets a program can be built for: x86_64 and aarch32 (ARMv7-A).
pub const TARGETS: &[&str] = &["x86_64-unknown-none", "armv7a-none-eabi"];

/// The target a program embedded by a root task built for `root_target` (the build script's `TARGET`) is
/// built for: the same one when it is a bare-metal target selkie supports (a root task for aarch32 embeds
/// aarch32 programs), [`DEFAULT_TARGET`] otherwise (a check of the root task's crate for the host, say).
///
/// ```
/// assert_eq!(selkie_build::program_target(Some("armv7a-none-eabi")), "armv7a-none-eabi");
/// assert_eq!(selkie_build::program_target(Some("x86_64-unknown-linux-gnu")), "x86_64-unknown-none");
/// assert_eq!(selkie_build::program_target(None), "x86_64-unknown-none");
/// ```
pub fn program_target(root_target: Option<&str>) -> &'static str {
    TARGETS
        .iter()
        .copied()
        .find(|t| Some(*t) == root_target)
        .unwrap_or(DEFAULT_TARGET)
}

/// The compiler flags a program is linked with (static, laid out by selkie's linker script, which the
/// `selkie` crate's build script puts on the linker's search path), `\x1f`-separated as in
/// `CARGO_ENCODED_RUSTFLAGS`.
pub const RUSTFLAGS: &str = "-Crelocation-model=static\x1f-Clink-arg=-Tselkie.ld";

/// Variables a build script inherits from the outer cargo that would steer the nested build wrongly: the
/// outer target's flags, target and target directory.
const CLEARED_ENV: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "TARGET",
    "HOST",
    "OUT_DIR",
    "PROFILE",
    "OPT_LEVEL",
    "DEBUG",
    "NUM_JOBS",
];

/// Why a program could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// A variable cargo sets for build scripts is missing (not called from a build script?).
    NotInBuildScript(&'static str),
    /// The program's directory has no `Cargo.toml`.
    NoManifest(PathBuf),
    /// Cargo could not be started.
    Spawn(std::io::Error),
    /// Cargo failed (its errors were printed above).
    Failed {
        /// The program's manifest.
        manifest: PathBuf,
    },
    /// Cargo succeeded but the executable is not where it should be.
    Missing(PathBuf),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NotInBuildScript(var) => {
                write!(f, "{var} is not set: call selkie_build from a build script")
            }
            BuildError::NoManifest(dir) => write!(f, "{} has no Cargo.toml", dir.display()),
            BuildError::Spawn(e) => write!(f, "cannot run cargo: {e}"),
            BuildError::Failed { manifest } => write!(
                f,
                "building the program {} failed (the compiler's errors are above)",
                manifest.display()
            ),
            BuildError::Missing(path) => write!(f, "cargo built the program but {} is missing", path.display()),
        }
    }
}

impl std::error::Error for BuildError {}

/// The nested `cargo build` of binary `bin` of the program crate at `manifest` for `target` into `target_dir`.
pub fn build_command(cargo: &Path, manifest: &Path, bin: &str, target: &str, target_dir: &Path) -> Command {
    let mut cmd = Command::new(cargo);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd.args(["build", "--release", "--target", target, "--bin", bin])
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS);
    if let Some(dir) = manifest.parent() {
        cmd.current_dir(dir);
    }
    cmd
}

/// Where [`build_command`] leaves the executable built for `target`.
pub fn executable_path(target_dir: &Path, target: &str, bin: &str) -> PathBuf {
    target_dir.join(target).join("release").join(bin)
}

/// Builds binary `bin` of the program crate in `dir` (relative to the calling package's directory) for
/// the calling root task's bare-metal target ([`program_target`]) and returns the executable's path. Call it
/// from a build script.
pub fn build_program(dir: impl AsRef<Path>, bin: &str) -> Result<PathBuf, BuildError> {
    let var = |name: &'static str| std::env::var_os(name).ok_or(BuildError::NotInBuildScript(name));
    let package = PathBuf::from(var("CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(var("OUT_DIR")?);
    let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let dir = package.join(dir);
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(BuildError::NoManifest(dir));
    }
    let target_dir = out.join("programs");
    let target = program_target(std::env::var("TARGET").ok().as_deref());
    let status = build_command(&cargo, &manifest, bin, target, &target_dir)
        .status()
        .map_err(BuildError::Spawn)?;
    if !status.success() {
        return Err(BuildError::Failed { manifest });
    }
    let exe = executable_path(&target_dir, target, bin);
    if !exe.is_file() {
        return Err(BuildError::Missing(exe));
    }
    Ok(exe)
}

/// [`build_program`], then tells cargo: the environment variable `env` holds the executable's path (for
/// `include_bytes!(env!("..."))`), and to build again when the program's directory or the selkie
/// configuration changes.
pub fn embed_program(dir: impl AsRef<Path>, bin: &str, env: &str) -> Result<PathBuf, BuildError> {
    let exe = build_program(dir.as_ref(), bin)?;
    println!("cargo:rerun-if-changed={}", dir.as_ref().display());
    println!("cargo:rerun-if-env-changed=SELKIE_CONFIG");
    println!("cargo:rustc-env={env}={}", exe.display());
    Ok(exe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nested_build_has_its_own_target_dir_flags_and_target() {
        let cmd = build_command(
            Path::new("cargo"),
            Path::new("/p/prog/Cargo.toml"),
            "prog",
            "x86_64-unknown-none",
            Path::new("/out/programs"),
        );
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(
            args,
            [
                "build",
                "--release",
                "--target",
                "x86_64-unknown-none",
                "--bin",
                "prog",
                "--manifest-path",
                "/p/prog/Cargo.toml",
                "--target-dir",
                "/out/programs"
            ]
        );
        let envs: Vec<_> = cmd.get_envs().collect();
        assert!(envs.contains(&("CARGO_ENCODED_RUSTFLAGS".as_ref(), Some(RUSTFLAGS.as_ref()))));
        // The outer build's target directory and flags are not inherited.
        assert!(envs.contains(&("CARGO_TARGET_DIR".as_ref(), None)));
        assert!(envs.contains(&("RUSTFLAGS".as_ref(), None)));
        assert_eq!(cmd.get_current_dir(), Some(Path::new("/p/prog")));
        assert_eq!(
            executable_path(Path::new("/out/programs"), "x86_64-unknown-none", "prog"),
            Path::new("/out/programs/x86_64-unknown-none/release/prog")
        );
    }

    #[test]
    fn a_root_task_for_aarch32_embeds_programs_built_for_aarch32() {
        let target = program_target(Some("armv7a-none-eabi"));
        let cmd = build_command(
            Path::new("cargo"),
            Path::new("/p/prog/Cargo.toml"),
            "prog",
            target,
            Path::new("/out/programs"),
        );
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args[2..4], ["--target", "armv7a-none-eabi"]);
        assert_eq!(
            executable_path(Path::new("/out/programs"), target, "prog"),
            Path::new("/out/programs/armv7a-none-eabi/release/prog")
        );
        // The host (a check of the root task's crate) and unknown targets get the default.
        assert_eq!(program_target(Some("x86_64-unknown-linux-gnu")), DEFAULT_TARGET);
        assert_eq!(program_target(None), DEFAULT_TARGET);
    }

    #[test]
    fn outside_a_build_script_it_says_so() {
        if std::env::var_os("OUT_DIR").is_none() {
            assert!(matches!(
                build_program("x", "x"),
                Err(BuildError::NotInBuildScript("CARGO_MANIFEST_DIR")) | Err(BuildError::NotInBuildScript("OUT_DIR"))
            ));
        }
    }
}
