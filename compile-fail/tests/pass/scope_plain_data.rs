//! Plain data comes out of temporary scopes: numbers, a struct of `Copy` data and an array, through the
//! result and through captured variables; capabilities made from outside resources can be used inside.
use selkie::bootstrap::BootInfo;
use selkie::typenum::{U1, U12, U2, U4, U5};
use selkie::{CNodeSlots, Cap, Endpoint, Error, LocalCNode, Notification, Untyped};
use selkie::sys::Word;

#[derive(Clone, Copy)]
struct Facts {
    paddr: Word,
    slot: Word,
}

fn lend(boot: &mut BootInfo) -> Result<(), Error> {
    let mut seen = [0 as Word; 4];
    let facts: Facts = boot.lend(|res| {
        let mem = res.untyped.alloc::<U4>()?;
        let paddr = mem.paddr();
        let ep: Cap<Endpoint, _> = mem.retype(res.slots.alloc()?)?;
        seen[0] = ep.cptr();
        Ok::<_, Error>(Facts { paddr, slot: ep.cptr() })
    })?;
    let words: [u64; 2] = boot.lend(|res| Ok::<_, Error>([res.slots.len() as u64, res.untyped.free_bytes() as u64]))?;
    let _ = (facts.paddr, facts.slot, words, seen);
    Ok(())
}

fn temporary(
    ut: &mut Cap<Untyped<U12>>,
    cspace: &Cap<LocalCNode>,
    slots: &mut CNodeSlots<U1>,
    outside_ep: &Cap<Endpoint>,
) -> Result<Word, Error> {
    ut.with_temporary(cspace, slots, |mem, slots| {
        let (slot, _) = slots.alloc::<U1>();
        let n: Cap<Notification, _> = mem.retype(slot)?;
        // An outside capability may be used, and copied into the scope's own slots.
        let _ = outside_ep.cptr();
        n.signal();
        Ok(n.wait().value())
    })
}

/// A closed scope: what it makes from its memory is used inside, split and copied into its own slots; an
/// outside capability may be used (invoked), and plain data comes out.
fn closed(
    ut: &mut Cap<Untyped<U12>>,
    cspace: &Cap<LocalCNode>,
    slots: &mut CNodeSlots<U4>,
    outside_ep: &Cap<Endpoint>,
) -> Result<Word, Error> {
    ut.with_closed(cspace, slots, |mem, slots| {
        let (split, slots) = slots.alloc::<U2>();
        let (a, _b) = mem.split(split)?;
        let (slot, slots) = slots.alloc::<U1>();
        let n: Cap<Notification, _> = a.retype(slot)?;
        let (slot, _) = slots.alloc::<U1>();
        let copy: Cap<Notification, _> = n.copy(cspace, slot)?;
        let _ = outside_ep.cptr();
        copy.signal();
        Ok(n.wait().value())
    })
}

fn main() {
    let _ = (lend, temporary, closed, U5::default());
}
