//! A capability in a child's CSpace cannot be invoked by the parent.
use selkie::typenum::{U12, U2};
use selkie::{CNodeSlots, Cap, Child, Error, Untyped};

fn demo(ut: Cap<Untyped<U12>, Child>, slots: CNodeSlots<U2>) -> Result<(), Error> {
    let (_a, _b) = ut.split(slots)?;
    Ok(())
}

fn main() {}
