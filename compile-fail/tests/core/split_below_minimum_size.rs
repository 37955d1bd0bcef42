//! The kernel's smallest untyped is 2^4 bytes: a 2^4 untyped cannot be split.
use selkie::typenum::{U2, U4};
use selkie::{CNodeSlots, Cap, Error, Untyped};

fn demo(ut: Cap<Untyped<U4>>, slots: CNodeSlots<U2>) -> Result<(), Error> {
    let (_a, _b) = ut.split(slots)?;
    Ok(())
}

fn main() {}
