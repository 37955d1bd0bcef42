//! Capabilities made in a temporary scope are revoked when it ends, so they cannot be returned from it.
use selkie::typenum::{U1, U12};
use selkie::{CNodeSlots, Cap, Endpoint, Error, LocalCNode, Untyped};

fn demo(ut: &mut Cap<Untyped<U12>>, cspace: &Cap<LocalCNode>, slots: &mut CNodeSlots<U1>) -> Result<(), Error> {
    let _escaped = ut.with_temporary(cspace, slots, |mem, slots| {
        let ep = mem.retype::<Endpoint, _>(slots)?;
        Ok::<_, Error>(ep)
    })?;
    Ok(())
}

fn main() {}
