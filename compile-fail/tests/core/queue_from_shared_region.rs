//! A queue consumes an exclusive region: a shared one (which another address space may write through its
//! own mapping) cannot hold a queue, whose ends must be the only way to the memory.
use selkie::typenum::{U1, U256};
use selkie::{queue, Cap, CNodeSlot, LocalCNode, Mapped, Notification, Own, Region, Shared};

fn demo(
    region: Region<U1, Mapped<Own>, Shared>,
    wake: Cap<Notification>,
    cspace: &Cap<LocalCNode>,
    slot: CNodeSlot,
) {
    let _ = queue::<u64, U256, _, _, _>(region, wake, cspace, slot);
}

fn main() {}
