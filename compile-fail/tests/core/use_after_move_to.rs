//! Moving a capability consumes the old token; only the moved one is valid.
use selkie::{CNodeSlot, Cap, Error, LocalCNode, Notification};

fn demo(n: Cap<Notification>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), Error> {
    let (_moved, _vacated) = n.move_to(cspace, slot)?;
    n.signal();
    Ok(())
}

fn main() {}
