//! A remap can only drop rights: a read-only mapping cannot become writable.
use selkie::rights::{ReadOnly, ReadWrite};
use selkie::typenum::U1;
use selkie::{Exclusive, Mapped, Own, Region};

fn demo(region: Region<U1, Mapped<Own>, Exclusive, ReadOnly>) {
    let _ = region.remap::<ReadWrite>();
}

fn main() {}
