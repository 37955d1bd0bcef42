//! Memory lent to an inner temporary scope cannot be retyped into a slot of the enclosing one: the inner
//! scope revokes the object first, and the slot is the outer scope's.
use selkie::bootstrap::BootInfo;
use selkie::typenum::{U1, U12};
use selkie::{Cap, Error, Tcb};

fn demo(boot: &mut BootInfo) -> Result<(), Error> {
    boot.lend(|res| {
        let mut mem = res.untyped.alloc::<U12>()?;
        let outer_slot = res.slots.alloc::<U1>()?;
        let mut lent = res.slots.alloc::<U1>()?;
        mem.with_temporary(&res.cspace, &mut lent, |inner, _slots| {
            let _tcb: Cap<Tcb, _> = inner.retype(outer_slot)?;
            Ok::<(), Error>(())
        })
    })
}

fn main() {}
