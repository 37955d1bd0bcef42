//! The memory a temporary scope lends stays in its slot: deleting (or moving) its token inside the scope
//! would leave the lender's token naming an empty or reused slot when the scope gives it back.
use selkie::typenum::{U1, U12};
use selkie::{CNodeSlots, Cap, Error, LocalCNode, Untyped};

fn demo(ut: &mut Cap<Untyped<U12>>, cspace: &Cap<LocalCNode>, slots: &mut CNodeSlots<U1>) -> Result<(), Error> {
    ut.with_temporary(cspace, slots, |mem, _slots| {
        let _emptied = mem.delete(cspace)?;
        Ok::<(), Error>(())
    })
}

fn main() {}
