//! A root task whose `main` asks the untyped allocator for 2^40 bytes and returns the error with `?`. The
//! runtime must print the error's `Display` text (the host computes the expected text from the same
//! `selkie::Error`, with the largest free size this image prints first) and exit with failure.
#![no_std]
#![no_main]

use selkie::bootstrap::BootInfo;
use selkie::typenum::U40;

#[selkie::root_task]
fn main(boot: BootInfo) -> Result<(), selkie::Error> {
    let mut res = boot.take()?;
    match res.untyped.largest_free_bits() {
        Some(bits) => selkie::println!("largest free untyped: 2^{bits}"),
        None => selkie::println!("largest free untyped: none"),
    }
    let _too_big = res.untyped.alloc::<U40>()?;
    selkie::println!("2^40 bytes were allocated: the allocator is broken");
    Ok(())
}
