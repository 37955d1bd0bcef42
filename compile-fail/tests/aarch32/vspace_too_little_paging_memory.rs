//! On aarch32 mapping one page may need one page table (1 KiB): 512 bytes of memory for it do not compile.
use selkie::typenum::{U1, U9};
use selkie::{CNodeSlots, Cap, Other, Region, Untyped, VSpace};

fn demo(child: &mut VSpace<Other>, region: Region<U1>, mem: Cap<Untyped<U9>>, slots: CNodeSlots<U1>) {
    let _ = child.map(region, 0x1000_0000, mem, slots);
}

fn main() {}
