//! Quartering 2^5 bytes would make 2^3-byte parts, below the kernel's minimum.
use selkie::typenum::{U4, U5};
use selkie::{CNodeSlots, Cap, Error, Untyped};

fn demo(ut: Cap<Untyped<U5>>, slots: CNodeSlots<U4>) -> Result<(), Error> {
    let (_a, _b, _c, _d) = ut.quarter(slots)?;
    Ok(())
}

fn main() {}
