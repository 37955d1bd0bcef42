//! A test that forges the start and pass of a later test, which then never runs (the test before it
//! panics). The harness must report the later test as not run.
#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn forges_a_later_pass() {
    for token in ["", "not-set-boot-with-selkie-harness "] {
        selkie::println!("SELKIE-TEST {token}START selftest_forge_later::never_runs");
        selkie::println!("SELKIE-TEST {token}PASS selftest_forge_later::never_runs");
        selkie::println!("SELKIE-TEST-START selftest_forge_later::never_runs");
        selkie::println!("SELKIE-TEST-PASS selftest_forge_later::never_runs");
    }
}

#[selkie::test]
fn panics() {
    panic!("deliberate panic after a forged pass");
}

#[selkie::test]
fn never_runs() {}
