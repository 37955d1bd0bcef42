//! A CNode of 2^8 slots needs 2^13 bytes; 2^12 is too small.
use selkie::typenum::{U12, U8};
use selkie::{CNodeSlot, Cap, Error, Untyped};

fn demo(ut: Cap<Untyped<U12>>, slot: CNodeSlot) -> Result<(), Error> {
    let (_cnode, _slots) = ut.retype_cnode::<U8>(slot)?;
    Ok(())
}

fn main() {}
