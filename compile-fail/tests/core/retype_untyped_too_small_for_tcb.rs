//! A TCB needs 2^11 bytes; 2^10 is too small.
use selkie::typenum::U10;
use selkie::{CNodeSlot, Cap, Error, Tcb, Untyped};

fn demo(ut: Cap<Untyped<U10>>, slot: CNodeSlot) -> Result<(), Error> {
    let _tcb: Cap<Tcb> = ut.retype(slot)?;
    Ok(())
}

fn main() {}
