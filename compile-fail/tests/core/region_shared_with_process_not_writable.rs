//! Once a region is shared (to be mapped in a process too), the root task's half gives no `&mut`.
use selkie::typenum::U1;
use selkie::{Cap, CNodeSlots, Local, LocalCNode, Mapped, Own, Region};

fn demo(region: Region<U1, Mapped<Own>>, cspace: &Cap<LocalCNode>, slots: CNodeSlots<U1, Local>) {
    let Ok((mut mine, _theirs)) = region.share(cspace, slots) else { return };
    mine.as_mut_slice()[0] = 1;
}

fn main() {}
