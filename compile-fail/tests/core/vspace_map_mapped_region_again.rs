//! A region that is mapped cannot be mapped again: its frames are in use.
use selkie::typenum::{U14, U3};
use selkie::{CNodeSlots, Cap, Mapped, Other, Own, Region, Untyped, VSpace};

fn demo(
    child: &mut VSpace<Other>,
    region: Region<selkie::typenum::U1, Mapped<Own>>,
    mem: Cap<Untyped<U14>>,
    slots: CNodeSlots<U3>,
) {
    let _ = child.map(region, 0x1000_0000, mem, slots);
}

fn main() {}
