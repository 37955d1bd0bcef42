//! The harness's own tests: deliberately failing and hanging in-kernel tests must fail the run, by name, in
//! seconds.

use std::time::{Duration, Instant};

use selkie_kernel::{qemu::Outcome, Config};
use selkie_qemu_tests::{build_images, evaluate, run_image, Status};

fn selftest_config(timeout_secs: u64) -> Config {
    let mut c = Config::load(&selkie_qemu_tests::config_path()).unwrap();
    c.qemu.timeout_secs = timeout_secs;
    c
}

fn image(name: &str) -> selkie_tool::RootTask {
    let images = build_images("selkie-qemu-selftest").expect("selftest images build");
    images
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no image {name}"))
}

#[test]
fn failing_and_panicking_tests_are_reported_by_name() {
    let run = run_image(&image("selftest_fail"), &selftest_config(20)).unwrap();
    let mut expected = run.expected.clone();
    expected.sort();
    assert_eq!(
        expected,
        [
            "selftest_fail::after_the_panic",
            "selftest_fail::panics",
            "selftest_fail::passes",
            "selftest_fail::returns_an_error",
        ],
        "the expected tests come from the image itself"
    );
    assert_eq!(run.statuses["selftest_fail::passes"], Status::Passed);
    let reason = |n: &str| match &run.statuses[n] {
        Status::Failed(r) => r.clone(),
        Status::Passed => panic!("{n} passed:\n{}", run.log),
    };
    assert!(
        reason("selftest_fail::returns_an_error").contains("deliberate error"),
        "{}",
        run.log
    );
    let panicked = reason("selftest_fail::panics");
    assert!(
        panicked.contains("deliberate panic") && panicked.contains("selftest_fail.rs"),
        "{panicked}"
    );
    assert!(
        reason("selftest_fail::after_the_panic").starts_with("not run"),
        "{}",
        run.log
    );
    assert_eq!(run.outcome, Outcome::Failure(3));
}

#[test]
fn a_hanging_test_fails_by_name_at_the_per_system_timeout() {
    let started = Instant::now();
    let run = run_image(&image("selftest_hang"), &selftest_config(4)).unwrap();
    let took = started.elapsed();
    assert_eq!(run.statuses["selftest_hang::before_the_hang"], Status::Passed);
    match &run.statuses["selftest_hang::spins_forever"] {
        Status::Failed(r) => assert!(r.starts_with("did not finish: timed out"), "{r}"),
        Status::Passed => panic!("a hanging test passed"),
    }
    assert!(matches!(run.outcome, Outcome::Timeout(_)));
    assert!(took < Duration::from_secs(20), "the hang was reported after {took:?}");
}

#[test]
fn every_failing_in_kernel_test_becomes_a_failing_cargo_test_with_its_name() {
    let verdicts = evaluate("selkie-qemu-selftest", &selftest_config(4)).unwrap();
    let mut failed: Vec<&str> = verdicts
        .iter()
        .filter(|(_, v)| v.is_err())
        .map(|(n, _)| n.as_str())
        .collect();
    let mut passed: Vec<&str> = verdicts
        .iter()
        .filter(|(_, v)| v.is_ok())
        .map(|(n, _)| n.as_str())
        .collect();
    failed.sort();
    passed.sort();
    // selftest_panic holds no tests, so its panicking `main` fails the image's own trial.
    assert_eq!(
        failed,
        [
            "selftest_fail::after_the_panic",
            "selftest_fail::panics",
            "selftest_fail::returns_an_error",
            "selftest_hang::spins_forever",
            "selftest_panic::<image>",
        ]
    );
    assert_eq!(
        passed,
        [
            "selftest_fail::<image>",
            "selftest_fail::passes",
            "selftest_hang::<image>",
            "selftest_hang::before_the_hang"
        ]
    );
    for (name, v) in &verdicts {
        if let Err(msg) = v {
            assert!(msg.starts_with(name.as_str()), "the failure names its test: {msg}");
            assert!(
                msg.contains("--- serial log of"),
                "the failure carries the serial log: {msg}"
            );
        }
    }
}
