//! The harness's own tests: deliberately failing and hanging in-kernel tests must fail the run, by name, in
//! seconds.

use std::time::{Duration, Instant};

use selkie_kernel::{qemu::Outcome, Config};
use selkie_qemu_tests::{build_images, run_image, run_suite, Status};

fn selftest_config(timeout_secs: u64) -> Config {
    let mut c = Config::load(&selkie_qemu_tests::config_path()).unwrap();
    c.qemu.timeout_secs = timeout_secs;
    c
}

fn image(name: &str) -> selkie_tool::RootTask {
    let images = build_images("selkie-qemu-selftest").expect("selftest images build");
    images.into_iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no image {name}"))
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
    assert!(reason("selftest_fail::returns_an_error").contains("deliberate error"), "{}", run.log);
    let panicked = reason("selftest_fail::panics");
    assert!(panicked.contains("deliberate panic") && panicked.contains("selftest_fail.rs"), "{panicked}");
    assert!(reason("selftest_fail::after_the_panic").starts_with("not run"), "{}", run.log);
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
fn the_suite_runner_fails_cargo_test_for_failing_images() {
    let args = libtest_mimic::Arguments { test_threads: Some(1), quiet: true, ..Default::default() };
    let conclusion = run_suite("selkie-qemu-selftest", selftest_config(4), &args);
    // selftest_fail: 3 failing tests and 1 passing; selftest_hang: 1 hanging test and 1 passing; each of those
    // images' own `<image>` trial passes because their failures are already reported test by test.
    // selftest_panic holds no tests, so its panicking `main` fails its `<image>` trial.
    assert_eq!(conclusion.num_failed, 3 + 1 + 1, "{conclusion:?}");
    assert_eq!(conclusion.num_passed, 1 + 1 + 2, "{conclusion:?}");
    assert!(conclusion.has_failed());
}
