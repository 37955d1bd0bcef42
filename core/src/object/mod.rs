//! Kernel objects: one module per kind of object, holding its type, its facts and its invocations.
//!
//! Each object is declared once, with the private `kernel_object!` macro: the declaration gives its kernel
//! facts (name, cap tag, size and object type for retype, how it copies and mints, whether device memory may
//! hold it) and the macro writes the type and every trait impl those facts imply. Its invocations follow in the
//! same file and go through the private `invoke` helper, the one place that makes the unsafe kernel call, maps
//! the kernel's error and hands the consumed tokens back on a refusal. Adding an object is one file here (or
//! under [`arch`](crate::arch)) and one name in the module list.
//!
//! A value of one of these types is the data a [`Cap`](crate::Cap) carries besides its address (a badge, a
//! physical address); most carry nothing.

use selkie_sys as sys;
use typenum::Unsigned;

use crate::sealed::Sealed;
use crate::{Error, Operation, Refused};

/// A kind of kernel object a capability can point to.
pub trait CapType: Sealed + Copy + 'static {
    /// A short human name, e.g. `"TCB"`.
    const NAME: &'static str;
    /// The cap tag the kernel's debug cap-identify call (`seL4_DebugCapIdentify`) reports for this type.
    const KERNEL_TAG: sys::Word;
    /// The capability's rights as the kernel's rights word: all rights unless the type says fewer.
    const RIGHTS: sys::Word = sys::CapRights::ALL.into_word();
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

/// Capability types that have copies at all: every one but untyped memory.
#[diagnostic::on_unimplemented(
    message = "untyped memory cannot be copied",
    label = "two tokens would account for the same bytes",
    note = "split untyped memory instead of copying it"
)]
pub trait Copyable: CapType {}

/// `T: CopyInto<Out>`: a copy of a `T` capability may be an `Out` capability: the same object type with the
/// same or fewer rights. Untyped memory has no copies (two tokens would account for the same bytes).
#[diagnostic::on_unimplemented(
    message = "a copy cannot change the capability's object type",
    label = "a copy keeps its object type and can only drop rights"
)]
pub trait CopyInto<Out: CapType>: CapType {
    /// The copy's data.
    #[doc(hidden)]
    fn copied(&self) -> Out;
}

/// `T: MintInto<Out>`: a badged copy of a `T` capability may be an `Out` capability: an endpoint or
/// notification with the same or fewer rights.
#[diagnostic::on_unimplemented(
    message = "only endpoint and notification capabilities can be minted with a badge",
    label = "cannot mint this capability as `{Out}`"
)]
pub trait MintInto<Out: CapType>: CapType {
    /// The minted copy's data.
    #[doc(hidden)]
    fn minted(&self, badge: Badge) -> Out;
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

/// Objects device memory may become: frames.
pub trait DeviceObject: CapType {}

/// The data a capability type carries, as it is when the kernel has just made the object.
#[doc(hidden)]
pub trait ObjectData: Copy {
    /// The data of an object just made at physical address `paddr`.
    fn created_at(paddr: sys::Word) -> Self;
}
impl ObjectData for () {
    fn created_at(_: sys::Word) -> Self {}
}
/// Objects that record where they are: the physical address.
impl ObjectData for sys::Word {
    fn created_at(paddr: sys::Word) -> Self {
        paddr
    }
}
/// Badged objects start without a badge.
impl ObjectData for Badge {
    fn created_at(_: sys::Word) -> Self {
        Badge::NONE
    }
}

/// The kernel's badge width (`seL4_BadgeBits`). The generated bindings do not carry it (libsel4 defines it
/// in a header the generator does not read), so it is stated here, once.
const BADGE_BITS: u8 = 28;
const _: () = assert!((BADGE_BITS as usize) < sys::WORD_BITS);

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
    pub const BITS: u8 = BADGE_BITS;
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

    /// The badge as the kernel's `seL4_CapData` word (badge form: the badge in the low [`Badge::BITS`] bits).
    pub(crate) fn cap_data(self) -> sys::Word {
        self.0
    }
}

/// Makes one kernel invocation: the only place the typed layer calls the kernel.
///
/// `call` makes the raw call (the `unsafe` block and its `// SAFETY:` argument stay at the call site, next to
/// the arguments they are about). On success the consumed `inputs` are passed on; on a refusal they come back
/// unchanged in a [`Refused`] with the error naming `op`, because the kernel checks an invocation completely
/// before it changes anything.
///
/// This, and the hot CNode invocations built on it (copy, delete), are `#[inline(always)]`: each is a few
/// register moves around one system call, and a call at the optimisation level users pick (opt-level "s")
/// would cost more than the wrapper itself, with the 32-byte slot token passed and returned through memory.
/// The rest are left to the compiler: forcing all of them inline grows a root task's code by pages, which a
/// child process sharing that code pays for in frames and slots.
#[inline(always)]
pub(crate) fn invoke<I, Out>(
    op: Operation,
    inputs: I,
    call: impl FnOnce(&I) -> Result<Out, sys::Error>,
) -> Result<(I, Out), Refused<I>> {
    match call(&inputs) {
        Ok(out) => Ok((inputs, out)),
        Err(code) => Err(Refused {
            error: Error::Kernel { op, code },
            inputs,
        }),
    }
}

/// Declares a kernel object: its type and every trait its facts imply, in one place.
///
/// ```text
/// kernel_object! {
///     /// Docs.
///     pub struct Endpoint<>(Badge);        // type parameters, and the data the capability carries
///     name: "endpoint",                    // for messages
///     tag: ENDPOINT,                       // its `sys::cap_tag`
///     rights: [Rt],                        // a rights parameter (appended to the type's parameters), or []
///     retype: [U4 = ENDPOINT_BITS, sys::ObjectType::Endpoint],  // size (checked against the kernel's
///                                          // constant) and object type, or [] if retype cannot make it
///     copy: rights,                        // as_is | rights (copies may drop rights) | none
///     mint: [badge],                       // [badge]: minted copies carry a badge, or []
///     device: no,                          // yes: device memory may hold it
/// }
/// ```
///
/// An object with no rights, no badge, copies that are the same, that retype cannot make and device memory
/// cannot hold (the control capabilities, CNodes as named by their parent) gives only `name` and `tag`.
macro_rules! kernel_object {
    (
        $(#[$meta:meta])*
        pub struct $ty:ident<$($p:ident: $b:path $(= $d:ty)?),*>($data:ty);
        name: $name:literal,
        tag: $tag:tt $(,)?
    ) => {
        $crate::object::kernel_object! {
            $(#[$meta])*
            pub struct $ty<$($p: $b $(= $d)?),*>($data);
            name: $name,
            tag: $tag,
            rights: [],
            retype: [],
            copy: as_is,
            mint: [],
            device: no,
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $ty:ident<$($p:ident: $b:path $(= $d:ty)?),*>($data:ty);
        name: $name:literal,
        tag: $tag:tt,
        rights: [$($rt:ident)?],
        retype: [$($retype:tt)*],
        copy: $copy:ident,
        mint: [$($mint:ident)?],
        device: $device:ident $(,)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<$($p: $b $(= $d)?,)* $($rt: $crate::rights::RightsSet = $crate::rights::AllRights)?> {
            data: $data,
            marker: ::core::marker::PhantomData<($($p,)* $($rt,)?)>,
        }

        impl<$($p: $b,)* $($rt: $crate::rights::RightsSet)?> $ty<$($p,)* $($rt)?> {
            /// The object with the data its capability carries.
            #[allow(dead_code)]
            pub(crate) const fn from_data(data: $data) -> Self {
                $ty { data, marker: ::core::marker::PhantomData }
            }
        }

        impl<$($p: $b,)* $($rt: $crate::rights::RightsSet)?> $crate::sealed::Sealed for $ty<$($p,)* $($rt)?> {}
        impl<$($p: $b + 'static,)* $($rt: $crate::rights::RightsSet)?> $crate::object::CapType
            for $ty<$($p,)* $($rt)?>
        {
            const NAME: &'static str = $name;
            const KERNEL_TAG: ::selkie_sys::Word = $crate::object::kernel_object!(@tag $tag);
            $(const RIGHTS: ::selkie_sys::Word = <$rt as $crate::rights::RightsSet>::BITS;)?
        }

        $crate::object::kernel_object!(@retype [$ty] [$($p: $b),*] [$($rt)?] [$($retype)*]);
        $crate::object::kernel_object!(@copy $copy [$ty] [$($p: $b),*] [$($rt)?]);
        $crate::object::kernel_object!(@mint [$($mint)?] [$ty] [$($p: $b),*] [$($rt)?]);
        $crate::object::kernel_object!(@device $device [$ty] [$($p: $b),*] [$($rt)?]);
    };

    // ---- the capability type tag: a name in `selkie_sys::cap_tag`, or an expression in parentheses (a tag
    // that depends on a type parameter, as aarch32's frame sizes do) ----
    (@tag $tag:ident) => { ::selkie_sys::cap_tag::$tag };
    (@tag ($tag:expr)) => { $tag };

    // ---- retype: size and object type ----
    (@retype [$ty:ident] [$($p:ident: $b:path),*] [$($rt:ident)?] []) => {};
    (@retype [$ty:ident] [$($p:ident: $b:path),*] [] [$bits:ty $(= $kbits:ident)?, $otype:expr]) => {
        $crate::object::kernel_object!(@size $bits $(= $kbits)?);
        impl<$($p: $b + 'static),*> $crate::object::KernelObject for $ty<$($p),*> {
            type SizeBits = $bits;
            const OBJECT_TYPE: ::selkie_sys::ObjectType = $otype;
            fn created_at(paddr: ::selkie_sys::Word) -> Self {
                Self::from_data($crate::object::ObjectData::created_at(paddr))
            }
        }
    };
    // A new object's capability has all rights.
    (@retype [$ty:ident] [$($p:ident: $b:path),*] [$rt:ident] [$bits:ty $(= $kbits:ident)?, $otype:expr]) => {
        $crate::object::kernel_object!(@size $bits $(= $kbits)?);
        impl<$($p: $b + 'static),*> $crate::object::KernelObject for $ty<$($p,)* $crate::rights::AllRights> {
            type SizeBits = $bits;
            const OBJECT_TYPE: ::selkie_sys::ObjectType = $otype;
            fn created_at(paddr: ::selkie_sys::Word) -> Self {
                Self::from_data($crate::object::ObjectData::created_at(paddr))
            }
        }
    };
    (@size $bits:ty) => {};
    (@size $bits:ty = $kbits:ident) => {
        const _: () = assert!(
            <$bits as ::typenum::Unsigned>::USIZE == ::selkie_sys::$kbits,
            "the object's size type disagrees with the kernel's constant"
        );
    };

    // ---- copy ----
    (@copy none $($rest:tt)*) => {};
    (@copy as_is [$ty:ident] [$($p:ident: $b:path),*] []) => {
        impl<$($p: $b + 'static),*> $crate::object::Copyable for $ty<$($p),*> {}
        impl<$($p: $b + 'static),*> $crate::object::CopyInto<$ty<$($p),*>> for $ty<$($p),*> {
            fn copied(&self) -> Self {
                *self
            }
        }
    };
    (@copy rights [$ty:ident] [$($p:ident: $b:path),*] [$rt:ident]) => {
        impl<$($p: $b + 'static,)* $rt: $crate::rights::RightsSet> $crate::object::Copyable for $ty<$($p,)* $rt> {}
        impl<$($p: $b + 'static,)* $rt: $crate::rights::RightsSet, New: $crate::rights::SubsetOf<$rt>>
            $crate::object::CopyInto<$ty<$($p,)* New>> for $ty<$($p,)* $rt>
        {
            fn copied(&self) -> $ty<$($p,)* New> {
                $ty::from_data(self.data)
            }
        }
    };

    // ---- mint ----
    (@mint [] $($rest:tt)*) => {};
    (@mint [badge] [$ty:ident] [$($p:ident: $b:path),*] [$rt:ident]) => {
        impl<$($p: $b + 'static,)* $rt: $crate::rights::RightsSet, New: $crate::rights::SubsetOf<$rt>>
            $crate::object::MintInto<$ty<$($p,)* New>> for $ty<$($p,)* $rt>
        {
            fn minted(&self, badge: $crate::object::Badge) -> $ty<$($p,)* New> {
                $ty::from_data(badge)
            }
        }
        impl<$($p: $b + 'static,)* $rt: $crate::rights::RightsSet> $crate::object::Badgeable for $ty<$($p,)* $rt> {
            fn badge(&self) -> $crate::object::Badge {
                self.data
            }
        }
    };

    // ---- device memory ----
    (@device no $($rest:tt)*) => {};
    (@device yes [$ty:ident] [$($p:ident: $b:path),*] [$($rt:ident)?]) => {
        impl<$($p: $b + 'static,)* $($rt: $crate::rights::RightsSet)?> $crate::object::DeviceObject
            for $ty<$($p,)* $($rt)?>
        {
        }
    };
}
pub(crate) use kernel_object;

/// Declares the object modules and re-exports what each makes public: adding an object is one name here.
macro_rules! object_modules {
    ($($module:ident),* $(,)?) => {$(
        mod $module;
        pub use $module::*;
    )*};
}

pub(crate) use object_modules;

object_modules!(cnode, domain, endpoint, irq, notification, tcb);
