//! The QEMU test harness of this repository: builds the in-kernel test images of `qemu-tests/images`, boots
//! each on the real seL4 kernel, and reports every in-kernel test as its own test of `cargo test`.
//!
//! The protocol, verdicts and trials are `selkie_tool::harness` (re-exported here), the same code `selkie run`
//! uses for the test binaries of a user's `cargo test`; this crate adds where the repository's images live
//! and how they are built.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};

use selkie_kernel::{Config, Error};
pub use selkie_tool::harness::*;
use selkie_tool::{build_root_tasks, BuildOptions, RootTask};

/// Where the harness keeps its builds: `<workspace target>/bare` for images, `<workspace target>/selkie` for
/// kernels.
pub fn dirs() -> (PathBuf, PathBuf) {
    let target = selkie_kernel::workspace_target_dir();
    (target.join("bare"), selkie_kernel::home_in(&target))
}

/// The harness's [`Dirs`]: kernels in the workspace's selkie home, patched copies under the image builds.
pub fn harness_dirs() -> Dirs {
    let (bare, home) = dirs();
    Dirs {
        home,
        boots: bare.join("harness-boots"),
    }
}

/// The test images' workspace manifest.
pub fn images_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("images").join("Cargo.toml")
}

/// The configuration the test images are built and booted with (`qemu-tests/selkie.toml`).
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("selkie.toml")
}

/// Builds the test images of one package of the images workspace (release profile).
pub fn build_images(package: &str) -> Result<Vec<RootTask>, Error> {
    let (target_dir, home) = dirs();
    build_root_tasks(&BuildOptions {
        manifest: &images_manifest(),
        packages: &[package],
        release: true,
        target_dir: &target_dir,
        home: &home,
        config: Some(&config_path()),
    })
}

/// Boots one of the repository's test images in the harness's directories (see [`selkie_tool::harness::run_image`]).
pub fn run_image(task: &RootTask, config: &Config) -> Result<ImageRun, Error> {
    selkie_tool::harness::run_image(task, config, &harness_dirs())
}

/// Builds and boots every image of `package` one after the other and returns each trial's verdict, exactly as
/// [`run_suite`] reports them to `cargo test`.
pub fn evaluate(package: &str, config: &Config) -> Result<Vec<Verdict>, Error> {
    let mut out = Vec::new();
    for task in build_images(package)? {
        let run = run_image(&task, config).map_err(|e| e.to_string());
        let mut names = trial_names(&task)?;
        // Names only the protocol mentioned are reported too (their image's own trial fails as well).
        if let Ok(run) = &run {
            names.extend(
                run.statuses
                    .keys()
                    .filter(|n| !names.contains(n))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
        for name in names {
            let v = verdict(&name, &run);
            out.push((name, v));
        }
    }
    Ok(out)
}

/// Builds the images of `package`, and runs every in-kernel test they hold as a trial of `cargo test` (see
/// [`trials`]).
///
/// Images that fail to build are an error (not a trial), so that no test-name filter can turn a broken build
/// into a passing run. A test name that only the protocol mentions fails its image's `<image>` trial, by name.
pub fn run_suite(
    package: &str,
    config: Config,
    args: &libtest_mimic::Arguments,
) -> Result<libtest_mimic::Conclusion, Error> {
    let images = build_images(package)?;
    Ok(libtest_mimic::run(args, trials(images, config, harness_dirs())))
}
