//! A read-only endpoint cannot be copied into one that may also send.
use selkie::rights::{ReadOnly, ReadWrite};
use selkie::{CNodeSlot, Cap, Endpoint, Error, LocalCNode};

fn demo(ep: &Cap<Endpoint<ReadOnly>>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), Error> {
    let _wider: Cap<Endpoint<ReadWrite>> = ep.copy(cspace, slot)?;
    Ok(())
}

fn main() {}
