//! A test that forges its own pass and then ends the run with success status before its verdict. The harness
//! must report the test as unfinished, the next as not run, and the image as failed: its exit status says
//! success, its protocol never finished.
#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn forged_pass_then_exit() {
    selkie::println!("SELKIE-TEST-PASS selftest_forge_exit::forged_pass_then_exit");
    selkie::println!("SELKIE-TEST not-set-boot-with-selkie-harness PASS selftest_forge_exit::forged_pass_then_exit");
    selkie::println!("SELKIE-TEST not-set-boot-with-selkie-harness PASS selftest_forge_exit::never_reached");
    selkie::println!("SELKIE-TEST not-set-boot-with-selkie-harness DONE 2 0");
    selkie::rt::exit(true);
}

#[selkie::test]
fn never_reached() {}
