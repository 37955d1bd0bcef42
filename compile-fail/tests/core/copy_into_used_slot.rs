//! A slot is consumed when filled: copying into it again does not compile.
use selkie::{CNodeSlot, Cap, Endpoint, Error, LocalCNode};

fn demo(ep: &Cap<Endpoint>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), Error> {
    let _first: Cap<Endpoint> = ep.copy(cspace, slot)?;
    let _second: Cap<Endpoint> = ep.copy(cspace, slot)?;
    Ok(())
}

fn main() {}
