//! The compile-fail suites on aarch32: every architecture-neutral case must fail to compile there too, with the
//! same first error as its x86_64 `.stderr` snapshot, and the intended uses in `tests/pass/` must compile.
//!
//! trybuild always checks for the host, so this test builds the cases itself: each case becomes a binary of a
//! scratch crate that depends on `selkie` configured for the imx6 kernel (`qemu-tests/selkie-aarch32.toml`), and
//! `cargo check --target armv7-unknown-linux-gnueabihf` (the 32-bit ARM target with a standard library, as the
//! cases are host programs; `check` needs no linker) reports each binary's errors as JSON. The first error of a
//! case is compared with the first line of its snapshot; the rest of a snapshot names x86_64 sizes and paths.
//!
//! A case whose numbers are x86_64's object sizes (a TCB of 2 KiB, 32-byte CNode slots, three paging structures
//! of 4 KiB per page) would compile on aarch32, where the same memory is enough: its aarch32 counterpart, with
//! aarch32's sizes, is in `tests/aarch32/` under the same name (its `.stderr` holds the first line only), checked
//! here and not by trybuild.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Rust target the cases are checked for: 32-bit ARM words, `target_arch = "arm"`, a standard library.
const TARGET: &str = "armv7-unknown-linux-gnueabihf";

/// Cases that use what only x86_64 has, with the reason; they are checked on x86_64 only.
const X86_64_ONLY: &[(&str, &str)] = &[
    ("core/io_port_below_range", "I/O ports"),
    ("core/io_port_driver_outside_its_range", "I/O ports"),
    ("core/io_port_narrow_cannot_widen", "I/O ports"),
    ("core/io_port_outside_range", "I/O ports"),
    ("core/irq_ack_unbound_handler", "its handler comes from an IOAPIC pin"),
    (
        "core/tcb_fault_endpoint_not_in_thread_cspace",
        "its thread's VSpace is a PML4",
    ),
];

/// Cases sized for x86_64's objects, each with a counterpart of the same name in `tests/aarch32/`.
const X86_64_SIZES: &[&str] = &[
    "retype_cnode_too_small",
    "retype_multi_too_many_for_memory",
    "retype_untyped_too_small_for_tcb",
    "vspace_too_few_paging_slots",
    "vspace_too_little_paging_memory",
];

/// A first error line with rustc's long-type elision undone: rustc shortens a long type (`UInt<UInt<...>>`)
/// depending on the length of the whole message, which differs between the two runs, so the comparison stops
/// at the first generic argument list of such a type.
fn comparable(line: &str) -> &str {
    match line.find("UInt<") {
        Some(i) => &line[..i],
        None => line,
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `tests/<suite>/*.rs` case as (`<suite>/<name>`, path), sorted.
fn cases(suite: &str) -> Vec<(String, PathBuf)> {
    let dir = manifest_dir().join("tests").join(suite);
    let mut out: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| (format!("{suite}/{}", p.file_stem().unwrap().to_str().unwrap()), p))
        .collect();
    out.sort();
    out
}

/// The binary name a case gets in the scratch crate.
fn bin_name(case: &str) -> String {
    case.replace('/', "__")
}

/// Writes the scratch crate with one binary per case and returns its directory.
fn scratch_crate(cases: &[(String, PathBuf)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-fail-aarch32");
    let bins = dir.join("src").join("bin");
    let _ = fs::remove_dir_all(&bins);
    fs::create_dir_all(&bins).unwrap();
    let core = manifest_dir().join("..").join("core");
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"selkie-compile-fail-aarch32\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\nselkie = {{ path = {:?} }}\n\n[workspace]\n",
            core.canonicalize().unwrap()
        ),
    )
    .unwrap();
    // The workspace's lockfile, so the cases are checked against the same dependency versions.
    fs::copy(manifest_dir().join("..").join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for (case, path) in cases {
        fs::copy(path, bins.join(format!("{}.rs", bin_name(case)))).unwrap();
    }
    dir
}

/// Checks every binary of the scratch crate for aarch32 and returns each binary's rendered errors (in the form
/// of a snapshot's first line: `error[E0277]: message`), in the order rustc reported them.
fn check(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let config = manifest_dir().join("..").join("qemu-tests").join("selkie-aarch32.toml");
    let out = Command::new(env!("CARGO"))
        .current_dir(dir)
        .env("SELKIE_CONFIG", config)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("CARGO_BUILD_TARGET")
        .args([
            "check",
            "--quiet",
            "--bins",
            "--keep-going",
            "--message-format=json",
            "--target",
            TARGET,
        ])
        .output()
        .expect("running cargo check");
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-message" || msg["message"]["level"] != "error" {
            continue;
        }
        let Some(bin) = msg["target"]["name"].as_str() else {
            continue;
        };
        let text = msg["message"]["message"].as_str().unwrap_or_default();
        let rendered = match msg["message"]["code"]["code"].as_str() {
            Some(code) => format!("error[{code}]: {text}"),
            None => format!("error: {text}"),
        };
        errors.entry(bin.to_string()).or_default().push(rendered);
    }
    // A dependency that fails to build for aarch32 fails every case the same way: say so instead.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr
            .lines()
            .any(|l| l.contains("could not compile") && l.contains("(lib)")),
        "a library the cases use does not build for {TARGET}:\n{stderr}"
    );
    errors
}

#[test]
fn the_compile_fail_suites_fail_the_same_way_on_aarch32() {
    selkie_kernel::prereq::ensure_rust_target(TARGET, &manifest_dir()).expect("adding the ARM standard library");
    let skipped = |case: &str| {
        X86_64_ONLY.iter().any(|(c, _)| *c == case) || X86_64_SIZES.iter().any(|c| format!("core/{c}") == case)
    };
    let failing: Vec<_> = ["core", "entry", "rt", "aarch32"]
        .into_iter()
        .flat_map(cases)
        .filter(|(case, _)| !skipped(case))
        .collect();
    let passing: Vec<_> = cases("pass");
    let named = X86_64_ONLY.iter().map(|(c, _)| c.to_string());
    for case in named.chain(X86_64_SIZES.iter().map(|c| format!("core/{c}"))) {
        let path = manifest_dir().join("tests").join(format!("{case}.rs"));
        assert!(path.is_file(), "{case} is listed as x86_64-only but is not a case");
    }
    for case in X86_64_SIZES {
        let path = manifest_dir().join("tests").join("aarch32").join(format!("{case}.rs"));
        assert!(
            path.is_file(),
            "core/{case} has no aarch32 counterpart at {}",
            path.display()
        );
    }
    let all: Vec<_> = failing.iter().chain(&passing).cloned().collect();
    let errors = check(&scratch_crate(&all));

    let mut wrong = Vec::new();
    for (case, path) in &failing {
        let snapshot = fs::read_to_string(path.with_extension("stderr")).unwrap();
        let expected = snapshot.lines().next().unwrap_or_default().trim_end();
        match errors.get(&bin_name(case)).and_then(|e| e.first()) {
            Some(first) if comparable(first) == comparable(expected) => {}
            Some(first) => wrong.push(format!("{case}: first error\n    {first}\n  expected\n    {expected}")),
            None => wrong.push(format!("{case}: compiles on aarch32 (expected `{expected}`)")),
        }
    }
    for (case, _) in &passing {
        if let Some(errors) = errors.get(&bin_name(case)) {
            wrong.push(format!(
                "{case}: an intended use does not compile on aarch32:\n    {}",
                errors.join("\n    ")
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases differ on aarch32:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
}
