//! A queue must fit its region: 1024 eight-byte elements (8 KiB + 128) in one 4 KiB page do not compile.
use selkie::typenum::{U1, U1024};
use selkie::{queue, Cap, CNodeSlot, LocalCNode, Mapped, Notification, Own, Region};

fn demo(region: Region<U1, Mapped<Own>>, wake: Cap<Notification>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) {
    let _ = queue::<u64, U1024, _, _, _>(region, wake, cspace, slot);
}

fn main() {}
