//! A test that forges its own pass and then hangs. The harness must blame this test (unfinished at the
//! timeout), not the next one.
#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn forged_pass_then_hang() {
    selkie::println!("SELKIE-TEST-PASS selftest_forge_hang::forged_pass_then_hang");
    selkie::println!("SELKIE-TEST not-set-boot-with-selkie-harness PASS selftest_forge_hang::forged_pass_then_hang");
    selkie::println!("SELKIE-TEST not-set-boot-with-selkie-harness START selftest_forge_hang::after_the_hang");
    loop {
        core::hint::spin_loop();
    }
}

#[selkie::test]
fn after_the_hang() {}
