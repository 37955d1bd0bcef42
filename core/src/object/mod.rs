//! Capability types: one marker per kind of kernel object, with the facts the typed layer needs about it.
//!
//! A value of one of these types is the data a [`Cap`](crate::Cap) carries besides its address (a badge, a
//! physical address); most are empty. Architecture-specific objects (paging structures, frames, I/O ports,
//! ASIDs) are in [`arch`](crate::arch).

mod cnode;
mod control;
mod ipc;
mod tcb;

pub use cnode::{CNode, CNodeGuard, Guardable, LocalCNode};
pub use control::{Domain, IrqControl, IrqHandler};
pub use ipc::{Endpoint, Notification};
pub use tcb::Tcb;

use selkie_sys as sys;
use typenum::Unsigned;

use crate::sealed::Sealed;
use crate::Error;

/// A kind of kernel object a capability can point to.
pub trait CapType: Sealed + Copy + 'static {
    /// A short human name, e.g. `"TCB"`.
    const NAME: &'static str;
    /// The cap tag the kernel's debug cap-identify call (`seL4_DebugCapIdentify`) reports for this type.
    const KERNEL_TAG: sys::Word;
    /// The capability's rights as the kernel's rights word: all rights unless the type says fewer.
    const RIGHTS: sys::Word = 0b111;
}

/// A kernel object of fixed size that untyped memory can be retyped into.
pub trait KernelObject: CapType {
    /// The object's size as a power of two, as a type.
    type SizeBits: Unsigned;
    /// The kernel's object type number.
    const OBJECT_TYPE: sys::ObjectType;

    /// The capability data for an object the kernel just created at physical address `paddr`.
    #[doc(hidden)]
    fn created_at(paddr: sys::Word) -> Self;
}

/// A capability type that carries a badge: endpoints and notifications.
#[diagnostic::on_unimplemented(
    message = "only endpoint and notification capabilities carry badges, not `{Self}`",
    label = "cannot set a badge on this capability"
)]
pub trait Badgeable: CapType {
    /// The badge this capability carries (0 for none).
    fn badge(&self) -> Badge;
}

/// A badge: the word a receiver sees identifying which minted capability a message or signal came through.
///
/// ```
/// use selkie::{Badge, Error};
/// assert_eq!(Badge::new(42).unwrap().value(), 42);
/// assert_eq!(Badge::new(1 << 40), Err(Error::BadgeTooWide { badge: 1 << 40, bits: 28 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Badge(sys::Word);

impl Badge {
    /// The width of a badge on this kernel (`seL4_BadgeBits`).
    pub const BITS: u8 = 28;
    /// No badge.
    pub const NONE: Badge = Badge(0);

    /// A badge with value `value`, which must fit in [`Badge::BITS`] bits.
    pub fn new(value: sys::Word) -> Result<Badge, Error> {
        if value >> Self::BITS == 0 {
            Ok(Badge(value))
        } else {
            Err(Error::BadgeTooWide {
                badge: value,
                bits: Self::BITS,
            })
        }
    }

    /// The badge's value.
    pub fn value(self) -> sys::Word {
        self.0
    }

    /// The badge as the kernel's `seL4_CapData` word (badge form: tag bit 31 clear, badge in bits 0-27).
    pub(crate) fn cap_data(self) -> sys::Word {
        self.0
    }
}

/// Implements [`Sealed`] and [`CapType`] for a capability type: `cap_type!(Type<Params>, "name", TAG)`.
macro_rules! cap_type {
    ($ty:ident $(<$($p:ident $(: $b:path)?),*>)?, $name:expr, $tag:expr $(, rights = $rights:ty)?) => {
        impl$(<$($p $(: $b)?),*>)? $crate::sealed::Sealed for $ty$(<$($p),*>)? {}
        impl$(<$($p $(: $b)? + 'static),*>)? $crate::object::CapType for $ty$(<$($p),*>)? {
            const NAME: &'static str = $name;
            const KERNEL_TAG: ::selkie_sys::Word = $tag;
            $(const RIGHTS: ::selkie_sys::Word = <$rights as $crate::rights::RightsSet>::BITS;)?
        }
    };
}
pub(crate) use cap_type;

/// Asserts at compile time that a type-level size equals the kernel's constant.
macro_rules! assert_size {
    ($ty:ty, $kernel:expr) => {
        const _: () = assert!(<$ty as ::typenum::Unsigned>::USIZE == $kernel);
    };
}
pub(crate) use assert_size;
