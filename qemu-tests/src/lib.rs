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

/// The configuration the test images are built and booted with (`qemu-tests/selkie.toml`, x86_64).
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("selkie.toml")
}

/// One architecture's run of the in-kernel tests: which images apply there and how they are built and booted.
#[derive(Debug, Clone, Copy)]
pub struct Arch {
    /// The package of `qemu-tests/images` whose images run on this architecture.
    pub package: &'static str,
    /// The configuration file (in `qemu-tests/`) that selects the kernel.
    pub config: &'static str,
    /// The label its trials carry in `cargo test`'s output (`[aarch32] core_tcb::...`; a filter matches it),
    /// empty for x86_64, whose trials keep their plain names.
    pub label: &'static str,
}

/// x86_64: every image of `selkie-qemu-images`, with `qemu-tests/selkie.toml`.
pub const X86_64: Arch = Arch {
    package: "selkie-qemu-images",
    config: "selkie.toml",
    label: "",
};

/// aarch32 (i.MX6 Sabre Lite): the images of `selkie-qemu-aarch32` (the architecture-neutral ones and its own), with
/// `qemu-tests/selkie-aarch32.toml`.
pub const AARCH32: Arch = Arch {
    package: "selkie-qemu-aarch32",
    config: "selkie-aarch32.toml",
    label: "aarch32",
};

impl Arch {
    /// The path of this architecture's configuration file.
    pub fn config_path(&self) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(self.config)
    }

    /// The loaded configuration.
    pub fn load_config(&self) -> Result<Config, Error> {
        Config::load(&self.config_path())
    }

    /// Builds this architecture's images and returns its trials, labelled (see [`trials`]).
    pub fn trials(&self) -> Result<Vec<libtest_mimic::Trial>, Error> {
        let config = self.load_config()?;
        let images = build_images_with(self.package, &self.config_path())?;
        Ok(trials(images, config, harness_dirs())
            .into_iter()
            .map(|t| {
                if self.label.is_empty() {
                    t
                } else {
                    t.with_kind(self.label)
                }
            })
            .collect())
    }
}

/// Builds the test images of one package of the images workspace (release profile) with the x86_64
/// configuration.
pub fn build_images(package: &str) -> Result<Vec<RootTask>, Error> {
    build_images_with(package, &config_path())
}

/// Builds the test images of one package of the images workspace (release profile) with the configuration
/// file `config`, for the architecture it names.
pub fn build_images_with(package: &str, config: &Path) -> Result<Vec<RootTask>, Error> {
    let (target_dir, home) = dirs();
    build_root_tasks(&BuildOptions {
        manifest: &images_manifest(),
        packages: &[package],
        release: true,
        target_dir: &target_dir,
        home: &home,
        config: Some(config),
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

/// Builds the images of every architecture in `arches`, and runs every in-kernel test they hold as a trial of
/// `cargo test` (see [`trials`]), once per architecture.
///
/// Images that fail to build are an error (not a trial), so that no test-name filter can turn a broken build
/// into a passing run. A test name that only the protocol mentions fails its image's `<image>` trial, by name.
pub fn run_suite(arches: &[Arch], args: &libtest_mimic::Arguments) -> Result<libtest_mimic::Conclusion, Error> {
    let mut all = Vec::new();
    for arch in arches {
        all.extend(arch.trials()?);
    }
    Ok(libtest_mimic::run(args, all))
}
