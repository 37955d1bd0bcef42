//! Helpers shared by the generator's host tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The embedded kernel tree, as the pipeline resolves it (`SELKIE_KERNEL_SOURCE`, else the `sel4-sys` 0.0.28
/// package fetched through cargo into selkie's cache).
pub fn kernel_root() -> PathBuf {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        selkie_kernel::source::resolve(&selkie_kernel::selkie_home())
            .unwrap_or_else(|e| panic!("cannot resolve the kernel source: {e}"))
            .root
    })
    .clone()
}

/// The newer-layout fixtures' `libsel4` directory: `SELKIE_FIXTURES`, else the `shared/` directory beside the
/// repository.
pub fn fixtures() -> PathBuf {
    let dir = match std::env::var_os("SELKIE_FIXTURES") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/sel4-16.0.0-dev/libsel4"),
    };
    assert!(
        dir.join("include/interfaces/object-api.xml").is_file(),
        "the seL4 16.0.0-dev interface fixtures are not at {}: put the shared/ directory beside the repository or \
         set SELKIE_FIXTURES to their libsel4 directory",
        dir.display()
    );
    dir
}

/// The default configuration: the `CONFIG_*` defines of selkie's default kernel config.
pub fn default_config() -> BTreeMap<String, String> {
    selkie_kernel::KernelConfig::default().defines()
}
