//! Temporary scopes: lend untyped memory and slots to a closure, then revoke and delete everything it made so
//! the same memory and slots can be used again.

use typenum::Unsigned;

use crate::bounds::ScopeOutput;
use crate::cspace::{delete_raw, revoke_raw};
use crate::object::LocalCNode;
use crate::slots::CNodeSlots;
use crate::untyped::{MemoryKind, Untyped};
use crate::{Cap, Error};

impl<Bits: Unsigned, K: MemoryKind> Cap<Untyped<Bits, K>> {
    /// Lends this memory and `slots` to `f`, then takes them back: every object made from the memory is
    /// revoked and every lent slot emptied, so both can be used again afterwards.
    ///
    /// `f` may only return plain data (a [`ScopeOutput`], i.e. any `Copy` type): capabilities and slots made
    /// inside do not outlive the scope. The closure's error (any type that converts from [`Error`]) is
    /// returned after the clean-up.
    ///
    /// ```no_run
    /// # fn demo(mut ut: selkie::Cap<selkie::Untyped<selkie::typenum::U16>>,
    /// #         mut slots: selkie::CNodeSlots<selkie::typenum::U8>,
    /// #         cspace: &selkie::Cap<selkie::LocalCNode>) -> Result<(), selkie::Error> {
    /// use selkie::{Cap, Error, Tcb};
    /// for _ in 0..3 {
    ///     // The same 64 KiB become a TCB three times over.
    ///     ut.with_temporary(cspace, &mut slots, |mem, slots| {
    ///         let (slot, _) = slots.alloc();
    ///         let _tcb: Cap<Tcb> = mem.retype(slot)?;
    ///         Ok::<(), Error>(())
    ///     })?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn with_temporary<N, Out, E, F>(
        &mut self,
        cspace: &Cap<LocalCNode>,
        slots: &mut CNodeSlots<N>,
        f: F,
    ) -> Result<Out, E>
    where
        Out: ScopeOutput,
        E: From<Error>,
        F: FnOnce(Cap<Untyped<Bits, K>>, CNodeSlots<N>) -> Result<Out, E>,
    {
        let lent = Cap::new(self.cptr(), *self.object());
        let out = f(lent, slots.lend());
        revoke_raw(cspace, self.cptr())?;
        empty_slots(slots)?;
        out
    }
}

/// Deletes whatever is in `slots`.
pub(crate) fn empty_slots<N>(slots: &CNodeSlots<N>) -> Result<(), Error> {
    for i in 0..slots.len() as u64 {
        delete_raw(slots.cnode(), slots.start() + i, slots.depth())?;
    }
    Ok(())
}
