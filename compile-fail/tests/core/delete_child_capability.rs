//! The parent cannot delete a capability by its address in a child's CSpace.
use selkie::{Cap, Child, Error, LocalCNode, Tcb};

fn demo(tcb: Cap<Tcb, Child>, cspace: &Cap<LocalCNode>) -> Result<(), Error> {
    let _slot = tcb.delete(cspace)?;
    Ok(())
}

fn main() {}
