//! No `&mut` through a shared mapping: another address space may write the same frames.
use selkie::typenum::U1;
use selkie::{Mapped, Own, Region, Shared};

fn demo(mut region: Region<U1, Mapped<Own>, Shared>) {
    region.as_mut_slice()[0] = 1;
}

fn main() {}
