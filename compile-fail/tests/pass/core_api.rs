//! The typed API used as intended compiles: the counterpart of the `core` compile-fail cases.
use selkie::bootstrap::BootInfo;
use selkie::rights::{ReadOnly, WriteOnly};
use selkie::typenum::{U1, U12, U2, U20, U32, U4, U8};
use selkie::{Badge, Badgeable, CNodeSlots, Cap, Child, Endpoint, Error, Frame, Notification, Tcb, Untyped};
use selkie::sys::Word;

fn demo(boot: BootInfo) -> Result<(), Error> {
    let mut res = boot.take()?;
    let cspace = &res.cspace;
    let mem: Cap<Untyped<U20>> = res.untyped.alloc()?;
    let slots = res.slots.alloc::<U32>()?;

    let (split_slots, slots) = slots.alloc::<U2>();
    let (a, b) = mem.split(split_slots)?;
    let (quarter_slots, slots) = slots.alloc::<U4>();
    let (q0, q1, q2, _q3) = a.quarter(quarter_slots)?;

    let (slot, slots) = slots.alloc::<U1>();
    let tcb: Cap<Tcb> = q0.retype(slot)?;
    let (slot, slots) = slots.alloc::<U1>();
    let ep: Cap<Endpoint> = q1.retype(slot)?;
    let (slot, slots) = slots.alloc::<U1>();
    let receiver: Cap<Endpoint<ReadOnly>> = ep.copy(cspace, slot)?;
    let (slot, slots) = slots.alloc::<U1>();
    let sender: Cap<Endpoint<WriteOnly>> = ep.mint(cspace, slot, Badge::new(5)?)?;
    assert_eq!(sender.object().badge(), Badge::new(5)?);

    let (many, slots) = slots.alloc::<U8>();
    let frames = q2.retype_multi::<Frame, U8, _>(many)?;
    assert_eq!(frames.len(), 8);

    let (slot, _slots) = slots.alloc::<U1>();
    let (cnode, child_slots) = b.retype_cnode::<U8>(slot)?;
    let (child_slot, _rest): (CNodeSlots<U1, Child>, _) = child_slots.alloc();
    let _in_child: Cap<Tcb, Child> = tcb.copy(cspace, child_slot)?;
    let _ = (cnode, receiver);

    let mut scratch: Cap<Untyped<U12>> = res.untyped.alloc()?;
    let mut lent = res.slots.alloc::<U1>()?;
    for _ in 0..2 {
        let badge = scratch.with_temporary(cspace, &mut lent, |mem, slots| -> Result<Word, Error> {
            let n: Cap<Notification, _> = mem.retype(slots)?;
            n.signal();
            Ok(n.wait().value())
        })?;
        let _: Word = badge;
    }
    Ok(())
}

fn main() {
    let _ = demo;
}
