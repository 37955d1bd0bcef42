//! Capability operations on CSpaces: copy, mint, move, mutate, delete and revoke.
//!
//! Each operation names its source by its address in the caller's CSpace, through the caller's root CNode
//! ([`LocalCNode`]), and its destination by a [`CNodeSlot`] that it consumes. The kernel checks an operation
//! completely before it changes anything, so when it refuses, the tokens the operation consumed come back
//! unchanged in a [`Refused`].

use selkie_sys as sys;

use crate::bounds::{CopyInto, Copyable, MintInto};
use crate::object::{Badge, CNodeGuard, CapType, Guardable, LocalCNode};
use crate::role::{Invocable, Local, Role};
use crate::slots::CNodeSlot;
use crate::{Cap, Error, Operation, Refused};

/// A moved capability and the slot it left.
type Moved<T, R2> = (Cap<T, R2>, CNodeSlot<Local>);
/// What a move consumes, handed back when the kernel refuses: the capability and the destination slot.
type MoveRefused<T, R, R2> = Refused<(Cap<T, R>, CNodeSlot<R2>)>;

/// The depth that resolves a whole capability address in the caller's CSpace.
pub(crate) const WORD_DEPTH: u8 = sys::Word::BITS as u8;

impl<T: CapType, R: Role> Cap<T, R> {
    /// Copies the capability into `dest` (`seL4_CNode_Copy`). The copy's type says its rights: the same as
    /// the source's, or fewer; asking for a right the source lacks does not compile, and neither does copying
    /// untyped memory.
    ///
    /// ```no_run
    /// # fn demo(ep: selkie::Cap<selkie::Endpoint>, cspace: &selkie::Cap<selkie::LocalCNode>,
    /// #         slot: selkie::CNodeSlot) -> Result<(), selkie::Error> {
    /// use selkie::{rights::ReadOnly, Cap, Endpoint};
    /// let receiver: Cap<Endpoint<ReadOnly>> = ep.copy(cspace, slot)?;
    /// # let _ = receiver; Ok(()) }
    /// ```
    pub fn copy<Out: CapType, R2: Role>(
        &self,
        cspace: &Cap<LocalCNode>,
        dest: CNodeSlot<R2>,
    ) -> Result<Cap<Out, R2>, Refused<CNodeSlot<R2>>>
    where
        R: Invocable,
        T: Copyable + CopyInto<Out>,
    {
        // SAFETY: the source is a live capability in the caller's CSpace and `dest` an empty slot the token
        // owns; the kernel checks both and reports failure as an error.
        let result = unsafe {
            sys::cnode_copy(
                dest.cnode(),
                dest.start(),
                dest.depth(),
                cspace.cptr(),
                self.cptr(),
                WORD_DEPTH,
                rights_of::<Out>(),
            )
        };
        let dest = Refused::check(Operation::CNodeCopy, result, dest)?;
        Ok(Cap::new(dest.start(), self.object().copied()))
    }

    /// Copies an endpoint or notification capability into `dest` with a badge (`seL4_CNode_Mint`); the
    /// copy's type says its rights, which can only be the source's or fewer. A receiver sees the badge on
    /// what arrives through the copy. If the kernel refuses, `dest` comes back empty in the [`Refused`].
    ///
    /// ```no_run
    /// # fn demo(ep: selkie::Cap<selkie::Endpoint>, cspace: &selkie::Cap<selkie::LocalCNode>,
    /// #         slot: selkie::CNodeSlot) -> Result<(), selkie::Error> {
    /// use selkie::{rights::WriteOnly, Badge, Badgeable, Cap, Endpoint};
    /// let sender: Cap<Endpoint<WriteOnly>> = ep.mint(cspace, slot, Badge::new(7)?)?;
    /// assert_eq!(sender.object().badge().value(), 7);
    /// # Ok(()) }
    /// ```
    pub fn mint<Out: CapType, R2: Role>(
        &self,
        cspace: &Cap<LocalCNode>,
        dest: CNodeSlot<R2>,
        badge: Badge,
    ) -> Result<Cap<Out, R2>, Refused<CNodeSlot<R2>>>
    where
        R: Invocable,
        T: MintInto<Out>,
    {
        // SAFETY: as in `copy`.
        let result = unsafe {
            sys::cnode_mint(
                dest.cnode(),
                dest.start(),
                dest.depth(),
                cspace.cptr(),
                self.cptr(),
                WORD_DEPTH,
                rights_of::<Out>(),
                badge.cap_data(),
            )
        };
        let dest = Refused::check(Operation::CNodeMint, result, dest)?;
        Ok(Cap::new(dest.start(), self.object().minted(badge)))
    }

    /// Moves the capability into `dest` (`seL4_CNode_Move`); returns it and the slot it left. If the kernel
    /// refuses, the capability (still in its slot) and `dest` (still empty) come back in the [`Refused`].
    pub fn move_to<R2: Role>(
        self,
        cspace: &Cap<LocalCNode>,
        dest: CNodeSlot<R2>,
    ) -> Result<Moved<T, R2>, MoveRefused<T, R, R2>>
    where
        R: Invocable,
    {
        // SAFETY: the source is a live capability in the caller's CSpace, consumed here; `dest` is an empty
        // slot the token owns.
        let result = unsafe {
            sys::cnode_move(
                dest.cnode(),
                dest.start(),
                dest.depth(),
                cspace.cptr(),
                self.cptr(),
                WORD_DEPTH,
            )
        };
        let (this, dest) = Refused::check(Operation::CNodeMove, result, (self, dest))?;
        let (cptr, object) = this.into_parts();
        Ok((Cap::new(dest.start(), object), vacated(cspace, cptr)))
    }

    /// Moves a CNode capability into `dest` and sets its guard (`seL4_CNode_Mutate`); returns it and the
    /// slot it left. This is how a CNode becomes a CSpace root: its guard makes up the address bits its radix
    /// does not resolve. (On this kernel, mutating other capabilities changes nothing or fails.) If the kernel
    /// refuses (a guard that does not fit, ...), the capability (still in its slot, with its old guard) and
    /// `dest` (still empty) come back in the [`Refused`].
    pub fn mutate<R2: Role>(
        self,
        cspace: &Cap<LocalCNode>,
        dest: CNodeSlot<R2>,
        guard: CNodeGuard,
    ) -> Result<Moved<T, R2>, MoveRefused<T, R, R2>>
    where
        R: Invocable,
        T: Guardable,
    {
        // SAFETY: as in `move_to`.
        let result = unsafe {
            sys::cnode_mutate(
                dest.cnode(),
                dest.start(),
                dest.depth(),
                cspace.cptr(),
                self.cptr(),
                WORD_DEPTH,
                guard.cap_data(),
            )
        };
        let (this, dest) = Refused::check(Operation::CNodeMutate, result, (self, dest))?;
        let (cptr, object) = this.into_parts();
        Ok((Cap::new(dest.start(), object), vacated(cspace, cptr)))
    }

    /// Deletes the capability (`seL4_CNode_Delete`) and returns its empty slot. The object goes away when
    /// its last capability does. The kernel finishes a delete it has started (a long one is preempted and
    /// resumed, never left half done), so if it refuses, it refused before starting and the capability comes
    /// back unchanged in the [`Refused`].
    pub fn delete(self, cspace: &Cap<LocalCNode>) -> Result<CNodeSlot<Local>, Refused<Self>>
    where
        R: Invocable,
    {
        // SAFETY: deletes a capability the token owns, which the token's consumption accounts for.
        let result = unsafe { sys::cnode_delete(cspace.cptr(), self.cptr(), WORD_DEPTH) };
        let this = Refused::check(Operation::CNodeDelete, result, self)?;
        Ok(vacated(cspace, this.cptr()))
    }

    /// Deletes every capability derived from this one (`seL4_CNode_Revoke`): copies, mints, and for untyped
    /// memory every object made from it. Their tokens elsewhere become stale: invoking them fails.
    pub fn revoke(&mut self, cspace: &Cap<LocalCNode>) -> Result<(), Error>
    where
        R: Invocable,
    {
        revoke_raw(cspace, self.cptr())
    }
}

/// The kernel rights word for a copy of type `Out`: its rights if it has them, else all (which keeps the
/// source's).
fn rights_of<Out: CapType>() -> sys::CapRights {
    sys::CapRights::from_word(Out::RIGHTS)
}

/// The slot at `cptr` in the caller's CSpace, just emptied.
fn vacated(cspace: &Cap<LocalCNode>, cptr: sys::CPtr) -> CNodeSlot<Local> {
    CNodeSlot::new(cspace.cptr(), WORD_DEPTH, cptr, 1)
}

/// Revokes the capability at `cptr` in the caller's CSpace.
pub(crate) fn revoke_raw(cspace: &Cap<LocalCNode>, cptr: sys::CPtr) -> Result<(), Error> {
    // SAFETY: revocation only deletes capabilities; tokens for them report kernel errors when used.
    let result = unsafe { sys::cnode_revoke(cspace.cptr(), cptr, WORD_DEPTH) };
    Error::check(Operation::CNodeRevoke, result)
}

/// Empties the slot at `index` of the CNode `cnode` (addressed with `depth` bits).
pub(crate) fn delete_raw(cnode: sys::CPtr, index: sys::Word, depth: u8) -> Result<(), Error> {
    // SAFETY: deleting a capability only affects kernel state; tokens for it report kernel errors when used.
    let result = unsafe { sys::cnode_delete(cnode, index, depth) };
    Error::check(Operation::CNodeDelete, result)
}
