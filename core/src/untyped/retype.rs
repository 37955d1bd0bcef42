//! Splitting untyped memory and retyping it into kernel objects.

use selkie_sys as sys;
use typenum::{Diff, Unsigned, U1, U2, U4};

use super::{CapRange, MemoryKind, Untyped};
use crate::bounds::{CNodeRadix, RetypeCNode, RetypeInto, RetypeMany, SplitInto};
use crate::object::{invoke, CNode, KernelObject};
use crate::role::{Child, FlowsInto, Invocable, Local, Role};
use crate::slots::{CNodeSlot, CNodeSlots};
use crate::{Cap, Operation, Refused};

/// What a retype consumes: the untyped and the destination slots.
type Inputs<U, N, R2> = (U, CNodeSlots<N, R2>);
/// What a retype consumes, handed back when the kernel refuses.
type RetypeRefused<U, N, R2> = Refused<Inputs<U, N, R2>>;
/// An untyped's part of `2^Part` bytes.
type Piece<Part, K, R> = Cap<Untyped<Part, K>, R>;
/// The two halves of a `2^Bits`-byte untyped.
type Halves<Bits, K, R> = (Piece<Diff<Bits, U1>, K, R>, Piece<Diff<Bits, U1>, K, R>);
/// The four quarters of a `2^Bits`-byte untyped.
type Quarters<Bits, K, R> = (
    Piece<Diff<Bits, U2>, K, R>,
    Piece<Diff<Bits, U2>, K, R>,
    Piece<Diff<Bits, U2>, K, R>,
    Piece<Diff<Bits, U2>, K, R>,
);

impl<Bits: Unsigned, K: MemoryKind, R: Role> Cap<Untyped<Bits, K>, R> {
    /// Calls `seL4_Untyped_Retype` to make `dest.len()` objects in `dest`'s slots. On a refusal the kernel has
    /// checked everything before changing anything, so the untyped and the slots come back as they were.
    fn retype_raw<N, R2: Role>(
        self,
        object: sys::ObjectType,
        size_bits: usize,
        dest: CNodeSlots<N, R2>,
    ) -> Result<Inputs<Self, N, R2>, RetypeRefused<Self, N, R2>> {
        let (inputs, ()) = invoke(Operation::UntypedRetype, (self, dest), |(this, dest)| {
            retype_call(this.cptr(), object, size_bits, dest)
        })?;
        Ok(inputs)
    }

    /// Splits the memory into two halves of `2^(Bits - 1)` bytes, placed in `dest`.
    ///
    /// The halves come back in address order. Splitting below the kernel's smallest untyped (`2^4` bytes)
    /// does not compile. If the kernel refuses, the memory and the slots come back in the [`Refused`].
    pub fn split<R2: Role>(self, dest: CNodeSlots<U2, R2>) -> Result<Halves<Bits, K, R2>, RetypeRefused<Self, U2, R2>>
    where
        R: Invocable + FlowsInto<R2>,
        Bits: SplitInto<U1>,
    {
        let part = Diff::<Bits, U1>::USIZE;
        let (this, dest) = self.retype_raw(sys::ObjectType::Untyped, part, dest)?;
        let (p, s) = (this.paddr(), dest.start());
        Ok((
            Cap::new(s, Untyped::from_data(p)),
            Cap::new(s + 1, Untyped::from_data(p + (1 << part))),
        ))
    }

    /// Splits the memory into four quarters of `2^(Bits - 2)` bytes, placed in `dest`, in address order. If
    /// the kernel refuses, the memory and the slots come back in the [`Refused`].
    pub fn quarter<R2: Role>(
        self,
        dest: CNodeSlots<U4, R2>,
    ) -> Result<Quarters<Bits, K, R2>, RetypeRefused<Self, U4, R2>>
    where
        R: Invocable + FlowsInto<R2>,
        Bits: SplitInto<U2>,
    {
        let part = Diff::<Bits, U2>::USIZE;
        let (this, dest) = self.retype_raw(sys::ObjectType::Untyped, part, dest)?;
        let (p, s) = (this.paddr(), dest.start());
        let q = |i: sys::Word| Cap::new(s + i, Untyped::from_data(p + (i << part)));
        Ok((q(0), q(1), q(2), q(3)))
    }

    /// Turns the memory into one kernel object of type `T`, whose capability goes in `dest`
    /// (`seL4_Untyped_Retype`). The memory must be at least as large as the object, and device memory only
    /// becomes frames; otherwise this does not compile. If the kernel refuses (the slot is not empty, the
    /// memory is already used, ...), the memory and the slot come back unchanged in the [`Refused`].
    ///
    /// ```no_run
    /// # fn demo(ut: selkie::Cap<selkie::Untyped<selkie::typenum::U12>>, slot: selkie::CNodeSlot)
    /// # -> Result<(), selkie::Error> {
    /// use selkie::{Cap, Tcb};
    /// let tcb: Cap<Tcb> = ut.retype(slot)?;
    /// # let _ = tcb; Ok(()) }
    /// ```
    pub fn retype<T: KernelObject, R2: Role>(
        self,
        dest: CNodeSlot<R2>,
    ) -> Result<Cap<T, R2>, RetypeRefused<Self, U1, R2>>
    where
        R: Invocable + FlowsInto<R2>,
        Untyped<Bits, K>: RetypeInto<T>,
    {
        let (this, dest) = self.retype_raw(T::OBJECT_TYPE, T::SizeBits::USIZE, dest)?;
        Ok(Cap::new(dest.start(), T::created_at(this.paddr())))
    }

    /// Turns the memory into `Count` objects of type `T` in one kernel call, their capabilities in `dest`.
    /// `Count` may not exceed the kernel's retype fan-out limit, and the objects must fit. The kernel makes
    /// all of them or none: if it refuses, the memory and the slots come back unchanged in the [`Refused`].
    pub fn retype_multi<T: KernelObject, Count: Unsigned, R2: Role>(
        self,
        dest: CNodeSlots<Count, R2>,
    ) -> Result<CapRange<T, R2, Count>, RetypeRefused<Self, Count, R2>>
    where
        R: Invocable + FlowsInto<R2>,
        Untyped<Bits, K>: RetypeMany<T, Count>,
    {
        let (this, dest) = self.retype_raw(T::OBJECT_TYPE, T::SizeBits::USIZE, dest)?;
        Ok(CapRange::new(dest.start(), Count::USIZE, this.paddr()))
    }

    /// Turns the memory into a CNode of `2^Radix` slots: returns its capability and its slots, which hold
    /// capabilities for a child whose CSpace root that CNode becomes. The CNode's capability goes into a slot
    /// of the memory's own scope, and its slots carry that scope too: a CNode made from memory lent to a
    /// temporary scope, and its slots, cannot leave it. If the kernel refuses, the memory and the slot come
    /// back unchanged in the [`Refused`].
    #[allow(clippy::type_complexity)]
    pub fn retype_cnode<Radix: CNodeRadix>(
        self,
        dest: CNodeSlot<Local<R::Scope>>,
    ) -> Result<
        (
            Cap<CNode<Radix>, Local<R::Scope>>,
            CNodeSlots<Radix::Slots, Child<R::Scope>>,
        ),
        RetypeRefused<Self, U1, Local<R::Scope>>,
    >
    where
        R: Invocable,
        Untyped<Bits, K>: RetypeCNode<Radix>,
    {
        let (_, dest) = self.retype_raw(sys::ObjectType::CapTable, Radix::USIZE, dest)?;
        let cnode = dest.start();
        let slots = CNodeSlots::new(cnode, Radix::U8, 0, 1 << Radix::USIZE);
        Ok((Cap::new(cnode, CNode::from_data(())), slots))
    }
}

/// The raw `seL4_Untyped_Retype` call behind every retype and split (also the allocator's), with the
/// destination given as a slot range.
pub(crate) fn retype_call<N, R2: Role>(
    untyped: sys::CPtr,
    object: sys::ObjectType,
    size_bits: usize,
    dest: &CNodeSlots<N, R2>,
) -> Result<(), sys::Error> {
    // SAFETY: `untyped` is a live untyped capability and `dest` names empty slots, both owned by tokens the
    // caller consumes or owns; the kernel checks sizes and reports failure as an error.
    unsafe {
        sys::untyped_retype(
            untyped,
            object.word(),
            size_bits as sys::Word,
            dest.cnode(),
            0,
            0,
            dest.start(),
            dest.len() as sys::Word,
        )
    }
}
