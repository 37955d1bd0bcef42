//! The aarch32 boot image: selkie's loader (`loader/image` in this repository) with a kernel and a root task
//! embedded, built once per pair and cached.
//!
//! seL4 on ARM needs a loader to place the kernel and the root task in memory and turn the MMU on (see the
//! `selkie-loader` crate). The loader is a bare-metal Rust program for `armv7a-none-eabi`; its build script
//! embeds the two ELF files named by [`KERNEL_VAR`] and [`ROOT_TASK_VAR`]. [`build_loader_image`] runs that
//! build with cargo in `<home>/loaders/target` and keeps the result as `<home>/loaders/<key>/loader.elf`,
//! keyed by a hash of both files and of the loader's own source: booting the same pair again reuses it.
//!
//! ```no_run
//! use std::path::Path;
//! use selkie_kernel::{build, loader, qemu, source, Config, KernelConfig};
//! let home = selkie_kernel::selkie_home();
//! let cfg = Config { kernel: KernelConfig::debug_imx6(), ..Config::default() };
//! let kernel = build::build_kernel_in(&home, &source::resolve(&home)?, &cfg.kernel)?;
//! let root_task = Path::new("target/armv7a-none-eabi/release/hello");
//! let image = loader::build_loader_image(&home, &kernel.elf32, root_task)?;
//! let boot = qemu::Boot {
//!     kernel: &image.path,
//!     root_task,
//!     arch: cfg.kernel.arch,
//!     qemu: &cfg.qemu,
//!     kernel_printing: cfg.kernel.printing,
//! };
//! let report = qemu::run(&boot, &mut |line| println!("{line}"))?;
//! assert!(report.outcome.is_success());
//! # Ok::<(), selkie_kernel::Error>(())
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::Digest;

use crate::source::{hex, publish, unique_tmp};
use crate::{prereq, Arch, BuiltKernel, Error};

/// The environment variable naming the kernel ELF the loader build embeds.
pub const KERNEL_VAR: &str = "SELKIE_LOADER_KERNEL";
/// The environment variable naming the root task ELF the loader build embeds.
pub const ROOT_TASK_VAR: &str = "SELKIE_LOADER_ROOT_TASK";

/// Bumped whenever the way the loader is built changes.
const RECIPE: &str = "selkie-loader-image-v1";
/// A built loader image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoaderImage {
    /// The ELF file QEMU boots (`-kernel`).
    pub path: PathBuf,
    /// The cache key (hash of the kernel, the root task and the loader's source).
    pub key: String,
    /// Whether this call built it (false: it came from the cache).
    pub fresh: bool,
}

/// The loader image's package (`loader/image` of the repository this crate was built from).
pub fn loader_package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("loader")
        .join("image")
}

/// The loader's source files (the library in `loader/src` and the image's package), part of the cache key so
/// that a changed loader is rebuilt.
fn loader_source() -> Result<Vec<u8>, Error> {
    let package = loader_package();
    if !package.join("Cargo.toml").is_file() {
        return Err(Error::Source(format!(
            "the aarch32 loader's source is not at {}: aarch32 boots need selkie's repository checkout",
            package.display()
        )));
    }
    let mut all = Vec::new();
    for dir in [package.join("..").join("src"), package.clone()] {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_entry(|e| e.file_name() != "target")
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        files.sort();
        for f in files {
            let bytes = fs::read(&f).map_err(Error::io(format!("reading {}", f.display())))?;
            all.extend_from_slice(f.strip_prefix(&dir).unwrap_or(&f).to_string_lossy().as_bytes());
            all.push(0);
            all.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            all.extend_from_slice(&bytes);
        }
    }
    Ok(all)
}

/// The cache key of the loader image for `kernel` and `root_task` (the files' contents) and the loader's own
/// source.
pub fn cache_key(kernel: &[u8], root_task: &[u8]) -> Result<String, Error> {
    let source = loader_source()?;
    let mut h = sha2::Sha256::new();
    for part in [RECIPE.as_bytes(), kernel, root_task, &source] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    Ok(hex(&h.finalize()[..8]))
}

/// Builds (or takes from the cache under `home`) the loader image embedding `kernel` (an ELF32 ARM kernel,
/// [`BuiltKernel::elf32`]) and `root_task`.
pub fn build_loader_image(home: &Path, kernel: &Path, root_task: &Path) -> Result<LoaderImage, Error> {
    let read = |p: &Path| fs::read(p).map_err(Error::io(format!("reading {}", p.display())));
    let key = cache_key(&read(kernel)?, &read(root_task)?)?;
    let home = &std::path::absolute(home).map_err(Error::io(format!("resolving {}", home.display())))?;
    let loaders = home.join("loaders");
    let dest = loaders.join(&key);
    let image = |fresh| LoaderImage {
        path: dest.join("loader.elf"),
        key: key.clone(),
        fresh,
    };
    if dest.join("loader.elf").is_file() {
        return Ok(image(false));
    }
    let package = loader_package();
    prereq::ensure_rust_target(Arch::Aarch32.rust_target(), &package)?;
    fs::create_dir_all(&loaders).map_err(Error::io(format!("creating {}", loaders.display())))?;
    // One loader build at a time in the shared target directory: each embeds a different pair, and the
    // built file is copied out before the next build overwrites it.
    let lock = fs::File::create(loaders.join(".build.lock")).map_err(Error::io("creating the loader build lock"))?;
    lock.lock().map_err(Error::io("locking the loader build"))?;
    if dest.join("loader.elf").is_file() {
        return Ok(image(false));
    }
    let target_dir = loaders.join("target");
    let log_path = loaders.join(format!("{key}-build.log"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&package)
        .args(["build", "--release", "--quiet", "--target", Arch::Aarch32.rust_target()])
        .arg("--manifest-path")
        .arg(package.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .env(
            KERNEL_VAR,
            std::path::absolute(kernel).unwrap_or_else(|_| kernel.to_path_buf()),
        )
        .env(
            ROOT_TASK_VAR,
            std::path::absolute(root_task).unwrap_or_else(|_| root_task.to_path_buf()),
        )
        // The caller's flags are for its own target, not the loader's.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .stdin(Stdio::null())
        .output()
        .map_err(Error::io("running cargo build for the loader image"))?;
    let _ = fs::write(&log_path, [&out.stdout[..], &out.stderr[..]].concat());
    let built = target_dir
        .join(Arch::Aarch32.rust_target())
        .join("release")
        .join("selkie-loader");
    if !out.status.success() || !built.is_file() {
        let text = String::from_utf8_lossy(&out.stderr);
        let summary: Vec<&str> = text.lines().filter(|l| l.contains("error")).take(4).collect();
        return Err(Error::Build {
            summary: format!("loader image: {}", summary.join(" | ")),
            log: log_path,
        });
    }
    let tmp = unique_tmp(&dest);
    fs::create_dir_all(&tmp).map_err(Error::io(format!("creating {}", tmp.display())))?;
    fs::copy(&built, tmp.join("loader.elf")).map_err(Error::io(format!("copying {}", built.display())))?;
    publish(&tmp, &dest)?;
    let _ = fs::remove_file(&log_path);
    Ok(image(true))
}

/// What QEMU boots for `kernel` and `root_task` on `arch`: the kernel itself on x86_64 (the root task goes
/// in as a multiboot module), the loader image holding both on aarch32.
pub fn boot_image(home: &Path, arch: Arch, kernel: &BuiltKernel, root_task: &Path) -> Result<PathBuf, Error> {
    match arch {
        Arch::X86_64 => Ok(kernel.elf32.clone()),
        Arch::Aarch32 => Ok(build_loader_image(home, &kernel.elf32, root_task)?.path),
    }
}
