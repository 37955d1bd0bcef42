//! Retyping consumes the untyped: it cannot be retyped a second time.
use selkie::typenum::U12;
use selkie::{CNodeSlot, Cap, Endpoint, Error, Untyped};

fn demo(ut: Cap<Untyped<U12>>, a: CNodeSlot, b: CNodeSlot) -> Result<(), Error> {
    let _first: Cap<Endpoint> = ut.retype(a)?;
    let _second: Cap<Endpoint> = ut.retype(b)?;
    Ok(())
}

fn main() {}
