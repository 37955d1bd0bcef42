//! On aarch32 eight TCBs (8 x 2^9 bytes) do not fit in 2^11 bytes.
use selkie::typenum::{U11, U8};
use selkie::{CNodeSlots, Cap, Error, Tcb, Untyped};

fn demo(ut: Cap<Untyped<U11>>, slots: CNodeSlots<U8>) -> Result<(), Error> {
    let _tcbs = ut.retype_multi::<Tcb, U8, _>(slots)?;
    Ok(())
}

fn main() {}
