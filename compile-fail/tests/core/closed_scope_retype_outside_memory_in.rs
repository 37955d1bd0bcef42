//! Memory from outside cannot be retyped into a closed scope's slot: the object would not be the lent
//! memory's, so revoking that memory would not delete it.
use selkie::typenum::{U1, U12};
use selkie::{CNodeSlots, Cap, Endpoint, Error, LocalCNode, Untyped};

fn demo(
    ut: &mut Cap<Untyped<U12>>,
    cspace: &Cap<LocalCNode>,
    lent: &mut CNodeSlots<U1>,
    other: Cap<Untyped<U12>>,
) -> Result<(), Error> {
    ut.with_closed(cspace, lent, |_mem, slots| {
        let (slot, _) = slots.alloc();
        let _ep: Cap<Endpoint, _> = other.retype(slot)?;
        Ok::<(), Error>(())
    })
}

fn main() {}
