//! Memory lent to a temporary scope cannot be retyped into a slot outside it: the scope revokes the object
//! when it ends, and the outside slot's token would live on.
use selkie::typenum::{U1, U12};
use selkie::{CNodeSlot, CNodeSlots, Cap, Error, LocalCNode, Tcb, Untyped};

fn demo(
    ut: &mut Cap<Untyped<U12>>,
    cspace: &Cap<LocalCNode>,
    lent: &mut CNodeSlots<U1>,
    outside: CNodeSlot,
) -> Result<(), Error> {
    ut.with_temporary(cspace, lent, |mem, _slots| {
        let _tcb: Cap<Tcb> = mem.retype(outside)?;
        Ok::<(), Error>(())
    })
}

fn main() {}
