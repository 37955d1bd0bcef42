//! A 4 KiB frame needs 2^12 bytes; 2^11 is too small.
use selkie::typenum::U11;
use selkie::{CNodeSlot, Cap, Error, Frame, Untyped};

fn demo(ut: Cap<Untyped<U11>>, slot: CNodeSlot) -> Result<(), Error> {
    let _page: Cap<Frame> = ut.retype(slot)?;
    Ok(())
}

fn main() {}
