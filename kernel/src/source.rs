//! Where the kernel source comes from.
//!
//! By default the source is the seL4 5.0.0 tree inside the crates.io package `sel4-sys` `=0.0.28`. It is
//! obtained through cargo only (a throw-away manifest and `cargo fetch`), unpacked from cargo's registry cache
//! into a private copy under selkie's cache directory, and patched there; the package's own Rust code is never
//! compiled. `SELKIE_KERNEL_SOURCE` names a user-provided tree instead, which is copied before it is patched.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// The crates.io package that carries the embedded kernel source.
pub const EMBEDDED_PACKAGE: &str = "sel4-sys";
/// Its exact version.
pub const EMBEDDED_PACKAGE_VERSION: &str = "0.0.28";
/// The seL4 version inside it.
pub const EMBEDDED_KERNEL_VERSION: &str = "5.0.0";
/// Bumped whenever [`patch`] changes, so that patched copies are refreshed.
const PATCH_LEVEL: u32 = 2;

/// A patched kernel source tree, ready to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelSource {
    /// The tree's root (the directory holding the kernel's `Makefile` and `libsel4/`).
    pub root: PathBuf,
    /// Where it came from.
    pub origin: Origin,
    /// A stable identity of the source content, part of the build cache key.
    pub identity: String,
}

/// Where a [`KernelSource`] came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The seL4 tree embedded in the `sel4-sys` package.
    Embedded,
    /// A user-provided tree (`SELKIE_KERNEL_SOURCE`), at this path.
    User(PathBuf),
}

impl KernelSource {
    /// The kernel version the tree declares in its `VERSION` file.
    pub fn version(&self) -> String {
        fs::read_to_string(self.root.join("VERSION"))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// What selkie can build today, for error messages.
pub const SUPPORTED_LAYOUTS: &str = "selkie builds kernel trees with the standalone-Makefile layout of seL4 \
    2.x-9.x (a top-level `Makefile` with SEL4_ARCH_LIST, `libsel4/include/interfaces/sel4.xml`, \
    `include/plat/pc99/autoconf.h`, `tools/circular_includes.py`), such as the embedded seL4 5.0.0. CMake-based \
    trees (seL4 10 and later, with `object-api.xml` interface files) are not supported for building yet.";

/// Resolves the kernel source: `SELKIE_KERNEL_SOURCE` if set, else the embedded tree, unpacked and patched
/// under `home`.
pub fn resolve(home: &Path) -> Result<KernelSource, Error> {
    let home = &std::path::absolute(home).map_err(Error::io(format!("resolving {}", home.display())))?;
    match std::env::var_os(crate::env::KERNEL_SOURCE).filter(|v| !v.is_empty()) {
        Some(p) => user_source(Path::new(&p), home),
        None => embedded_source(home),
    }
}

/// The embedded seL4 tree, unpacked (once) under `home/src/`.
pub fn embedded_source(home: &Path) -> Result<KernelSource, Error> {
    let name = format!("{EMBEDDED_PACKAGE}-{EMBEDDED_PACKAGE_VERSION}-p{PATCH_LEVEL}");
    let dest = home.join("src").join(&name);
    let root = dest.join("seL4");
    if !root.join(".selkie-patched").is_file() {
        let krate = find_or_fetch_crate(home)?;
        let tmp = unique_tmp(&dest);
        unpack_crate(&krate, &tmp)?;
        let unpacked = tmp.join(format!("{EMBEDDED_PACKAGE}-{EMBEDDED_PACKAGE_VERSION}"));
        fs::rename(&unpacked, tmp.join("pkg")).map_err(Error::io("renaming the unpacked package"))?;
        let tree = tmp.join("pkg").join("seL4");
        patch(&tree)?;
        publish(&tmp.join("pkg"), &dest)?;
        let _ = fs::remove_dir_all(&tmp);
    }
    Ok(KernelSource {
        root,
        origin: Origin::Embedded,
        identity: name,
    })
}

/// A user-provided tree: checked for a layout selkie can build, then copied under `home/src/` and patched.
pub fn user_source(path: &Path, home: &Path) -> Result<KernelSource, Error> {
    let path = path
        .canonicalize()
        .map_err(|e| Error::Source(format!("{}={}: {e}", crate::env::KERNEL_SOURCE, path.display())))?;
    // Accept both the kernel tree itself and a directory (such as an unpacked sel4-sys) holding `seL4/`.
    let tree = if path.join("seL4").join("Makefile").is_file() {
        path.join("seL4")
    } else {
        path.clone()
    };
    check_layout(&tree)?;
    let identity = format!("user-{}", tree_hash(&tree)?);
    let dest = home.join("src").join(&identity);
    let root = dest.join("seL4");
    if !root.join(".selkie-patched").is_file() {
        let tmp = unique_tmp(&dest);
        copy_tree(&tree, &tmp.join("pkg").join("seL4"))?;
        patch(&tmp.join("pkg").join("seL4"))?;
        publish(&tmp.join("pkg"), &dest)?;
        let _ = fs::remove_dir_all(&tmp);
    }
    Ok(KernelSource {
        root,
        origin: Origin::User(tree),
        identity,
    })
}

/// Checks that `tree` has the layout selkie can build, explaining what it found otherwise.
pub fn check_layout(tree: &Path) -> Result<(), Error> {
    let has = |p: &str| tree.join(p).exists();
    if has("Makefile")
        && has("libsel4/include/interfaces/sel4.xml")
        && has("tools/circular_includes.py")
        && has("include/plat/pc99")
    {
        return Ok(());
    }
    let what = if has("CMakeLists.txt") && has("libsel4/include/interfaces/object-api.xml") {
        "it is a CMake-based seL4 tree (seL4 10 or later)".to_string()
    } else if has("CMakeLists.txt") {
        "it has a CMakeLists.txt but no standalone Makefile".to_string()
    } else {
        let missing: Vec<&str> = [
            "Makefile",
            "libsel4/include/interfaces/sel4.xml",
            "tools/circular_includes.py",
        ]
        .into_iter()
        .filter(|p| !has(p))
        .collect();
        format!(
            "it does not look like an seL4 kernel tree (missing {})",
            missing.join(", ")
        )
    };
    Err(Error::Source(format!(
        "{} cannot be built: {what}. {SUPPORTED_LAYOUTS}",
        tree.display()
    )))
}

/// Applies selkie's fixes to a private copy of the kernel tree.
///
/// gcc 10 and later write a `# 0 "kernel_all.c"` line marker before `# 1 ...`; the kernel's
/// `circular_includes.py` only skips the `# 1` form and fails with an `IndexError`. The fix accepts both.
///
/// On x86_64 the kernel returns to a pending interrupt (one taken while it polled for more after handling an
/// interrupt) by rounding its stack pointer up to the end of `kernel_stack_alloc`, which needs the stack aligned
/// to its size; seL4 5.0 aligns it to 16 bytes only, so two interrupts at once sent the kernel's stack into the
/// data after it (the IDT) and crashed it. The fix aligns the stack to its size, where the tree has that line.
fn patch(tree: &Path) -> Result<(), Error> {
    let stack = tree.join("include/arch/x86/arch/64/mode/kernel/stack.h");
    if let Ok(text) = fs::read_to_string(&stack) {
        let old = "#define KERNEL_STACK_ALIGNMENT 16\n";
        let new = "#define KERNEL_STACK_ALIGNMENT BIT(CONFIG_KERNEL_STACK_BITS)\n";
        if text.contains(old) {
            fs::write(&stack, text.replace(old, new)).map_err(Error::io(format!("patching {}", stack.display())))?;
        }
    }
    let script = tree.join("tools/circular_includes.py");
    let text = fs::read_to_string(&script).map_err(Error::io(format!("reading {}", script.display())))?;
    let old = r#"r'^# 1 "kernel_all\.c"'"#;
    let new = r#"r'^# [01] "kernel_all\.c"'"#;
    if !text.contains(new) {
        if !text.contains(old) {
            return Err(Error::Source(format!(
                "{}: the line-marker pattern selkie patches was not found; {SUPPORTED_LAYOUTS}",
                script.display()
            )));
        }
        fs::write(&script, text.replace(old, new)).map_err(Error::io(format!("patching {}", script.display())))?;
    }
    fs::write(tree.join(".selkie-patched"), format!("patch level {PATCH_LEVEL}\n"))
        .map_err(Error::io("marking the patched tree"))
}

/// Finds `sel4-sys-0.0.28.crate` in cargo's registry cache, running `cargo fetch` on a throw-away manifest
/// first if it is not there.
fn find_or_fetch_crate(home: &Path) -> Result<PathBuf, Error> {
    if let Some(p) = find_cached_crate() {
        return Ok(p);
    }
    let dir = home.join("fetch");
    fs::create_dir_all(dir.join("src")).map_err(Error::io(format!("creating {}", dir.display())))?;
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "# Throw-away manifest: makes cargo download the package that carries the seL4 source.\n\
             [package]\nname = \"selkie-kernel-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             [dependencies]\n{EMBEDDED_PACKAGE} = \"={EMBEDDED_PACKAGE_VERSION}\"\n[workspace]\n"
        ),
    )
    .map_err(Error::io("writing the fetch manifest"))?;
    fs::write(dir.join("src/lib.rs"), "").map_err(Error::io("writing the fetch manifest"))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .arg("fetch")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .map_err(Error::io("running `cargo fetch` for the kernel source"))?;
    if !out.status.success() {
        return Err(Error::Source(format!(
            "`cargo fetch` of {EMBEDDED_PACKAGE} ={EMBEDDED_PACKAGE_VERSION} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    find_cached_crate().ok_or_else(|| {
        Error::Source(format!(
            "cargo fetched {EMBEDDED_PACKAGE} {EMBEDDED_PACKAGE_VERSION} but its .crate file is not in {}",
            cargo_home().join("registry/cache").display()
        ))
    })
}

fn cargo_home() -> PathBuf {
    if let Some(h) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    home.join(".cargo")
}

fn find_cached_crate() -> Option<PathBuf> {
    let file = format!("{EMBEDDED_PACKAGE}-{EMBEDDED_PACKAGE_VERSION}.crate");
    let cache = cargo_home().join("registry").join("cache");
    fs::read_dir(cache)
        .ok()?
        .flatten()
        .map(|e| e.path().join(&file))
        .find(|p| p.is_file())
}

fn unpack_crate(krate: &Path, dest: &Path) -> Result<(), Error> {
    let f = fs::File::open(krate).map_err(Error::io(format!("opening {}", krate.display())))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(f));
    archive
        .unpack(dest)
        .map_err(Error::io(format!("unpacking {}", krate.display())))
}

/// A fresh sibling of `dest` for building into before an atomic rename.
pub(crate) fn unique_tmp(dest: &Path) -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("x");
    dest.with_file_name(format!(".{name}.tmp-{}-{stamp}", std::process::id()))
}

/// Moves a finished directory into place. Only complete directories are ever moved there, so when a
/// concurrent process got there first its copy is kept and ours is dropped.
pub(crate) fn publish(from: &Path, dest: &Path) -> Result<(), Error> {
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent).map_err(Error::io(format!("creating {}", parent.display())))?;
    }
    if dest.exists() {
        let _ = fs::remove_dir_all(from);
        return Ok(());
    }
    match fs::rename(from, dest) {
        Ok(()) => Ok(()),
        Err(_) if dest.exists() => {
            let _ = fs::remove_dir_all(from);
            Ok(())
        }
        Err(e) => Err(Error::io(format!("moving {} into place", dest.display()))(e)),
    }
}

/// Copies a directory tree (regular files and directories).
pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.map_err(|e| Error::Source(format!("reading {}: {e}", from.display())))?;
        let rel = entry.path().strip_prefix(from).expect("walkdir stays under its root");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).map_err(Error::io(format!("creating {}", target.display())))?;
        } else if entry.file_type().is_file() {
            fs::copy(entry.path(), &target).map_err(Error::io(format!("copying {}", entry.path().display())))?;
        }
    }
    Ok(())
}

/// A content hash of every regular file under `tree` (paths and bytes), skipping version-control metadata.
fn tree_hash(tree: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let walk = walkdir::WalkDir::new(tree)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git");
    for entry in walk {
        let entry = entry.map_err(|e| Error::Source(format!("reading {}: {e}", tree.display())))?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(tree).expect("walkdir stays under its root");
            h.update(rel.to_string_lossy().as_bytes());
            h.update([0]);
            h.update(fs::read(entry.path()).map_err(Error::io(format!("reading {}", entry.path().display())))?);
        }
    }
    Ok(hex(&h.finalize()[..8]))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmake_era_trees_are_named_with_the_supported_layouts() {
        let d = std::env::temp_dir().join(format!("selkie-layout-{}", std::process::id()));
        fs::create_dir_all(d.join("libsel4/include/interfaces")).unwrap();
        fs::write(d.join("CMakeLists.txt"), "").unwrap();
        fs::write(d.join("libsel4/include/interfaces/object-api.xml"), "").unwrap();
        let e = check_layout(&d).unwrap_err().to_string();
        assert!(e.contains("CMake-based seL4 tree"), "{e}");
        assert!(e.contains("standalone-Makefile layout"), "{e}");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_empty_directory_names_what_is_missing() {
        let d = std::env::temp_dir().join(format!("selkie-empty-{}", std::process::id()));
        fs::create_dir_all(&d).unwrap();
        let e = check_layout(&d).unwrap_err().to_string();
        assert!(e.contains("missing Makefile"), "{e}");
        fs::remove_dir_all(&d).unwrap();
    }
}
