//! An unmapped region has no mapping to undo.
use selkie::typenum::U1;
use selkie::{Other, Region, VSpace};

fn demo(child: &mut VSpace<Other>, region: Region<U1>) {
    let _ = region.unmap(child);
}

fn main() {}
