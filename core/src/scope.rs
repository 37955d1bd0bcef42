//! Temporary scopes: lend untyped memory and slots to a closure, then revoke and delete everything it made so
//! the same memory and slots can be used again.
//!
//! The closure receives tokens of the scope [`Lent<'s>`](Lent), where `'s` is a lifetime only the closure can
//! name (it is higher-ranked, as in `std::thread::scope`). The result and error types are chosen outside the
//! closure, so they cannot name `'s` either: no capability or slot made from what was lent can come out
//! through the return value, the error, or a variable the closure captured, and none can be put in a slot
//! outside the scope ([`FlowsInto`](crate::FlowsInto)). Plain data comes out freely.

use typenum::Unsigned;

use crate::object::{delete_raw, revoke_raw, LocalCNode};
use crate::role::{Closed, Invocable, Lent, Local, Role, Scope};
use crate::slots::CNodeSlots;
use selkie_sys as sys;

use crate::untyped::{MemoryKind, Untyped};
use crate::{Cap, Error};

impl<Bits: Unsigned, K: MemoryKind, R: Invocable> Cap<Untyped<Bits, K>, R> {
    /// Lends this memory and `slots` to `f`, then takes them back: every object made from the memory is
    /// revoked and every lent slot emptied, so both can be used again afterwards.
    ///
    /// Inside `f` the memory and slots are branded with the scope's own lifetime: what `f` makes from them
    /// cannot leave it by any route (returned, in an error, stored in a captured variable, or put in a slot
    /// from outside); those do not compile. The memory's token is [`Borrowed`](crate::Borrowed): its slot is
    /// still this token's, so `f` cannot delete or move it. `f` may return any plain data. The closure's error (any type that
    /// converts from [`Error`]) is returned after the clean-up.
    ///
    /// ```no_run
    /// # fn demo(mut ut: selkie::Cap<selkie::Untyped<selkie::typenum::U16>>,
    /// #         mut slots: selkie::CNodeSlots<selkie::typenum::U8>,
    /// #         cspace: &selkie::Cap<selkie::LocalCNode>) -> Result<(), selkie::Error> {
    /// use selkie::{Cap, Error, Local, Tcb};
    /// for _ in 0..3 {
    ///     // The same 64 KiB become a TCB three times over.
    ///     ut.with_temporary(cspace, &mut slots, |mem, slots| {
    ///         let (slot, _) = slots.alloc();
    ///         let tcb: Cap<Tcb, _> = mem.retype(slot)?;
    ///         Ok::<u64, Error>(tcb.cptr())
    ///     })?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn with_temporary<N, Out, E, F>(
        &mut self,
        cspace: &Cap<LocalCNode, impl Invocable>,
        slots: &mut CNodeSlots<N, impl Invocable>,
        f: F,
    ) -> Result<Out, E>
    where
        E: From<Error>,
        F: for<'s> FnOnce(
            Cap<Untyped<Bits, K>, <Lent<'s> as Scope>::Root>,
            CNodeSlots<N, Local<Lent<'s>>>,
        ) -> Result<Out, E>,
    {
        let lent = Cap::new(self.cptr(), *self.object());
        let out = f(lent, slots.lend());
        revoke_raw(cspace, self.cptr())?;
        empty_slots(slots)?;
        out
    }

    /// Lends this memory and `slots` to `f` as a *closed* scope, then takes them back with one revoke of the
    /// memory: the cheapest way to use the same memory and slots again and again.
    ///
    /// As in [`with_temporary`](Self::with_temporary), nothing `f` makes from the memory can leave it. In
    /// addition nothing from outside can come in: the tokens are of scope [`Closed<'s>`](Closed), into which
    /// the program's own capabilities do not flow, so copying, minting or moving a capability from outside into
    /// a lent slot, retyping memory from outside into one, or receiving a capability into one does not compile.
    /// The lent slots can then only hold capabilities made from the lent memory or copies of them, which are
    /// all the memory's descendants: revoking it deletes every one of them (wherever the kernel keeps them),
    /// empties every lent slot and leaves the memory without children, so the kernel resets it on the next
    /// retype. That revoke is the whole clean-up; [`with_temporary`](Self::with_temporary) must also delete
    /// each lent slot, because an outside capability may have been copied into one.
    ///
    /// ```no_run
    /// # fn demo(mut ut: selkie::Cap<selkie::Untyped<selkie::typenum::U12>>,
    /// #         mut slots: selkie::CNodeSlots<selkie::typenum::U1>,
    /// #         cspace: &selkie::Cap<selkie::LocalCNode>) -> Result<(), selkie::Error> {
    /// use selkie::{Cap, Endpoint, Error};
    /// for _ in 0..1000 {
    ///     // The same memory and slot hold a fresh endpoint each time: one retype, one revoke.
    ///     ut.with_closed(cspace, &mut slots, |mem, slots| {
    ///         let (slot, _) = slots.alloc();
    ///         let ep: Cap<Endpoint, _> = mem.retype(slot)?;
    ///         Ok::<u64, Error>(ep.cptr())
    ///     })?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn with_closed<N, Out, E, F>(
        &mut self,
        cspace: &Cap<LocalCNode, impl Invocable>,
        slots: &mut CNodeSlots<N, impl Invocable>,
        f: F,
    ) -> Result<Out, E>
    where
        E: From<Error>,
        F: for<'s> FnOnce(
            Cap<Untyped<Bits, K>, <Closed<'s> as Scope>::Root>,
            CNodeSlots<N, Local<Closed<'s>>>,
        ) -> Result<Out, E>,
    {
        let lent = Cap::new(self.cptr(), *self.object());
        let out = f(lent, slots.lend());
        revoke_raw(cspace, self.cptr())?;
        out
    }
}

/// Deletes whatever is in `slots`.
pub(crate) fn empty_slots<N, R: Role>(slots: &CNodeSlots<N, R>) -> Result<(), Error> {
    for i in 0..slots.len() as sys::Word {
        delete_raw(slots.cnode(), slots.start() + i, slots.depth())?;
    }
    Ok(())
}
