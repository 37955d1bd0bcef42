//! An unmapped region's memory cannot be read: it is not mapped anywhere.
use selkie::typenum::U1;
use selkie::Region;

fn demo(region: Region<U1>) -> u8 {
    region.as_slice()[0]
}

fn main() {}
