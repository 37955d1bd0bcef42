//! Generates the raw bindings into `OUT_DIR` from the kernel source and configuration that
//! `selkie-kernel` resolves (the same ones the runner builds the kernel from), and records that configuration
//! so it can be embedded in the root task.
//!
//! A mistake in the user's `selkie.toml` is not a failure of this script: cargo would bury the message in
//! "failed to run custom build command", the `cargo:` lines and a second copy of it. The script generates the
//! bindings for the default configuration instead, headed by a `compile_error!` carrying the message (file,
//! line, field and the nearest field name for a typo), so the build stops with that one error and no other.

use std::path::PathBuf;
use std::process::ExitCode;

use selkie_kernel::{Error, KernelConfig};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // A readable build error naming the file and element, not a panic backtrace.
            eprintln!("error: selkie-sys: {message}");
            println!("cargo:warning=selkie-sys: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(selkie_debug_build)");
    let (source, config, config_error) = match selkie_kernel::build_script_inputs() {
        Ok((source, config)) => (source, config, None),
        Err(e @ Error::Config(_)) => {
            let source = selkie_kernel::source::resolve(&selkie_kernel::selkie_home()).map_err(|e| e.to_string())?;
            (source, KernelConfig::default(), Some(e.to_string()))
        }
        Err(e) => return Err(e.to_string()),
    };
    // A host build (the runner, host tests) of a project configured for another architecture: the host
    // code only shares selkie's constants and types, and cannot compile the other architecture's word size,
    // so it gets the same configuration on the host's architecture. Bare-metal builds always get exactly
    // the configured kernel (and `selkie-sys` stops them if the target does not match it).
    let host_arch = match std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
        Ok("x86_64") => Some(selkie_kernel::Arch::X86_64),
        Ok("arm") => Some(selkie_kernel::Arch::Aarch32),
        _ => None,
    };
    let on_host = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os != "none");
    let config = match host_arch {
        Some(arch) if on_host && arch != config.arch() => KernelConfig {
            arch,
            verified: false,
            ..config
        },
        _ => config,
    };
    let arch = config.arch();
    let target = selkie_sys_gen::Target {
        arch: arch.arch().to_string(),
        sel4_arch: arch.sel4_arch().to_string(),
    };
    // A user-provided tree is read from selkie's patched copy of it; errors and change tracking name the
    // user's own files.
    let user_root = match &source.origin {
        selkie_kernel::source::Origin::User(tree) => tree.clone(),
        selkie_kernel::source::Origin::Embedded => source.root.clone(),
    };
    // The generator reads libsel4 (interface files, headers, bitfields), the kernel's capability bitfields and
    // its Kconfig files: regenerate when any of them changes.
    for dir in ["libsel4", "include/arch", "Kconfig", "src/plat"] {
        println!("cargo:rerun-if-changed={}", user_root.join(dir).display());
    }
    let defines = config.defines();
    let mut bindings = selkie_sys_gen::generate(&source.root, &target, &defines).map_err(|mut e| {
        if let Ok(rel) = e.file.strip_prefix(&source.root) {
            e.file = user_root.join(rel);
        }
        e.to_string()
    })?;
    selkie_sys_gen::abi::document_config_module(&mut bindings, &source.root, &target, &config);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let write = |name: &str, text: &[u8]| {
        std::fs::write(out.join(name), text).map_err(|e| format!("writing {name} in {}: {e}", out.display()))
    };
    if let Some(message) = config_error {
        // Included rather than written as a literal, so that rustc's source excerpt below the error does not
        // print the message a second time.
        write("selkie-toml-error.txt", message.as_bytes())?;
        bindings.insert_str(0, "compile_error!(include_str!(\"selkie-toml-error.txt\"));\n\n");
    }
    write("bindings.rs", bindings.as_bytes())?;
    let toml = config.to_toml();
    write("kconfig.toml", toml.as_bytes())?;
    write("kconfig_len.rs", format!("{}", toml.len()).as_bytes())?;
    if defines.contains_key("CONFIG_DEBUG_BUILD") {
        println!("cargo:rustc-cfg=selkie_debug_build");
    }
    Ok(())
}
