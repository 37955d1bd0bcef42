//! No `&mut` through a read-only mapping.
use selkie::rights::ReadOnly;
use selkie::typenum::U1;
use selkie::{Exclusive, Mapped, Own, Region};

fn demo(mut region: Region<U1, Mapped<Own>, Exclusive, ReadOnly>) {
    region.as_mut_slice()[0] = 1;
}

fn main() {}
