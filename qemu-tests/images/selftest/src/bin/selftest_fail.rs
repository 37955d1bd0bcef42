//! A test image whose tests fail on purpose: by returning an error and by panicking. The harness's own tests
//! check that each is reported by name, and that the test after the panic is reported as not run.
#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn passes() {}

#[selkie::test]
fn returns_an_error() -> Result<(), &'static str> {
    Err("deliberate error")
}

#[selkie::test]
fn panics() {
    panic!("deliberate panic");
}

#[selkie::test]
fn after_the_panic() {}
