//! Copying names the source in the caller's CSpace, so a `Child` capability cannot be copied by the parent.
use selkie::{CNodeSlot, Cap, Child, Endpoint, Error, LocalCNode};

fn demo(ep: Cap<Endpoint, Child>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), Error> {
    let _copy: Cap<Endpoint> = ep.copy(cspace, slot)?;
    Ok(())
}

fn main() {}
