//! On aarch32 a TCB needs 2^9 bytes; 2^8 is too small.
use selkie::typenum::U8;
use selkie::{CNodeSlot, Cap, Error, Tcb, Untyped};

fn demo(ut: Cap<Untyped<U8>>, slot: CNodeSlot) -> Result<(), Error> {
    let _tcb: Cap<Tcb> = ut.retype(slot)?;
    Ok(())
}

fn main() {}
