//! Mapping one page may need three paging structures: two slots for them do not compile.
use selkie::typenum::{U1, U14, U2};
use selkie::{CNodeSlots, Cap, Other, Region, Untyped, VSpace};

fn demo(child: &mut VSpace<Other>, region: Region<U1>, mem: Cap<Untyped<U14>>, slots: CNodeSlots<U2>) {
    let _ = child.map(region, 0x1000_0000, mem, slots);
}

fn main() {}
