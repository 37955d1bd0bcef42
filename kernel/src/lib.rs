//! selkie's seL4 kernel pipeline, for build scripts, the `selkie` tool and the QEMU test harness.
//!
//! - [`config`]: the typed kernel and QEMU configuration (`selkie.toml`), validated before any build;
//! - [`source`]: the kernel source, taken through cargo from the `sel4-sys` 0.0.28 package (seL4 5.0.0), or a
//!   user-provided tree named by `SELKIE_KERNEL_SOURCE`;
//! - [`build`]: builds the kernel with its own Makefile in a private Python venv, cached by a hash of source
//!   and configuration;
//! - [`prereq`]: checks (and on Debian as root installs) the host tools the pipeline needs;
//! - [`loader`]: on aarch32, builds the boot image (selkie's loader with the kernel and root task embedded);
//! - [`qemu`]: boots a kernel and root task in QEMU and reports how the run ended;
//! - [`image`]: reads what a root-task ELF says about itself (its kernel configuration, its test list).

#![warn(missing_docs)]

pub mod build;
pub mod config;
pub mod image;
pub mod loader;
pub mod prereq;
pub mod qemu;
pub mod source;

mod error;

pub use build::{build_kernel, BuiltKernel};
pub use config::{Arch, Config, KernelConfig, QemuConfig};
pub use error::Error;
pub use source::KernelSource;

use std::path::{Path, PathBuf};

/// Names of the environment variables the pipeline reads.
pub mod env {
    /// Path of the `selkie.toml` to use (default: the built-in configuration).
    pub const CONFIG: &str = "SELKIE_CONFIG";
    /// Path of a user-provided seL4 kernel source tree (default: the embedded seL4 5.0.0).
    pub const KERNEL_SOURCE: &str = "SELKIE_KERNEL_SOURCE";
    /// Directory for selkie's caches: kernel sources, Python venv, kernel builds (default: `<target>/selkie`).
    pub const HOME: &str = "SELKIE_HOME";
}

/// For build scripts: the kernel source and configuration the bindings must match.
///
/// Reads `SELKIE_CONFIG` (or uses the default) and validates it (an [`Error::Config`] names the file and line
/// at fault), resolves the source (fetching it through cargo if needed), and prints the `cargo:rerun-if-*`
/// lines that make cargo re-run the script when either changes.
pub fn build_script_inputs() -> Result<(KernelSource, KernelConfig), Error> {
    for var in [env::CONFIG, env::KERNEL_SOURCE, env::HOME] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    if let Some(p) = std::env::var_os(env::CONFIG).filter(|p| !p.is_empty()) {
        println!("cargo:rerun-if-changed={}", Path::new(&p).display());
    }
    let config = Config::from_env_validated()?;
    let home = selkie_home();
    let source = source::resolve(&home)?;
    Ok((source, config.kernel))
}

/// The directory holding selkie's caches: `SELKIE_HOME`, else `selkie/` in the cargo target directory found
/// from this process's environment (`CARGO_TARGET_DIR`, a build script's `OUT_DIR`, or `./target`).
pub fn selkie_home() -> PathBuf {
    home_in(&workspace_target_dir())
}

/// selkie's cache directory for builds in the cargo target directory `target_dir`: `SELKIE_HOME` if set,
/// else `<target_dir>/selkie`.
pub fn home_in(target_dir: &Path) -> PathBuf {
    match std::env::var_os(env::HOME).filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h),
        None => target_dir.join("selkie"),
    }
}

/// The cargo target directory of the current build: the directory above a build script's `OUT_DIR` (or this
/// executable) that holds cargo's `CACHEDIR.TAG`, else `CARGO_TARGET_DIR`, else `./target`.
pub fn workspace_target_dir() -> PathBuf {
    let starts = [
        std::env::var_os("OUT_DIR").map(PathBuf::from),
        std::env::current_exe().ok(),
    ];
    for start in starts.into_iter().flatten() {
        if let Some(dir) = target_dir_above(&start) {
            return dir;
        }
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    match std::env::var_os("CARGO_TARGET_DIR").filter(|t| !t.is_empty()) {
        Some(t) => cwd.join(t),
        None => cwd.join("target"),
    }
}

/// The cargo target directory that `path` (an artefact or build directory) lies in, if any. When target
/// directories are nested (selkie builds bare-metal images in `target/bare`), the outermost one is taken, so
/// that every build under one project shares one kernel cache.
pub fn target_dir_above(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .filter(|d| d.join("CACHEDIR.TAG").is_file())
        .last()
        .map(Path::to_path_buf)
}
