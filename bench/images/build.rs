//! Compiles the benchmark's C variant: `c/cost.c`, which times libsel4's own inline stubs, against libsel4's
//! headers from the kernel tree the bindings come from.
//!
//! libsel4's generated headers (invocation labels, syscall numbers, bitfield types, the invocation stubs) are
//! made here by libsel4's own Python generators, run with the pipeline's venv, into `OUT_DIR` (cargo keeps
//! them until the kernel source or configuration changes). Nothing of libsel4 is kept in the repository.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: selkie-bench-images: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=c/cost.c");
    let (source, config) = selkie_kernel::build_script_inputs().map_err(|e| e.to_string())?;
    let arch = config.arch;
    let home = selkie_kernel::selkie_home();
    let venv = selkie_kernel::build::python_venv(&home).map_err(|e| e.to_string())?;
    let python = venv.join("bin").join("python");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let gen = out.join("libsel4");
    let lib = source.root.join("libsel4");
    let (a, sa, plat) = (arch.arch(), arch.sel4_arch(), arch.plat());

    // The configuration header libsel4 reads (`<autoconf.h>`): the kernel's own, for this configuration.
    write(&gen.join("autoconf/autoconf.h"), &config.autoconf_h())?;

    let tools = lib.join("tools");
    let labels = |xml: PathBuf, dest: PathBuf, flag: Option<&str>| -> Result<(), String> {
        let mut cmd = Command::new(&python);
        cmd.arg(tools.join("invocation_header_gen.py"))
            .arg("--xml")
            .arg(xml)
            .arg("--libsel4");
        cmd.args(flag).arg("--dest").arg(mkparent(&dest)?);
        exec(&mut cmd, "invocation_header_gen.py")
    };
    labels(
        lib.join("include/interfaces/sel4.xml"),
        gen.join("include/sel4/invocation.h"),
        None,
    )?;
    labels(
        lib.join(format!("arch_include/{a}/interfaces/sel4arch.xml")),
        gen.join(format!("arch_include/{a}/sel4/arch/invocation.h")),
        Some("--arch"),
    )?;
    labels(
        lib.join(format!("sel4_arch_include/{sa}/interfaces/sel4arch.xml")),
        gen.join(format!("sel4_arch_include/{sa}/sel4/sel4_arch/invocation.h")),
        Some("--sel4_arch"),
    )?;
    exec(
        Command::new(&python)
            .arg(tools.join("syscall_header_gen.py"))
            .arg("--xml")
            .arg(source.root.join("include/api/syscall.xml"))
            .arg("--libsel4_header")
            .arg(mkparent(&gen.join("include/sel4/syscall.h"))?),
        "syscall_header_gen.py",
    )?;
    // Bitfield types: preprocessed with the configuration, then generated.
    let bitfields = |bf: PathBuf, extra_include: Option<PathBuf>, dest: PathBuf| -> Result<(), String> {
        let pbf = dest.with_extension("pbf");
        let mut cpp = Command::new("cpp");
        cpp.arg("-P").arg(format!("-I{}", gen.join("autoconf").display()));
        cpp.arg(format!("-I{}", lib.join("include").display()));
        if let Some(dir) = extra_include {
            cpp.arg(format!("-I{}", dir.display()));
        }
        cpp.arg(&bf).arg("-o").arg(mkparent(&pbf)?);
        exec(&mut cpp, "cpp")?;
        exec(
            Command::new(&python)
                // The kernel's copy, beside the `lex` module it imports.
                .arg(source.root.join("tools/bitfield_gen.py"))
                .args(["--environment", "libsel4"])
                .arg(&pbf)
                .arg(&dest),
            "bitfield_gen.py",
        )
    };
    bitfields(
        lib.join("include/sel4/types_64.bf"),
        None,
        gen.join("include/sel4/types_gen.h"),
    )?;
    bitfields(
        lib.join("include/sel4/shared_types_64.bf"),
        None,
        gen.join("include/sel4/shared_types_gen.h"),
    )?;
    bitfields(
        lib.join(format!("sel4_arch_include/{sa}/sel4/sel4_arch/types.bf")),
        Some(lib.join(format!("arch_include/{a}"))),
        gen.join(format!("sel4_arch_include/{sa}/sel4/sel4_arch/types_gen.h")),
    )?;
    exec(
        Command::new(&python)
            .arg(tools.join("syscall_stub_gen.py"))
            .args(["-a", sa, "-w", "64", "-o"])
            .arg(mkparent(&gen.join("include/interfaces/sel4_client.h"))?)
            .arg(lib.join(format!("sel4_arch_include/{sa}/interfaces/sel4arch.xml")))
            .arg(lib.join(format!("arch_include/{a}/interfaces/sel4arch.xml")))
            .arg(lib.join("include/interfaces/sel4.xml")),
        "syscall_stub_gen.py",
    )?;

    // The C variant, compiled for the root task's target with the optimisation level cargo hands the build
    // (the image's profile: opt-level "s").
    cc::Build::new()
        .file("c/cost.c")
        .include(gen.join("autoconf"))
        .include(gen.join("include"))
        .include(gen.join(format!("arch_include/{a}")))
        .include(gen.join(format!("sel4_arch_include/{sa}")))
        .include(lib.join("include"))
        .include(lib.join(format!("arch_include/{a}")))
        .include(lib.join(format!("sel4_arch_include/{sa}")))
        .include(lib.join(format!("sel4_plat_include/{plat}")))
        .flag("-ffreestanding")
        .flag("-fno-stack-protector")
        .flag("-fno-pic")
        .flag("-mno-red-zone")
        .flag("-mgeneral-regs-only")
        .flag("-w")
        .compile("selkie_bench_c");
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(mkparent(path)?, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Creates `path`'s directory; returns `path`.
fn mkparent(path: &Path) -> Result<&Path, String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    Ok(path)
}

fn exec(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("running {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
