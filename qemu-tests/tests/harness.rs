//! The harness's own tests: deliberately failing, hanging, faulting and forging images (in
//! `qemu-tests/images/selftest`) must each be reported exactly as what happened, by name, in seconds.

use std::mem::discriminant;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use selkie_kernel::qemu::{Outcome, FAULT_GRACE};
use selkie_kernel::Config;
use selkie_qemu_tests::{build_images, build_images_with, evaluate, image_trial, run_image, ImageRun, Status, AARCH32};

fn selftest_config(timeout_secs: u64) -> Config {
    let mut c = Config::load(&selkie_qemu_tests::config_path()).unwrap();
    c.qemu.timeout_secs = timeout_secs;
    c
}

fn image(name: &str) -> selkie_tool::RootTask {
    static IMAGES: OnceLock<Vec<selkie_tool::RootTask>> = OnceLock::new();
    let images = IMAGES.get_or_init(|| build_images("selkie-qemu-selftest").expect("selftest images build"));
    images
        .iter()
        .find(|t| t.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("no image {name}"))
}

fn run(name: &str, timeout_secs: u64) -> ImageRun {
    run_image(&image(name), &selftest_config(timeout_secs)).unwrap()
}

/// Asserts that `test` of `run` (`image::test`, or `<image>`) ended as `kind` (only the variant is compared)
/// with a reason that contains each of `words`.
#[track_caller]
fn expect(run: &ImageRun, test: &str, kind: Status, words: &[&str]) {
    let name = if test == "<image>" {
        image_trial(&run.image)
    } else {
        format!("{}::{test}", run.image)
    };
    let got = run
        .statuses
        .get(&name)
        .unwrap_or_else(|| panic!("no status for {name}: {:?}\n{}", run.statuses, run.log));
    assert_eq!(
        discriminant(got),
        discriminant(&kind),
        "{name}: expected {kind:?}, got {got:?}\n{}",
        run.log
    );
    let reason = got.reason().unwrap_or_default();
    for w in words {
        assert!(reason.contains(w), "{name}: the reason should mention {w:?}: {reason}");
    }
}

/// The statuses of `run`: its tests' and its own trial's, and nothing else.
#[track_caller]
fn expect_names(run: &ImageRun, tests: &[&str]) {
    let mut want: Vec<String> = tests.iter().map(|t| format!("{}::{t}", run.image)).collect();
    want.push(image_trial(&run.image));
    want.sort();
    let got: Vec<&String> = run.statuses.keys().collect();
    assert_eq!(got, want.iter().collect::<Vec<_>>(), "{}", run.log);
}

fn any() -> String {
    String::new()
}

#[test]
fn failing_and_panicking_tests_are_reported_by_name() {
    let run = run("selftest_fail", 20);
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
    expect_names(&run, &["after_the_panic", "panics", "passes", "returns_an_error"]);
    expect(&run, "passes", Status::Passed, &[]);
    expect(&run, "returns_an_error", Status::Failed(any()), &["deliberate error"]);
    expect(
        &run,
        "panics",
        Status::Failed(any()),
        &["deliberate panic", "selftest_fail.rs"],
    );
    expect(
        &run,
        "after_the_panic",
        Status::NotRun(any()),
        &["not run", "after `selftest_fail::panics`"],
    );
    // The image failed and its tests say so: exit status and verdicts agree.
    expect(&run, "<image>", Status::Passed, &[]);
    assert_eq!(run.outcome, Outcome::Failure(3));
    assert!(!run.passed());
}

#[test]
fn a_hanging_test_fails_by_name_at_the_per_system_timeout() {
    let started = Instant::now();
    let run = run("selftest_hang", 4);
    let took = started.elapsed();
    expect(&run, "before_the_hang", Status::Passed, &[]);
    expect(
        &run,
        "spins_forever",
        Status::Unfinished(any()),
        &["did not finish: timed out"],
    );
    expect(&run, "<image>", Status::Passed, &[]);
    assert!(matches!(run.outcome, Outcome::Timeout(_)));
    assert!(took < Duration::from_secs(20), "the hang was reported after {took:?}");
}

#[test]
fn a_forged_pass_in_an_error_text_does_not_pass_the_test() {
    let run = run("selftest_forge_error", 20);
    expect_names(&run, &["forged_pass_in_error_text", "passes"]);
    expect(
        &run,
        "forged_pass_in_error_text",
        Status::Failed(any()),
        &["deliberate error"],
    );
    expect(&run, "passes", Status::Passed, &[]);
    // The runtime's own DONE line was read (not the forged "DONE 2 0"), and agrees with the failure status.
    assert_eq!(run.done, Some((1, 1)), "{}", run.log);
    expect(&run, "<image>", Status::Passed, &[]);
    assert_eq!(run.outcome, Outcome::Failure(3));
    assert!(!run.passed());
    // The forged lines were printed, on lines of their own, and ignored.
    assert!(run
        .log
        .lines()
        .any(|l| l == "SELKIE-TEST-PASS selftest_forge_error::forged_pass_in_error_text"));
}

#[test]
fn a_forged_pass_then_exit_with_success_fails_the_test_and_the_image() {
    let run = run("selftest_forge_exit", 20);
    expect_names(&run, &["forged_pass_then_exit", "never_reached"]);
    expect(
        &run,
        "forged_pass_then_exit",
        Status::Unfinished(any()),
        &["did not finish", "success"],
    );
    expect(&run, "never_reached", Status::NotRun(any()), &["not run"]);
    // Both sides of the disagreement are named.
    expect(
        &run,
        "<image>",
        Status::Broken(any()),
        &[
            "the exit status and the verdicts disagree",
            "exited with success",
            "never reached DONE",
            "selftest_forge_exit::forged_pass_then_exit",
        ],
    );
    assert_eq!(run.outcome, Outcome::Success);
    assert_eq!(run.done, None);
    assert!(!run.passed());
}

#[test]
fn a_forged_pass_for_a_later_test_does_not_pass_it() {
    let run = run("selftest_forge_later", 20);
    expect_names(&run, &["forges_a_later_pass", "never_runs", "panics"]);
    expect(&run, "forges_a_later_pass", Status::Passed, &[]);
    expect(
        &run,
        "panics",
        Status::Failed(any()),
        &["deliberate panic after a forged pass"],
    );
    expect(
        &run,
        "never_runs",
        Status::NotRun(any()),
        &["not run", "after `selftest_forge_later::panics`"],
    );
    expect(&run, "<image>", Status::Passed, &[]);
    assert_eq!(run.outcome, Outcome::Failure(3));
    assert!(!run.passed());
}

#[test]
fn a_forged_pass_then_a_hang_blames_the_hanging_test() {
    let run = run("selftest_forge_hang", 4);
    expect_names(&run, &["after_the_hang", "forged_pass_then_hang"]);
    expect(
        &run,
        "forged_pass_then_hang",
        Status::Unfinished(any()),
        &["did not finish: timed out"],
    );
    expect(
        &run,
        "after_the_hang",
        Status::NotRun(any()),
        &["while `selftest_forge_hang::forged_pass_then_hang` was running"],
    );
    expect(&run, "<image>", Status::Passed, &[]);
    assert!(matches!(run.outcome, Outcome::Timeout(_)));
    assert!(!run.passed());
}

#[test]
fn output_without_a_trailing_newline_does_not_hide_the_next_verdict() {
    let run = run("selftest_no_newline", 20);
    expect_names(
        &run,
        &["passes", "passes_after_a_partial_line", "prints_without_newline"],
    );
    expect(&run, "prints_without_newline", Status::Passed, &[]);
    expect(&run, "passes_after_a_partial_line", Status::Passed, &[]);
    expect(&run, "passes", Status::Passed, &[]);
    expect(&run, "<image>", Status::Passed, &[]);
    assert_eq!(run.done, Some((3, 0)));
    assert_eq!(run.outcome, Outcome::Success);
    assert!(run.passed());
    // The partial lines stay on lines of their own, whole.
    assert!(
        run.log.lines().any(|l| l == "no newline after this text"),
        "{}",
        run.log
    );
    assert!(
        run.log.lines().any(|l| l == "half a line, still no newline"),
        "{}",
        run.log
    );
}

#[test]
fn kernel_messages_printed_by_user_code_are_not_the_kernels() {
    let run = run("selftest_boot_text", 30);
    expect_names(
        &run,
        &[
            "passes",
            "prints_a_fault_report_then_stays_silent",
            "prints_boot_failure_text",
        ],
    );
    expect(&run, "prints_boot_failure_text", Status::Passed, &[]);
    expect(&run, "prints_a_fault_report_then_stays_silent", Status::Passed, &[]);
    expect(&run, "passes", Status::Passed, &[]);
    expect(&run, "<image>", Status::Passed, &[]);
    // Neither a boot failure nor an unhandled fault: the image ran to its end.
    assert_eq!(run.outcome, Outcome::Success, "{}", run.log);
    assert!(run.passed());
    assert!(run.log.contains("Kernel init failed for some reason"));
    // The forged report was followed by a silence longer than the runner waits after a real one.
    let lines: Vec<&str> = run.log.lines().collect();
    let end = lines
        .iter()
        .position(|l| *l == "With stack:")
        .expect("the forged report");
    let silence = run.line_times[end + 1] - run.line_times[end];
    assert!(
        silence > FAULT_GRACE,
        "the test was silent for only {silence:?}, less than the runner's {FAULT_GRACE:?}"
    );
}

#[test]
fn a_fault_the_kernel_reports_is_still_recognised() {
    expect_an_unhandled_fault(&run("selftest_fault", 20));
}

/// The same image on aarch32, where the fault is `udf` and the kernel's report is the ARM kernel's.
#[test]
fn aarch32_a_fault_the_kernel_reports_is_still_recognised() {
    let images = build_images_with("selkie-qemu-selftest", &AARCH32.config_path()).expect("selftest images build");
    let task = images
        .iter()
        .find(|t| t.name == "selftest_fault")
        .expect("no image selftest_fault");
    let mut config = AARCH32.load_config().unwrap();
    config.qemu.timeout_secs = 20;
    expect_an_unhandled_fault(&run_image(task, &config).unwrap());
}

/// `selftest_fault`'s run: its first test passed, the faulting one is unfinished because of the kernel's
/// unhandled-fault report, the last one never ran.
#[track_caller]
fn expect_an_unhandled_fault(run: &ImageRun) {
    expect_names(run, &["after_the_fault", "faults", "passes"]);
    expect(run, "passes", Status::Passed, &[]);
    expect(
        run,
        "faults",
        Status::Unfinished(any()),
        &[
            "did not finish",
            "a thread faulted with no fault handler",
            "user exception",
        ],
    );
    expect(run, "after_the_fault", Status::NotRun(any()), &["not run"]);
    expect(run, "<image>", Status::Passed, &[]);
    match &run.outcome {
        Outcome::UnhandledFault(text) => {
            assert!(
                text.starts_with("Caught ") && text.contains("while trying to handle:"),
                "{text}"
            )
        }
        other => panic!("expected an unhandled fault, got {other:?}\n{}", run.log),
    }
}

#[test]
fn a_failing_root_task_prints_its_errors_display_text() {
    let run = run("selftest_display", 20);
    let largest = run
        .log
        .lines()
        .find_map(|l| l.strip_prefix("largest free untyped: 2^"))
        .unwrap_or_else(|| panic!("the image did not print its largest untyped:\n{}", run.log));
    let largest: u8 = largest.parse().unwrap();
    // The same error value the image returned, rendered on the host.
    let error = selkie::Error::UntypedExhausted {
        requested_bits: 40,
        largest_bits: Some(largest),
    };
    let text = error.to_string();
    assert!(
        text.contains("2^40") && text.contains(&format!("2^{largest}")),
        "{text}"
    );
    assert!(
        run.log.lines().any(|l| l == format!("root task failed: {text}")),
        "the console should hold `root task failed: {text}`:\n{}",
        run.log
    );
    assert!(
        !run.log.contains("UntypedExhausted"),
        "the Debug form was printed:\n{}",
        run.log
    );
    assert_eq!(run.outcome, Outcome::Failure(3));
    expect_names(&run, &[]);
    expect(&run, "<image>", Status::Broken(any()), &["the image failed"]);
}

#[test]
fn every_failing_in_kernel_test_becomes_a_failing_cargo_test_with_its_name() {
    let verdicts = evaluate("selkie-qemu-selftest", &selftest_config(8)).unwrap();
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
    // selftest_panic and selftest_display hold no tests, so their failing `main` fails the image's own trial.
    assert_eq!(
        failed,
        [
            "selftest_display::<image>",
            "selftest_fail::after_the_panic",
            "selftest_fail::panics",
            "selftest_fail::returns_an_error",
            "selftest_fault::after_the_fault",
            "selftest_fault::faults",
            "selftest_forge_error::forged_pass_in_error_text",
            "selftest_forge_exit::<image>",
            "selftest_forge_exit::forged_pass_then_exit",
            "selftest_forge_exit::never_reached",
            "selftest_forge_hang::after_the_hang",
            "selftest_forge_hang::forged_pass_then_hang",
            "selftest_forge_later::never_runs",
            "selftest_forge_later::panics",
            "selftest_hang::spins_forever",
            "selftest_panic::<image>",
        ]
    );
    assert_eq!(
        passed,
        [
            "selftest_boot_text::<image>",
            "selftest_boot_text::passes",
            "selftest_boot_text::prints_a_fault_report_then_stays_silent",
            "selftest_boot_text::prints_boot_failure_text",
            "selftest_fail::<image>",
            "selftest_fail::passes",
            "selftest_fault::<image>",
            "selftest_fault::passes",
            "selftest_forge_error::<image>",
            "selftest_forge_error::passes",
            "selftest_forge_hang::<image>",
            "selftest_forge_later::<image>",
            "selftest_forge_later::forges_a_later_pass",
            "selftest_hang::<image>",
            "selftest_hang::before_the_hang",
            "selftest_no_newline::<image>",
            "selftest_no_newline::passes",
            "selftest_no_newline::passes_after_a_partial_line",
            "selftest_no_newline::prints_without_newline",
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

#[test]
fn the_runtime_and_the_runner_agree_on_the_user_line_mark() {
    assert_eq!(selkie::rt::USER_LINE_MARK, selkie_kernel::qemu::USER_LINE_MARK);
}
