//! A region mapped in another address space is not addressable by the caller.
use selkie::typenum::U1;
use selkie::{Mapped, Other, Region};

fn demo(region: Region<U1, Mapped<Other>>) -> u8 {
    region.as_slice()[0]
}

fn main() {}
