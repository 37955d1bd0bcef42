//! On aarch32 mapping one page may need one page table: no slot for it does not compile.
use selkie::typenum::{U0, U1, U10};
use selkie::{CNodeSlots, Cap, Other, Region, Untyped, VSpace};

fn demo(child: &mut VSpace<Other>, region: Region<U1>, mem: Cap<Untyped<U10>>, slots: CNodeSlots<U0>) {
    let _ = child.map(region, 0x1000_0000, mem, slots);
}

fn main() {}
