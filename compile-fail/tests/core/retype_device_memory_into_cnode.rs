//! Device memory cannot hold a CNode.
use selkie::typenum::{U16, U4};
use selkie::{CNodeSlot, Cap, Device, Error, Untyped};

fn demo(ut: Cap<Untyped<U16, Device>>, slot: CNodeSlot) -> Result<(), Error> {
    let (_cnode, _slots) = ut.retype_cnode::<U4>(slot)?;
    Ok(())
}

fn main() {}
