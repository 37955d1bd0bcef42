//! What a closed scope makes cannot be copied into a slot outside it either: the scope revokes it when it
//! ends.
use selkie::typenum::{U1, U12};
use selkie::{CNodeSlot, CNodeSlots, Cap, Endpoint, Error, LocalCNode, Untyped};

fn demo(
    ut: &mut Cap<Untyped<U12>>,
    cspace: &Cap<LocalCNode>,
    lent: &mut CNodeSlots<U1>,
    outside: CNodeSlot,
) -> Result<(), Error> {
    ut.with_closed(cspace, lent, |mem, slots| {
        let (slot, _) = slots.alloc();
        let ep: Cap<Endpoint, _> = mem.retype(slot)?;
        let _kept: Cap<Endpoint> = ep.copy(cspace, outside)?;
        Ok::<(), Error>(())
    })
}

fn main() {}
