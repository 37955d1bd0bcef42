//! A wait end made by copying with the read right only cannot signal.
use selkie::rights::ReadOnly;
use selkie::{CNodeSlot, Cap, LocalCNode, Notification};

fn demo(n: &Cap<Notification>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), selkie::Error> {
    let wait_end: Cap<Notification<ReadOnly>> = n.copy(cspace, slot)?;
    wait_end.signal();
    Ok(())
}

fn main() {}
