//! What a root-task image says about itself.
//!
//! selkie root tasks carry two ELF sections the host reads without running them:
//! - `.selkie.kconfig`: the kernel configuration (TOML) that `selkie-sys` generated its bindings from, so the
//!   runner boots exactly the kernel the image was compiled against;
//! - `.selkie.tests`: the names of the in-kernel tests an image holds, each terminated by a NUL byte, so the
//!   harness knows the expected tests from the image itself.

use std::path::Path;

use object::{Object, ObjectSection};

use crate::{Error, KernelConfig};

/// The section holding the kernel configuration TOML.
pub const KCONFIG_SECTION: &str = ".selkie.kconfig";
/// The section holding the in-kernel test names.
pub const TESTS_SECTION: &str = ".selkie.tests";

/// A root-task image's self-description.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageInfo {
    /// The kernel configuration the image was built against, if it carries one.
    pub kernel_config: Option<KernelConfig>,
    /// The in-kernel tests the image holds, in the order the image runs them.
    pub tests: Vec<String>,
}

/// Reads an image's self-description.
pub fn read(path: &Path) -> Result<ImageInfo, Error> {
    let bad = |message: String| Error::Image {
        path: path.to_path_buf(),
        message,
    };
    let data = std::fs::read(path).map_err(Error::io(format!("reading {}", path.display())))?;
    let file = object::File::parse(&*data).map_err(|e| bad(format!("not an ELF file: {e}")))?;
    let section = |name: &str| -> Result<Option<Vec<u8>>, Error> {
        match file.section_by_name(name) {
            None => Ok(None),
            Some(s) => s
                .data()
                .map(|d| Some(d.to_vec()))
                .map_err(|e| bad(format!("section {name}: {e}"))),
        }
    };
    let kernel_config = match section(KCONFIG_SECTION)? {
        None => None,
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim_end_matches('\0');
            let config: KernelConfig =
                toml::from_str(text).map_err(|e| bad(format!("section {KCONFIG_SECTION}: {e}")))?;
            Some(config.resolved())
        }
    };
    let tests = match section(TESTS_SECTION)? {
        None => Vec::new(),
        Some(bytes) => bytes
            .split(|b| *b == 0)
            .filter(|n| !n.is_empty())
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect(),
    };
    Ok(ImageInfo { kernel_config, tests })
}
