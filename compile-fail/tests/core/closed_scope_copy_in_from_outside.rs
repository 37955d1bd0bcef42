//! Nothing from outside may come into a closed scope's slots: the scope's clean-up is one revoke of its own
//! memory, which would leave a copy of an outside capability in the lent slot.
use selkie::typenum::{U1, U12};
use selkie::{CNodeSlots, Cap, Endpoint, Error, LocalCNode, Untyped};

fn demo(
    ut: &mut Cap<Untyped<U12>>,
    cspace: &Cap<LocalCNode>,
    lent: &mut CNodeSlots<U1>,
    outside: &Cap<Endpoint>,
) -> Result<(), Error> {
    ut.with_closed(cspace, lent, |_mem, slots| {
        let (slot, _) = slots.alloc();
        let _copy = outside.copy(cspace, slot)?;
        Ok::<(), Error>(())
    })
}

fn main() {}
