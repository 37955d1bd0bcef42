//! Runs the compile-fail suites. Each `tests/<suite>/*.rs` case must fail to compile with the errors in its
//! `.stderr` file, whose first line names the problem in plain words; `tests/pass/` holds the intended uses,
//! which must compile.
//!
//! Regenerate snapshots after an intended change with `TRYBUILD=overwrite cargo test -p selkie-compile-fail`
//! and read every changed `.stderr` as a user would.

/// All suites, in one trybuild run (one build of the crates under test):
/// - `core/`: capabilities, untyped memory, CNode slots, retype, rights, scopes, bootstrap;
/// - `entry/`: the `#[selkie::root_task]` and `#[selkie::test]` entry points;
/// - `rt/`: the runtime (the kernel's debug facilities only with a debug kernel).
#[test]
fn compile_fail_suites() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/core/*.rs");
    t.compile_fail("tests/entry/*.rs");
    t.compile_fail("tests/rt/*.rs");
    t.pass("tests/pass/*.rs");
}
