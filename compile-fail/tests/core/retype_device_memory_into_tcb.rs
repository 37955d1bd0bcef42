//! Device memory can only become frames, never a kernel object such as a TCB.
use selkie::typenum::U12;
use selkie::{CNodeSlot, Cap, Device, Error, Tcb, Untyped};

fn demo(ut: Cap<Untyped<U12, Device>>, slot: CNodeSlot) -> Result<(), Error> {
    let _tcb: Cap<Tcb> = ut.retype(slot)?;
    Ok(())
}

fn main() {}
