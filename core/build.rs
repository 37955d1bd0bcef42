//! Puts selkie's root-task linker script, `selkie.ld`, on the linker's search path, so that a root task links
//! with `-C link-arg=-Tselkie.ld` (set once in the project's `.cargo/config.toml`), and sets
//! `cfg(selkie_debug_build)` when the kernel configuration in force (the one `selkie-sys` generates its
//! bindings for: `SELKIE_CONFIG` and cargo's profile) has debug facilities, and `cfg(selkie_uart_console)`
//! when a root task or program for aarch32 bare metal is built for a kernel without them: its runtime then
//! drives the board's UART from user space (`rt/arch/aarch32/uart.rs`).

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(selkie_debug_build)");
    println!("cargo::rustc-check-cfg=cfg(selkie_uart_console)");
    println!("cargo:rerun-if-env-changed={}", selkie_kernel::env::CONFIG);
    if let Some(p) = std::env::var_os(selkie_kernel::env::CONFIG).filter(|p| !p.is_empty()) {
        println!("cargo:rerun-if-changed={}", PathBuf::from(p).display());
    }
    // A broken selkie.toml is reported by selkie-sys (one clean error); here the default stands in.
    let kernel = selkie_kernel::Config::from_env_validated()
        .map(|c| c.kernel)
        .unwrap_or_default();
    if kernel.debug_build {
        println!("cargo:rustc-cfg=selkie_debug_build");
    }
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let bare_metal = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "none");
    // A separately built program (feature `program`) prints through the UART its parent maps for it.
    if arch == "arm" && bare_metal && !kernel.debug_build {
        println!("cargo:rustc-cfg=selkie_uart_console");
    }
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let script = manifest.join("link").join(format!("{arch}.ld"));
    println!("cargo:rerun-if-changed={}", script.display());
    if script.is_file() {
        std::fs::copy(&script, out.join("selkie.ld")).expect("copying the linker script into OUT_DIR");
        println!("cargo:rustc-link-search={}", out.display());
    }
}
