//! Runs the compile-fail suites. Each `tests/<suite>/*.rs` case must fail to compile with the errors in its
//! `.stderr` file, whose first line names the problem in plain words; `tests/pass/` holds the intended uses,
//! which must compile.
//!
//! Regenerate snapshots after an intended change with `TRYBUILD=overwrite cargo test -p selkie-compile-fail`
//! and read every changed `.stderr` as a user would.

/// Issue 4: capabilities, untyped memory, CNode slots, retype, rights, scopes, bootstrap.
#[test]
fn core_capabilities() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/core/*.rs");
    t.pass("tests/pass/core_api.rs");
    t.pass("tests/pass/smart_alloc.rs");
}
