//! `smart_alloc!` over real selkie pools: slot counts inferred, untyped sizes written where `retype` cannot
//! pin them, and the slot pool rebound to what is left.
use selkie::bootstrap::Resources;
use selkie::typenum::{U11, U12, U16, U4};
use selkie::{smart_alloc, CNodeSlots, Cap, Endpoint, Error, Tcb, Untyped};

fn demo(res: &mut Resources) -> Result<(), Error> {
    let slots = res.slots.alloc::<U16>()?;
    smart_alloc!(|slot from slots, mem from &mut res.untyped| {
        let _tcb: Cap<Tcb> = mem::<U11>.retype(slot)?;
        let _ep: Cap<Endpoint> = mem::<U4>.retype(slot)?;
        let (a, _b) = mem::<U16>.split(slot)?;
        let small: Cap<Untyped<U12>> = mem;
    });
    let _left: CNodeSlots<selkie::typenum::U12> = slots;
    let _ = (a, small);
    Ok(())
}

fn main() {
    let _ = demo;
}
