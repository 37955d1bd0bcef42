//! Untyped memory cannot be copied: two tokens would account for the same bytes.
use selkie::typenum::U12;
use selkie::{CNodeSlot, Cap, Error, LocalCNode, Untyped};

fn demo(ut: &Cap<Untyped<U12>>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), Error> {
    let _copy: Cap<Untyped<U12>> = ut.copy(cspace, slot)?;
    Ok(())
}

fn main() {}
