//! The compile-time checks of the typed layer, each named once as a trait.
//!
//! Each check is a comparison of type-level numbers whose result (`B1` or `B0`) must implement a small trait
//! carrying `#[diagnostic::on_unimplemented]`: when the check fails, the first line of the compiler's error
//! names the problem in plain words ("not enough CNode slots") instead of typenum's internals. The traits a
//! user writes in a where-clause (`TakeSlots`, `RetypeInto`, ...) are aliases with blanket impls that bundle
//! the comparison and its check.

use core::ops::{Add, Shl, Sub};

use typenum::{GrEq, IsGreaterOrEqual, IsLessOrEqual, LeEq, Shleft, Sum, Unsigned, B1, U1, U4};

use crate::object::{CNode, CapType, DeviceObject, KernelObject};
use crate::untyped::{Device, General, MemoryKind, Untyped};

/// The kernel's smallest untyped object (`seL4_MinUntypedBits`), as a type.
pub type MinUntypedBits = U4;
/// The size of one CNode slot (`seL4_SlotBits`: 2^5 bytes on x86_64, 2^4 on aarch32), as a type.
pub use crate::arch::SlotBits;
/// The kernel's limit on objects made by one retype (`CONFIG_RETYPE_FAN_OUT_LIMIT`), as a type.
pub type FanOutLimit = selkie_sys::config::RetypeFanOutLimit;
const _: () = assert!(
    MinUntypedBits::USIZE == selkie_sys::MIN_UNTYPED_BITS
        && SlotBits::USIZE == selkie_sys::SLOT_BITS
        && FanOutLimit::USIZE == selkie_sys::config::RETYPE_FAN_OUT_LIMIT,
    "a type-level kernel constant disagrees with the generated bindings"
);

// ---- slots ----

/// The check behind [`TakeSlots`]: implemented for `B1`, the result of `N >= K`.
#[diagnostic::on_unimplemented(
    message = "not enough CNode slots",
    label = "this takes more slots than the pool has",
    note = "take fewer slots, or take them from a larger `CNodeSlots`"
)]
pub trait EnoughSlots<N, K> {
    /// The number of slots left, `N - K`.
    type Rest: Unsigned;
}
#[diagnostic::do_not_recommend]
impl<N: Sub<K>, K> EnoughSlots<N, K> for B1
where
    N::Output: Unsigned,
{
    type Rest = N::Output;
}

/// `N: TakeSlots<K>`: a pool of `N` slots has at least `K`; `N::Rest` is what is left.
pub trait TakeSlots<K>: Unsigned {
    /// The number of slots left, `N - K`.
    type Rest: Unsigned;
}
impl<N: Unsigned + IsGreaterOrEqual<K>, K> TakeSlots<K> for N
where
    GrEq<N, K>: EnoughSlots<N, K>,
{
    type Rest = <GrEq<N, K> as EnoughSlots<N, K>>::Rest;
}

// ---- retype ----

/// Which objects memory of a kind may become: general memory anything, device memory only frames.
#[diagnostic::on_unimplemented(
    message = "device memory can only be retyped into frames",
    label = "this untyped is device memory, which cannot hold kernel objects",
    note = "kernel objects must live in general memory; take this object from a general `Untyped`"
)]
pub trait MayHold<T>: MemoryKind {}
impl<T: CapType> MayHold<T> for General {}
#[diagnostic::do_not_recommend]
impl<T: DeviceObject> MayHold<T> for Device {}

/// The check behind [`RetypeInto`]: implemented for `B1`, the result of `Bits >= T::SizeBits`.
#[diagnostic::on_unimplemented(
    message = "untyped memory too small for `{T}`",
    label = "this untyped is smaller than the object",
    note = "retype a larger `Untyped`; an object needs `Bits` at least its size in bits"
)]
pub trait BigEnoughFor<T> {}
impl<T> BigEnoughFor<T> for B1 {}

/// `Untyped<Bits, Kind>: RetypeInto<T>`: the memory is large enough for a `T` and of a kind that may hold it.
pub trait RetypeInto<T: KernelObject> {}
impl<Bits, K, T> RetypeInto<T> for Untyped<Bits, K>
where
    T: KernelObject,
    Bits: Unsigned + IsGreaterOrEqual<T::SizeBits>,
    K: MayHold<T>,
    GrEq<Bits, T::SizeBits>: BigEnoughFor<T>,
{
}

/// The check behind [`SplitInto`]: the parts are no smaller than the kernel's minimum untyped size.
#[diagnostic::on_unimplemented(
    message = "untyped memory too small to split",
    label = "the parts would be smaller than the kernel's smallest untyped (2^4 bytes)"
)]
pub trait NotBelowMinimum {}
#[diagnostic::do_not_recommend]
impl NotBelowMinimum for B1 {}

/// `Bits: SplitInto<Shift>`: `2^Bits` bytes of untyped memory can be cut into `2^Shift` parts of
/// `2^(Bits - Shift)` bytes, each at least the kernel's smallest untyped.
pub trait SplitInto<Shift>: Unsigned + Sub<Shift, Output: Unsigned> {}
impl<Bits, Shift> SplitInto<Shift> for Bits
where
    Shift: Add<MinUntypedBits>,
    Bits: Unsigned + Sub<Shift, Output: Unsigned> + IsGreaterOrEqual<Sum<Shift, MinUntypedBits>>,
    GrEq<Bits, Sum<Shift, MinUntypedBits>>: NotBelowMinimum,
{
}

/// The check on a retype's object count: at most the kernel's fan-out limit.
#[diagnostic::on_unimplemented(
    message = "too many objects for one retype",
    label = "more objects than the kernel's retype fan-out limit (CONFIG_RETYPE_FAN_OUT_LIMIT)",
    note = "retype in several batches"
)]
pub trait WithinFanOut {}
impl WithinFanOut for B1 {}

/// The check on a retype's total size: `Count` objects of type `T` fit in the untyped.
#[diagnostic::on_unimplemented(
    message = "untyped memory too small for that many `{T}` objects",
    label = "the objects together are larger than this untyped"
)]
pub trait FitsObjects<T> {}
impl<T> FitsObjects<T> for B1 {}

/// `Untyped<Bits, K>: RetypeMany<T, Count>`: `Count` objects of type `T` fit in the memory and in one retype.
pub trait RetypeMany<T: KernelObject, Count: Unsigned> {}
impl<Bits, K, T, Count> RetypeMany<T, Count> for Untyped<Bits, K>
where
    T: KernelObject,
    Bits: Unsigned,
    K: MayHold<T>,
    Count: Unsigned + IsLessOrEqual<FanOutLimit> + Shl<T::SizeBits>,
    U1: Shl<Bits>,
    Shleft<Count, T::SizeBits>: IsLessOrEqual<Shleft<U1, Bits>>,
    LeEq<Count, FanOutLimit>: WithinFanOut,
    LeEq<Shleft<Count, T::SizeBits>, Shleft<U1, Bits>>: FitsObjects<T>,
{
}

/// The check behind [`RetypeCNode`]: `2^Radix` slots of `2^5` bytes fit in the untyped.
#[diagnostic::on_unimplemented(
    message = "untyped memory too small for a CNode of that many slots",
    label = "a CNode of 2^Radix slots needs 2^(Radix + 5) bytes"
)]
pub trait FitsCNode {}
impl FitsCNode for B1 {}

/// `Untyped<Bits, K>: RetypeCNode<Radix>`: a CNode of `2^Radix` slots fits in the memory.
pub trait RetypeCNode<Radix: CNodeRadix> {}
impl<Bits, K, Radix> RetypeCNode<Radix> for Untyped<Bits, K>
where
    Radix: CNodeRadix + Add<SlotBits>,
    K: MayHold<CNode<Radix>>,
    Bits: Unsigned + IsGreaterOrEqual<Sum<Radix, SlotBits>>,
    GrEq<Bits, Sum<Radix, SlotBits>>: FitsCNode,
{
}

/// A CNode radix selkie supports (1 to 24 bits), with its slot count `2^Radix` as a type.
#[diagnostic::on_unimplemented(
    message = "a CNode radix must be a type-level number from 1 to 24",
    label = "not a supported CNode radix"
)]
pub trait CNodeRadix: Unsigned {
    /// The number of slots, `2^Radix`.
    type Slots: Unsigned;
}

/// Implements [`CNodeRadix`] for each listed radix.
macro_rules! cnode_radix {
    ($($radix:ident),*) => {$(
        impl CNodeRadix for typenum::$radix {
            type Slots = Shleft<U1, typenum::$radix>;
        }
    )*};
}
cnode_radix!(
    U1, U2, U3, U4, U5, U6, U7, U8, U9, U10, U11, U12, U13, U14, U15, U16, U17, U18, U19, U20, U21, U22, U23, U24
);
