//! Only endpoints and notifications carry badges.
use selkie::{Badge, CNodeSlot, Cap, Error, LocalCNode, Tcb};

fn demo(tcb: &Cap<Tcb>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), Error> {
    let _badged: Cap<Tcb> = tcb.mint(cspace, slot, Badge::new(1)?)?;
    Ok(())
}

fn main() {}
