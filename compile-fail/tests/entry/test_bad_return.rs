//! An in-kernel test passes or fails: it returns `()` or `Result<(), E: Debug>`.
#![no_main]

#[selkie::test]
fn counts() -> u32 {
    3
}
