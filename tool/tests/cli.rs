//! The `selkie` command as a user runs it: `selkie qemu <example>` and `selkie run <image>` (cargo's runner).

use std::path::PathBuf;
use std::process::{Command, Output};

use selkie_tool::{build_root_tasks, repository_root, BuildOptions};

fn selkie() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_selkie"));
    c.env_remove("SELKIE_CONFIG");
    c
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The deliberately misbehaving root tasks of the harness's self-tests.
fn selftest_image(name: &str) -> PathBuf {
    let target = selkie_kernel::workspace_target_dir();
    let built = build_root_tasks(&BuildOptions {
        manifest: &repository_root().join("qemu-tests/images/Cargo.toml"),
        packages: &["selkie-qemu-selftest"],
        release: true,
        target_dir: &target.join("bare"),
        home: &target.join("selkie"),
        config: Some(&repository_root().join("qemu-tests/selkie.toml")),
    })
    .expect("selftest images build");
    built.into_iter().find(|t| t.name == name).expect("image built").path
}

#[test]
fn qemu_hello_prints_from_sel4_and_reuses_the_kernel_on_the_second_run() {
    for run in 0..2 {
        let out = selkie().args(["qemu", "hello"]).output().unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "run {run}\n{stdout}\n{stderr}");
        assert!(stdout.contains("Hello from seL4!"), "{stdout}");
        assert!(
            stdout.contains("untyped capabilities"),
            "the bootinfo summary is printed: {stdout}"
        );
        assert!(stdout.contains("free CNode slots"), "{stdout}");
        assert!(stdout.contains("IPC buffer at 0x"), "{stdout}");
        // Quiet: the root task's lines only, no firmware or kernel boot log; the summary names the whole log.
        for noise in ["SeaBIOS", "Booting all finished", "Boot config"] {
            assert!(!stdout.contains(noise), "{noise} shown on a successful run: {stdout}");
        }
        let log = stderr.split("full log: ").nth(1).expect("the summary names the log");
        let log = std::fs::read_to_string(log.trim_end().trim_end_matches(')')).unwrap();
        assert!(
            log.contains("Booting all finished") && log.contains("Hello from seL4!"),
            "the file has everything: {log}"
        );
        // Asked for, the boot log is shown as it arrives.
        if run == 1 {
            let out = selkie()
                .env("SELKIE_VERBOSE", "1")
                .args(["qemu", "hello"])
                .output()
                .unwrap();
            let (stdout, _) = text(&out);
            assert!(
                out.status.success() && stdout.contains("Booting all finished"),
                "{stdout}"
            );
        }
        if run == 1 {
            assert!(
                stderr.contains("cached, not rebuilt"),
                "the second run must not rebuild the kernel: {stderr}"
            );
        }
    }
}

#[test]
fn an_unknown_example_is_an_error_listing_the_examples() {
    let out = selkie().args(["qemu", "no-such-example"]).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("no example named `no-such-example`") && stderr.contains("hello"),
        "{stderr}"
    );
}

#[test]
fn a_panicking_root_task_prints_its_panic_and_fails() {
    let out = selkie()
        .arg("run")
        .arg(selftest_image("selftest_panic"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("about to panic"), "{stdout}");
    assert!(
        stdout.contains("root task panicked at") && stdout.contains("selftest_panic.rs:8:"),
        "{stdout}"
    );
    assert!(stdout.contains("deliberate root-task panic"), "{stdout}");
    assert!(stderr.contains("the root task reported failure"), "{stderr}");
    // A failed run shows the whole console log, the kernel's lines included.
    assert!(
        stdout.contains("the whole console log") && stdout.contains("Booting all finished"),
        "{stdout}"
    );
}

#[test]
fn a_hanging_root_task_is_killed_at_the_configured_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("selkie.toml");
    std::fs::write(&cfg, "[qemu]\ntimeout_secs = 3\n").unwrap();
    let image = selftest_image("selftest_hang");
    let out = selkie()
        .env("SELKIE_CONFIG", &cfg)
        .arg("run")
        .arg(image)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    // The image holds `#[selkie::test]`s, so `selkie run` (cargo's runner under `cargo test`) runs it
    // through the harness: the hanging test fails by name, and the run exits as a failed test binary does.
    assert_eq!(out.status.code(), Some(101), "{stdout}\n{stderr}");
    // QEMU ran for the configured 3 s (measured from its start), not the default 60 s: the runner names the
    // limit it applied. (No wall-clock bound here: a loaded machine or a first kernel build stretches it.)
    assert!(
        stdout.contains("selftest_hang::spins_forever: did not finish: timed out after 3.0 s"),
        "{stdout}"
    );
    let ok = |name: &str| {
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("test {name} ")) && l.ends_with("... ok"))
    };
    assert!(ok("selftest_hang::before_the_hang"), "{stdout}");
    // The kernel's last words are shown: its hand-over line is in the serial log of the failed test.
    assert!(stdout.contains("Booting all finished"), "{stdout}");
}

#[test]
fn an_invalid_configuration_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("selkie.toml");
    std::fs::write(&cfg, "[kernel]\nfsgsbase = \"inst\"\n").unwrap();
    let out = selkie()
        .env("SELKIE_CONFIG", &cfg)
        .args(["qemu", "hello"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("+fsgsbase"), "{stderr}");
    // The error names the file and the line that asks for it.
    assert!(
        stderr.contains(&format!("{} line 2: kernel.fsgsbase", cfg.display())),
        "{stderr}"
    );

    // A misspelt field: one line naming file, line and field, with the nearest field name.
    std::fs::write(&cfg, "[kernel]\nprinting = true\nroot_cnode_size_bit = 14\n").unwrap();
    let out = selkie()
        .env("SELKIE_CONFIG", &cfg)
        .args(["qemu", "hello"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr.trim_end(),
        format!(
            "selkie: error: selkie configuration: {} line 3: unknown field `root_cnode_size_bit` in [kernel]; \
             did you mean `root_cnode_size_bits`?",
            cfg.display()
        )
    );
}

/// `cargo build` of a root task (a crate depending on selkie-sys) with a mistake in its `selkie.toml`: the
/// build stops with the message once, as a compiler error, not inside "failed to run custom build command"
/// with the build script's `cargo:` lines.
#[test]
fn a_bad_selkie_toml_stops_a_cargo_build_with_one_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("selkie.toml");
    // A separate target directory: the bad configuration must not invalidate the other tests' builds.
    let target = selkie_kernel::workspace_target_dir();
    let build = |toml: &str| {
        std::fs::write(&cfg, toml).unwrap();
        let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(repository_root().join("examples"))
            .args(["build", "--package", "hello", "--target", "x86_64-unknown-none"])
            .env("CARGO_TARGET_DIR", target.join("bad-selkie-toml"))
            .env("SELKIE_HOME", selkie_kernel::home_in(&target))
            .env("SELKIE_CONFIG", &cfg)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    for (toml, message) in [
        (
            "[kernel]\nprinting = true\nroot_cnode_size_bit = 14\n",
            format!(
                "error: selkie configuration: {} line 3: unknown field `root_cnode_size_bit` in [kernel]; did you \
                 mean `root_cnode_size_bits`?\n",
                cfg.display()
            ),
        ),
        (
            "[kernel]\n\nroot_cnode_size_bits = 40\n",
            format!(
                "error: selkie configuration: {} line 3: kernel.root_cnode_size_bits = 40 is out of range: it must \
                 be in 8..=26\n",
                cfg.display()
            ),
        ),
    ] {
        let stderr = build(toml);
        assert_eq!(stderr.matches(&message).count(), 1, "{stderr}");
        // Nothing else: no second copy, no other error, no build-script failure with its cargo: lines.
        assert_eq!(stderr.matches("selkie configuration").count(), 1, "{stderr}");
        let errors = stderr.lines().filter(|l| l.starts_with("error")).count();
        assert_eq!(errors, 2, "the error and cargo's summary: {stderr}");
        assert!(stderr.contains("could not compile `selkie-sys`"), "{stderr}");
        assert!(
            !stderr.contains("custom build command") && !stderr.contains("cargo:"),
            "{stderr}"
        );
    }
}
