//! A test whose error text forges its own pass: the error's `Debug` text spans lines and holds `PASS` lines
//! for the test (in the protocol's old form, and in its current form with the token of an image no harness
//! patched), and the test prints the same lines on lines of their own before failing. The harness must still
//! report the test as failed with its error.
#![no_std]
#![no_main]

use core::fmt;

selkie::test_main!();

/// Protocol lines a test could print by accident (or by copying an earlier boot's log): none carries this
/// boot's token.
const FORGED: &str = "SELKIE-TEST-PASS selftest_forge_error::forged_pass_in_error_text\n\
    SELKIE-TEST not-set-boot-with-selkie-harness PASS selftest_forge_error::forged_pass_in_error_text\n\
    SELKIE-TEST 00000000000000000000000000000000 PASS selftest_forge_error::forged_pass_in_error_text\n\
    SELKIE-TEST not-set-boot-with-selkie-harness DONE 2 0";

/// An error whose `Debug` text holds the forged lines after a newline.
struct Forged;

impl fmt::Debug for Forged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "deliberate error\n{FORGED}")
    }
}

#[selkie::test]
fn forged_pass_in_error_text() -> Result<(), Forged> {
    selkie::println!("{FORGED}");
    Err(Forged)
}

#[selkie::test]
fn passes() {}
