//! Misuse of the queue that must not compile. Each `compile-fail/*.rs` case must fail with the errors in its
//! `.stderr` file, whose first line names the problem in plain words.
//!
//! Regenerate the snapshots after an intended change with `TRYBUILD=overwrite cargo test -p cross-queue --test
//! compile_fail` and read every changed `.stderr` as a user would.

#[test]
fn compile_fail_cases() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile-fail/*.rs");
}
