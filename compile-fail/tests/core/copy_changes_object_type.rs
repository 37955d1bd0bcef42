//! A copy is a capability to the same object: it cannot claim to be a different kind of object.
use selkie::{CNodeSlot, Cap, Endpoint, Error, LocalCNode, Notification};

fn demo(ep: &Cap<Endpoint>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<Cap<Notification>, Error> {
    let copy = ep.copy::<Notification, _>(cspace, slot)?;
    Ok(copy)
}

fn main() {}
