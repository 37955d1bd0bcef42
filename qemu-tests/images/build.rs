//! Builds the separately built programs the test images embed: `programs/report` becomes the executable at
//! `env!("SELKIE_PROGRAM_REPORT")`, `programs/child` the one at `env!("SELKIE_PROGRAM_CHILD")` (see
//! selkie_build), each built for the target the images are built for (x86_64 or aarch32).
//!
//! Two packages run this script: the images' own (whose directory holds `programs/`) and the `aarch32` one,
//! one directory down.

use std::path::PathBuf;

fn main() {
    let package = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let images = if package.join("programs").is_dir() {
        package
    } else {
        package.join("..")
    };
    let programs = [
        ("programs/report", "report", "SELKIE_PROGRAM_REPORT"),
        ("programs/child", "child", "SELKIE_PROGRAM_CHILD"),
    ];
    for (dir, bin, env) in programs {
        if let Err(e) = selkie_build::embed_program(images.join(dir), bin, env) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
