//! The harness calls an in-kernel test with no type arguments: it cannot be generic.
#![no_main]

#[selkie::test]
fn generic<T: Default>() {
    let _ = T::default();
}
