//! `selkie abi-report`: which kernel configuration options change the kernel/user ABI, as markdown.
//!
//! The comparison itself is [`selkie_sys_gen::abi`]; this module picks the kernel tree (the one the pipeline
//! builds, or a newer interface tree given with `--newer`) and the baseline configuration (`SELKIE_CONFIG`, else
//! selkie's default).

use std::path::Path;

use selkie_kernel::{source, Config, Error, KernelConfig};
use selkie_sys_gen::abi;

/// Runs the report on the kernel tree the pipeline resolves (the embedded seL4, or `SELKIE_KERNEL_SOURCE`), or,
/// with `newer`, on that tree (a kernel tree or its `libsel4` directory, such as the seL4 16.0.0-dev interface
/// fixtures), from the configuration `config` (named `config_name` in the output), and returns the markdown.
/// `home` is selkie's cache directory.
pub fn abi_report(
    newer: Option<&Path>,
    home: &Path,
    config: &KernelConfig,
    config_name: &str,
) -> Result<String, Error> {
    let target = selkie_sys_gen::Target {
        arch: config.arch.arch().to_string(),
        sel4_arch: config.arch.sel4_arch().to_string(),
    };
    let generator = |e: selkie_sys_gen::Error| Error::Source(format!("the ABI report cannot read the tree: {e}"));
    let (root, tree) = match newer {
        Some(dir) => {
            let root = abi::tree_root(dir).map_err(generator)?;
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| root.display().to_string());
            (root, format!("the interface files of `{name}`"))
        }
        None => {
            let src = source::resolve(home)?;
            let tree = match &src.origin {
                source::Origin::Embedded => format!("the embedded seL4 {}", src.version()),
                source::Origin::User(p) => format!("the kernel tree {} (seL4 {})", p.display(), src.version()),
            };
            (src.root, tree)
        }
    };
    let title = format!("{tree}, from {config_name}");
    let report = abi::report(&root, &target, config, &title).map_err(generator)?;
    Ok(report.to_markdown())
}

/// The baseline configuration of `selkie abi-report` and its name in the output: the `selkie.toml` named by
/// `SELKIE_CONFIG`, else selkie's default configuration.
pub fn baseline_from_env() -> Result<(KernelConfig, String), Error> {
    let config = Config::from_env()?;
    let name = match std::env::var_os(selkie_kernel::env::CONFIG).filter(|p| !p.is_empty()) {
        Some(p) => format!("the configuration in {}", Path::new(&p).display()),
        None => DEFAULT_BASELINE.to_string(),
    };
    Ok((config.kernel, name))
}

/// How the output names selkie's default configuration.
pub const DEFAULT_BASELINE: &str = "selkie's default configuration";
