//! Puts selkie's root-task linker script, `selkie.ld`, on the linker's search path, so that a root task links
//! with `-C link-arg=-Tselkie.ld` (set once in the project's `.cargo/config.toml`).

use std::path::PathBuf;

fn main() {
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let script = manifest.join("link").join(format!("{arch}.ld"));
    println!("cargo:rerun-if-changed={}", script.display());
    if script.is_file() {
        std::fs::copy(&script, out.join("selkie.ld")).expect("copying the linker script into OUT_DIR");
        println!("cargo:rustc-link-search={}", out.display());
    }
}
