//! CNodes, the tables capabilities live in, and their invocations: copy, mint, move, mutate, delete and
//! revoke.
//!
//! Each operation names its source by its address in the caller's CSpace, through the caller's root CNode
//! ([`LocalCNode`]), and its destination by a [`CNodeSlot`] that it consumes. The kernel checks an operation
//! completely before it changes anything, so when it refuses, the tokens the operation consumed come back
//! unchanged in a [`Refused`]. A result may only go into a slot whose scope accepts its source's
//! ([`FlowsInto`]): nothing made from lent resources lands outside the temporary scope that lent them.

use selkie_sys as sys;
use typenum::Unsigned;

use super::{invoke, Badge, CapType, CopyInto, Copyable, MintInto};
use crate::role::{FlowsInto, Invocable, OwnsSlot, Role};
use crate::slots::CNodeSlot;
use crate::{Cap, Error, Operation, Refused};

kernel_object! {
    /// A CNode with `2^Radix` slots, made by [`Cap::retype_cnode`](crate::Cap::retype_cnode).
    pub struct CNode<Radix: Unsigned>(());
    name: "CNode",
    tag: CNODE,
}

kernel_object! {
    /// The CNode at the root of the caller's own CSpace. Operations that name a source capability by its
    /// address in the caller's CSpace (copy, mint, move, delete, ...) take a reference to it.
    pub struct LocalCNode<>(());
    name: "CNode",
    tag: CNODE,
}

/// The CNode cap-data word's layout (`seL4_CNode_CapData`: the guard value from bit 8, the guard size just
/// below it). The generated bindings do not carry it (it is a kernel bitfield, `cnode_capdata`, that the
/// generator does not read), so it is stated here once, with what follows from the word size: the guard-size
/// field holds a size below the word's bit count, and ends where the guard value starts on both word sizes.
const GUARD_SHIFT: u32 = 8;
/// The guard-size field's width: enough bits for any size below `seL4_WordBits` (6 on 64-bit, 5 on 32-bit).
const GUARD_SIZE_WIDTH: u32 = sys::WORD_BITS.trailing_zeros();
/// Where the guard size starts: right below the guard value (bit 2 on 64-bit, bit 3 on 32-bit).
const GUARD_SIZE_SHIFT: u32 = GUARD_SHIFT - GUARD_SIZE_WIDTH;
/// The guard value's width in the cap-data word.
const GUARD_VALUE_BITS: u32 = 18;
const _: () = assert!(GUARD_SHIFT + GUARD_VALUE_BITS <= sys::WORD_BITS as u32);

/// A CNode capability's guard: `size_bits` address bits, which must equal `value`, that a lookup consumes
/// before the CNode's radix. Set with [`Cap::mutate`].
///
/// ```
/// use selkie::CNodeGuard;
/// // A 2^12-slot CSpace root resolves 64-bit addresses with a 52-bit zero guard.
/// let g = CNodeGuard::new(0, 52).unwrap();
/// assert_eq!(g.size_bits(), 52);
/// assert!(CNodeGuard::new(1 << 18, 20).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CNodeGuard {
    value: sys::Word,
    size_bits: u8,
}

impl CNodeGuard {
    /// The widest guard value the kernel stores, in bits.
    pub const VALUE_BITS: u8 = GUARD_VALUE_BITS as u8;

    /// A guard of `size_bits` bits (less than the word size) with value `value` (which must fit in it and in
    /// [`CNodeGuard::VALUE_BITS`]).
    pub fn new(value: sys::Word, size_bits: u8) -> Result<Self, Error> {
        let fits = (size_bits as usize) < sys::WORD_BITS
            && value >> Self::VALUE_BITS == 0
            && (size_bits >= Self::VALUE_BITS || value >> size_bits == 0);
        if fits {
            Ok(CNodeGuard { value, size_bits })
        } else {
            Err(Error::BadGuard { value, size_bits })
        }
    }

    /// The guard's value.
    pub fn value(self) -> sys::Word {
        self.value
    }

    /// The guard's size in bits.
    pub fn size_bits(self) -> u8 {
        self.size_bits
    }

    /// The kernel's CNode cap-data word.
    pub(crate) fn cap_data(self) -> sys::Word {
        (self.value << GUARD_SHIFT) | ((self.size_bits as sys::Word) << GUARD_SIZE_SHIFT)
    }
}

/// Capabilities whose guard [`Cap::mutate`] sets: CNodes.
#[diagnostic::on_unimplemented(
    message = "only CNode capabilities can be mutated",
    label = "`mutate` sets a CNode's guard; this is not a CNode capability",
    note = "on this kernel a badge is set with `mint`, not `mutate`"
)]
pub trait Guardable: CapType {}
impl<Radix: Unsigned + 'static> Guardable for CNode<Radix> {}

/// A moved capability and the slot it left, which keeps the capability's role.
type Moved<T, R2, R> = (Cap<T, R2>, CNodeSlot<R>);
/// What a move consumes, handed back when the kernel refuses: the capability and the destination slot.
type MoveRefused<T, R, R2> = Refused<(Cap<T, R>, CNodeSlot<R2>)>;

/// The depth that resolves a whole capability address in the caller's CSpace.
pub(crate) const WORD_DEPTH: u8 = sys::WORD_BITS as u8;

impl<T: CapType, R: Role> Cap<T, R> {
    /// Copies the capability into `dest` (`seL4_CNode_Copy`). The copy's type says its rights: the same as
    /// the source's, or fewer; asking for a right the source lacks does not compile, and neither does copying
    /// untyped memory or copying a capability lent to a temporary scope into a slot outside it.
    ///
    /// ```no_run
    /// # fn demo(ep: selkie::Cap<selkie::Endpoint>, cspace: &selkie::Cap<selkie::LocalCNode>,
    /// #         slot: selkie::CNodeSlot) -> Result<(), selkie::Error> {
    /// use selkie::{rights::ReadOnly, Cap, Endpoint};
    /// let receiver: Cap<Endpoint<ReadOnly>> = ep.copy(cspace, slot)?;
    /// # let _ = receiver; Ok(()) }
    /// ```
    #[inline(always)]
    pub fn copy<Out: CapType, R2: Role>(
        &self,
        cspace: &Cap<LocalCNode, impl Invocable>,
        dest: CNodeSlot<R2>,
    ) -> Result<Cap<Out, R2>, Refused<CNodeSlot<R2>>>
    where
        R: Invocable + FlowsInto<R2>,
        T: Copyable + CopyInto<Out>,
    {
        let (dest, ()) = invoke(Operation::CNodeCopy, dest, |dest| {
            let (src_root, src, rights) = (cspace.cptr(), self.cptr(), rights_of::<Out>());
            // SAFETY: the source is a live capability in the caller's CSpace and `dest` an empty slot the token
            // owns; the kernel checks both and reports failure as an error.
            unsafe { sys::cnode_copy(dest.cnode(), dest.start(), dest.depth(), src_root, src, WORD_DEPTH, rights) }
        })?;
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
        cspace: &Cap<LocalCNode, impl Invocable>,
        dest: CNodeSlot<R2>,
        badge: Badge,
    ) -> Result<Cap<Out, R2>, Refused<CNodeSlot<R2>>>
    where
        R: Invocable + FlowsInto<R2>,
        T: MintInto<Out>,
    {
        let (dest, ()) = invoke(Operation::CNodeMint, dest, |dest| {
            let (src_root, src, rights) = (cspace.cptr(), self.cptr(), rights_of::<Out>());
            // SAFETY: as in `copy`.
            unsafe {
                sys::cnode_mint(
                    dest.cnode(),
                    dest.start(),
                    dest.depth(),
                    src_root,
                    src,
                    WORD_DEPTH,
                    rights,
                    badge.cap_data(),
                )
            }
        })?;
        Ok(Cap::new(dest.start(), self.object().minted(badge)))
    }

    /// Moves the capability into `dest` (`seL4_CNode_Move`); returns it and the slot it left. If the kernel
    /// refuses, the capability (still in its slot) and `dest` (still empty) come back in the [`Refused`].
    pub fn move_to<R2: Role>(
        self,
        cspace: &Cap<LocalCNode, impl Invocable>,
        dest: CNodeSlot<R2>,
    ) -> Result<Moved<T, R2, R>, MoveRefused<T, R, R2>>
    where
        R: Invocable + OwnsSlot + FlowsInto<R2>,
    {
        self.move_with(Operation::CNodeMove, cspace, dest, |src_root, src, dest| {
            // SAFETY: the source is a live capability in the caller's CSpace, consumed here; `dest` is an empty
            // slot the token owns.
            unsafe { sys::cnode_move(dest.cnode(), dest.start(), dest.depth(), src_root, src, WORD_DEPTH) }
        })
    }

    /// Moves a CNode capability into `dest` and sets its guard (`seL4_CNode_Mutate`); returns it and the
    /// slot it left. This is how a CNode becomes a CSpace root: its guard makes up the address bits its radix
    /// does not resolve. (On this kernel, mutating other capabilities changes nothing or fails.) If the kernel
    /// refuses (a guard that does not fit, ...), the capability (still in its slot, with its old guard) and
    /// `dest` (still empty) come back in the [`Refused`].
    pub fn mutate<R2: Role>(
        self,
        cspace: &Cap<LocalCNode, impl Invocable>,
        dest: CNodeSlot<R2>,
        guard: CNodeGuard,
    ) -> Result<Moved<T, R2, R>, MoveRefused<T, R, R2>>
    where
        R: Invocable + OwnsSlot + FlowsInto<R2>,
        T: Guardable,
    {
        self.move_with(Operation::CNodeMutate, cspace, dest, |src_root, src, dest| {
            // SAFETY: as in `move_to`.
            unsafe {
                sys::cnode_mutate(dest.cnode(), dest.start(), dest.depth(), src_root, src, WORD_DEPTH, guard.cap_data())
            }
        })
    }

    /// The shared part of `move_to` and `mutate`: the capability ends up in `dest`, its old slot is returned.
    fn move_with<R2: Role>(
        self,
        op: Operation,
        cspace: &Cap<LocalCNode, impl Invocable>,
        dest: CNodeSlot<R2>,
        call: impl FnOnce(sys::CPtr, sys::CPtr, &CNodeSlot<R2>) -> Result<(), sys::Error>,
    ) -> Result<Moved<T, R2, R>, MoveRefused<T, R, R2>> {
        let src_root = cspace.cptr();
        let ((this, dest), ()) = invoke(op, (self, dest), |(this, dest)| call(src_root, this.cptr(), dest))?;
        let (cptr, object) = this.into_parts();
        Ok((Cap::new(dest.start(), object), vacated(cspace, cptr)))
    }

    /// Deletes the capability (`seL4_CNode_Delete`) and returns its empty slot. The object goes away when
    /// its last capability does. The kernel finishes a delete it has started (a long one is preempted and
    /// resumed, never left half done), so if it refuses, it refused before starting and the capability comes
    /// back unchanged in the [`Refused`].
    #[inline(always)]
    pub fn delete(self, cspace: &Cap<LocalCNode, impl Invocable>) -> Result<CNodeSlot<R>, Refused<Self>>
    where
        R: Invocable + OwnsSlot,
    {
        let (this, ()) = invoke(Operation::CNodeDelete, self, |this| {
            // SAFETY: deletes a capability the token owns, which the token's consumption accounts for.
            unsafe { sys::cnode_delete(cspace.cptr(), this.cptr(), WORD_DEPTH) }
        })?;
        Ok(vacated(cspace, this.cptr()))
    }

    /// Deletes every capability derived from this one (`seL4_CNode_Revoke`): copies, mints, and for untyped
    /// memory every object made from it. Their tokens elsewhere become stale: invoking them fails.
    pub fn revoke(&mut self, cspace: &Cap<LocalCNode, impl Invocable>) -> Result<(), Error>
    where
        R: Invocable,
    {
        revoke_raw(cspace, self.cptr())
    }
}

/// The kernel rights word for a copy of type `Out`: its rights if it has them, else all (which keeps the
/// source's).
#[inline(always)]
fn rights_of<Out: CapType>() -> sys::CapRights {
    sys::CapRights::from_word(Out::RIGHTS)
}

/// The slot at `cptr` in the caller's CSpace, just emptied; it keeps the role of the capability that left it.
#[inline(always)]
fn vacated<R: Role>(cspace: &Cap<LocalCNode, impl Invocable>, cptr: sys::CPtr) -> CNodeSlot<R> {
    CNodeSlot::new(cspace.cptr(), WORD_DEPTH, cptr, 1)
}

/// Revokes the capability at `cptr` in the caller's CSpace.
pub(crate) fn revoke_raw(cspace: &Cap<LocalCNode, impl Invocable>, cptr: sys::CPtr) -> Result<(), Error> {
    invoke(Operation::CNodeRevoke, (), |()| {
        // SAFETY: revocation only deletes capabilities; tokens for them report kernel errors when used.
        unsafe { sys::cnode_revoke(cspace.cptr(), cptr, WORD_DEPTH) }
    })?;
    Ok(())
}

/// Empties the slot at `index` of the CNode `cnode` (addressed with `depth` bits).
pub(crate) fn delete_raw(cnode: sys::CPtr, index: sys::Word, depth: u8) -> Result<(), Error> {
    invoke(Operation::CNodeDelete, (), |()| {
        // SAFETY: deleting a capability only affects kernel state; tokens for it report kernel errors when used.
        unsafe { sys::cnode_delete(cnode, index, depth) }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_cap_data_follows_the_kernel_bitfield() {
        // cnode_capdata (64-bit): guard in bits 8-25, guardSize in bits 2-7.
        assert_eq!((GUARD_SHIFT, GUARD_SIZE_SHIFT, GUARD_VALUE_BITS), (8, 2, 18));
        assert_eq!(CNodeGuard::new(0, 52).unwrap().cap_data(), 52 << 2);
        assert_eq!(CNodeGuard::new(0x3, 2).unwrap().cap_data(), (0x3 << 8) | (2 << 2));
    }

    #[test]
    fn guards_that_do_not_fit_are_errors() {
        assert_eq!(CNodeGuard::new(4, 2), Err(Error::BadGuard { value: 4, size_bits: 2 }));
        assert_eq!(
            CNodeGuard::new(0, 64),
            Err(Error::BadGuard {
                value: 0,
                size_bits: 64
            })
        );
        assert!(CNodeGuard::new(1 << 18, 40).is_err());
        assert!(CNodeGuard::new((1 << 18) - 1, 40).is_ok());
    }
}
