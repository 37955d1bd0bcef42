//! Tests that print without a trailing newline. The protocol lines after them must still be read: every
//! test passes, and so does the image.
#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn prints_without_newline() {
    selkie::print!("no newline after this text");
}

#[selkie::test]
fn passes_after_a_partial_line() {
    selkie::print!("half a line, ");
    selkie::print!("still no newline");
}

#[selkie::test]
fn passes() {}
