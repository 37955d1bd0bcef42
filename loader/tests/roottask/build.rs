//! Links the root tasks with `roottask.ld` (image at 0x10000).
fn main() {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed={}", dir.join("roottask.ld").display());
    println!("cargo:rustc-link-arg=-T{}", dir.join("roottask.ld").display());
}
