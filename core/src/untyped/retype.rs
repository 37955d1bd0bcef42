//! Splitting untyped memory and retyping it into kernel objects.

use selkie_sys as sys;
use typenum::{Diff, Unsigned, U1, U2, U4};

use super::{CapRange, MemoryKind, Untyped};
use crate::bounds::{CNodeRadix, RetypeCNode, RetypeInto, RetypeMany, SplitInto};
use crate::object::{CNode, KernelObject};
use crate::role::{Child, Invocable, Local, Role};
use crate::slots::{CNodeSlot, CNodeSlots};
use crate::{Cap, Error, Operation};

/// Two halves of an untyped.
type Halves<Bits, K, R> = (Cap<Untyped<Bits, K>, R>, Cap<Untyped<Bits, K>, R>);
/// Four quarters of an untyped.
type Quarters<Bits, K, R> = (
    Cap<Untyped<Bits, K>, R>,
    Cap<Untyped<Bits, K>, R>,
    Cap<Untyped<Bits, K>, R>,
    Cap<Untyped<Bits, K>, R>,
);

/// Calls `seL4_Untyped_Retype` to make `count` objects in `dest`'s slots.
fn retype_raw<N, R: Role>(
    untyped: sys::CPtr,
    object: sys::ObjectType,
    size_bits: usize,
    dest: &CNodeSlots<N, R>,
    count: usize,
) -> Result<(), Error> {
    // SAFETY: `untyped` is a live untyped capability the caller's token owns and `dest` names empty slots the
    // caller's token owns; the kernel checks sizes and reports failure as an error.
    let result = unsafe {
        sys::untyped_retype(
            untyped,
            object as sys::Word,
            size_bits as sys::Word,
            dest.cnode(),
            0,
            0,
            dest.start(),
            count as sys::Word,
        )
    };
    Error::check(Operation::UntypedRetype, result)
}

impl<Bits: Unsigned, K: MemoryKind, R: Role> Cap<Untyped<Bits, K>, R> {
    /// Splits the memory into two halves of `2^(Bits - 1)` bytes, placed in `dest`.
    ///
    /// The halves come back in address order. Splitting below the kernel's smallest untyped (`2^4` bytes)
    /// does not compile.
    pub fn split<R2: Role>(self, dest: CNodeSlots<U2, R2>) -> Result<Halves<Diff<Bits, U1>, K, R2>, Error>
    where
        R: Invocable,
        Bits: SplitInto<U1>,
    {
        let part = Diff::<Bits, U1>::USIZE;
        retype_raw(self.cptr(), sys::ObjectType::Untyped, part, &dest, 2)?;
        let (p, s) = (self.paddr(), dest.start());
        Ok((
            Cap::new(s, Untyped::at(p)),
            Cap::new(s + 1, Untyped::at(p + (1 << part))),
        ))
    }

    /// Splits the memory into four quarters of `2^(Bits - 2)` bytes, placed in `dest`, in address order.
    pub fn quarter<R2: Role>(self, dest: CNodeSlots<U4, R2>) -> Result<Quarters<Diff<Bits, U2>, K, R2>, Error>
    where
        R: Invocable,
        Bits: SplitInto<U2>,
    {
        let part = Diff::<Bits, U2>::USIZE;
        retype_raw(self.cptr(), sys::ObjectType::Untyped, part, &dest, 4)?;
        let (p, s) = (self.paddr(), dest.start());
        let q = |i: u64| Cap::new(s + i, Untyped::at(p + (i << part)));
        Ok((q(0), q(1), q(2), q(3)))
    }

    /// Turns the memory into one kernel object of type `T`, whose capability goes in `dest`
    /// (`seL4_Untyped_Retype`). The memory must be at least as large as the object, and device memory only
    /// becomes frames; otherwise this does not compile.
    ///
    /// ```no_run
    /// # fn demo(ut: selkie::Cap<selkie::Untyped<selkie::typenum::U12>>, slot: selkie::CNodeSlot)
    /// # -> Result<(), selkie::Error> {
    /// use selkie::{Cap, Tcb};
    /// let tcb: Cap<Tcb> = ut.retype(slot)?;
    /// # let _ = tcb; Ok(()) }
    /// ```
    pub fn retype<T: KernelObject, R2: Role>(self, dest: CNodeSlot<R2>) -> Result<Cap<T, R2>, Error>
    where
        R: Invocable,
        Untyped<Bits, K>: RetypeInto<T>,
    {
        retype_raw(self.cptr(), T::OBJECT_TYPE, T::SizeBits::USIZE, &dest, 1)?;
        Ok(Cap::new(dest.start(), T::created_at(self.paddr())))
    }

    /// Turns the memory into `Count` objects of type `T` in one kernel call, their capabilities in `dest`.
    /// `Count` may not exceed the kernel's retype fan-out limit, and the objects must fit.
    pub fn retype_multi<T: KernelObject, Count: Unsigned, R2: Role>(
        self,
        dest: CNodeSlots<Count, R2>,
    ) -> Result<CapRange<T, R2, Count>, Error>
    where
        R: Invocable,
        Untyped<Bits, K>: RetypeMany<T, Count>,
    {
        retype_raw(self.cptr(), T::OBJECT_TYPE, T::SizeBits::USIZE, &dest, Count::USIZE)?;
        Ok(CapRange::new(dest.start(), Count::USIZE, self.paddr()))
    }

    /// Turns the memory into a CNode of `2^Radix` slots: returns its capability and its slots, which hold
    /// capabilities for a child whose CSpace root that CNode becomes.
    #[allow(clippy::type_complexity)]
    pub fn retype_cnode<Radix: CNodeRadix>(
        self,
        dest: CNodeSlot<Local>,
    ) -> Result<(Cap<CNode<Radix>>, CNodeSlots<Radix::Slots, Child>), Error>
    where
        R: Invocable,
        Untyped<Bits, K>: RetypeCNode<Radix>,
    {
        retype_raw(self.cptr(), sys::ObjectType::CapTable, Radix::USIZE, &dest, 1)?;
        let cnode = dest.start();
        let slots = CNodeSlots::new(cnode, Radix::U8, 0, 1 << Radix::USIZE);
        Ok((Cap::new(cnode, CNode::new()), slots))
    }
}
