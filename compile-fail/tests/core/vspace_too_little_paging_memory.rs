//! Mapping one page may need three paging structures (12 KiB): 8 KiB of memory for them does not compile.
use selkie::typenum::{U1, U13, U3};
use selkie::{CNodeSlots, Cap, Other, Region, Untyped, VSpace};

fn demo(child: &mut VSpace<Other>, region: Region<U1>, mem: Cap<Untyped<U13>>, slots: CNodeSlots<U3>) {
    let _ = child.map(region, 0x1000_0000, mem, slots);
}

fn main() {}
