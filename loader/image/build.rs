//! Embeds the kernel and the root task: their paths come from `SELKIE_LOADER_KERNEL` and
//! `SELKIE_LOADER_ROOT_TASK` (set by selkie-kernel's pipeline); both files are copied into `OUT_DIR`, where
//! `src/main.rs` includes them. Also links the image with `loader.ld`. Without the variables (clippy, a plain
//! `cargo build`) it embeds empty files, with a warning.

use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (var, name) in [
        ("SELKIE_LOADER_KERNEL", "kernel.elf"),
        ("SELKIE_LOADER_ROOT_TASK", "root_task.elf"),
    ] {
        println!("cargo:rerun-if-env-changed={var}");
        let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
            // Checked without a pair (clippy, a plain `cargo build`): nothing is embedded, and the loader
            // reports at boot that it has no ELF to place.
            println!("cargo:warning={var} is not set: the image embeds no {name} and cannot boot anything");
            std::fs::write(out.join(name), []).expect("writing into OUT_DIR");
            continue;
        };
        let path = Path::new(&path);
        println!("cargo:rerun-if-changed={}", path.display());
        if let Err(e) = std::fs::copy(path, out.join(name)) {
            panic!("{var}={}: {e}", path.display());
        }
    }
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed={}", dir.join("loader.ld").display());
    println!("cargo:rustc-link-arg=-T{}", dir.join("loader.ld").display());
}
