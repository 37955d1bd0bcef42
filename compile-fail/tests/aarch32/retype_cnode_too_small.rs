//! On aarch32 a CNode of 2^8 slots (16 bytes each) needs 2^12 bytes; 2^11 is too small.
use selkie::typenum::{U11, U8};
use selkie::{CNodeSlot, Cap, Error, Untyped};

fn demo(ut: Cap<Untyped<U11>>, slot: CNodeSlot) -> Result<(), Error> {
    let (_cnode, _slots) = ut.retype_cnode::<U8>(slot)?;
    Ok(())
}

fn main() {}
