//! A test image whose second test never returns. The harness's own tests check that it fails by name at the
//! per-system timeout.
#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn before_the_hang() {}

#[selkie::test]
fn spins_forever() {
    loop {
        core::hint::spin_loop();
    }
}
