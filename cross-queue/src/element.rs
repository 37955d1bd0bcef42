//! What a queue can carry: plain-old-data values whose size is known as a type-level number.

use core::ops::Mul;

use bytemuck::Pod;
use typenum::{Const, Prod, ToUInt, Unsigned, U, U1, U16, U2, U4, U8};

/// A value a queue can carry: plain old data ([`bytemuck::Pod`]) whose size in bytes is also known as a
/// type-level number, [`Element::Size`].
///
/// `Pod` is what makes the queue sound across address spaces: every bit pattern is a valid value (the other side
/// may write anything, and a zeroed slot is a valid value), and there are no references or pointers, which would
/// mean nothing in another address space. `Size` is what lets a queue that does not fit its memory region fail to
/// compile (see [`FitsIn`](crate::FitsIn)): stable Rust cannot turn `size_of::<T>()` into a type.
///
/// Implemented for the integer and float primitives and for arrays of elements. For your own `#[repr(C)]`
/// message type, implement `Pod` (derive it, or implement it by hand) and name its size with
/// [`element!`](crate::element!), which checks at compile time that the size is right. A hand-written
/// `impl Element` with a wrong `Size` is caught too, but only when a queue of it is built (`cargo build`, not
/// `cargo check`):
///
/// ```compile_fail
/// # use cross_queue::{bytemuck, typenum::{U2, U4}, Element, QueueMemory};
/// #[derive(Clone, Copy)]
/// #[repr(C)]
/// struct Pair(u16, u16);
/// // SAFETY: two `u16`s, no padding.
/// unsafe impl bytemuck::Zeroable for Pair {}
/// // SAFETY: as above.
/// unsafe impl bytemuck::Pod for Pair {}
/// impl Element for Pair {
///     type Size = U2; // wrong: `Pair` is 4 bytes
/// }
/// let mut memory = QueueMemory::<Pair, U4>::new();
/// let _ends = memory.split(); // error: `Element::Size` is not the element's size in bytes
/// ```
///
/// ```
/// use cross_queue::{bytemuck, typenum::{U16, U4}, QueueMemory};
///
/// #[derive(Clone, Copy, Debug)]
/// #[repr(C)]
/// struct Sample {
///     time: u64,
///     value: i32,
///     channel: u32,
/// }
/// // SAFETY: `Sample` is `repr(C)`, has no padding (8 + 4 + 4 bytes), and all its fields are `Pod`.
/// unsafe impl bytemuck::Zeroable for Sample {}
/// // SAFETY: as above.
/// unsafe impl bytemuck::Pod for Sample {}
/// cross_queue::element!(Sample: U16);
///
/// let mut memory = QueueMemory::<Sample, U4>::new();
/// let (mut producer, mut consumer) = memory.split();
/// producer.push(Sample { time: 1, value: -5, channel: 2 }).unwrap();
/// assert_eq!(consumer.pop().map(|s| s.value), Some(-5));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a plain-old-data queue element",
    label = "a shared-memory queue carries only plain old data",
    note = "elements must implement `bytemuck::Pod` (no references, pointers or padding) and `cross_queue::Element` \
            (their size as a `typenum` number); references and pointers mean nothing in another address space"
)]
pub trait Element: Pod + Send {
    /// `size_of::<Self>()` as a type-level number of bytes.
    ///
    /// ```
    /// use cross_queue::{typenum::Unsigned, Element};
    /// assert_eq!(<[u32; 3] as Element>::Size::USIZE, 12);
    /// ```
    type Size: Unsigned;
}

crate::element! {
    u8: U1, i8: U1,
    u16: U2, i16: U2,
    u32: U4, i32: U4, f32: U4,
    u64: U8, i64: U8, f64: U8,
    u128: U16, i128: U16,
}
#[cfg(target_pointer_width = "64")]
crate::element!(usize: U8, isize: U8);
#[cfg(target_pointer_width = "32")]
crate::element!(usize: U4, isize: U4);

/// An array of `K` elements is `K` times the size of one.
impl<E: Element, const K: usize> Element for [E; K]
where
    Const<K>: ToUInt,
    E::Size: Mul<U<K>>,
    Prod<E::Size, U<K>>: Unsigned,
{
    type Size = Prod<E::Size, U<K>>;
}

/// Implements [`Element`] for plain-old-data types, each with its size in bytes as a typenum number, and checks
/// at compile time that the size is right: `element!(Type: Size, ...)`.
///
/// ```
/// use cross_queue::{bytemuck, typenum::{U12, U4}, QueueMemory};
///
/// #[derive(Clone, Copy)]
/// #[repr(C)]
/// struct Point([f32; 3]);
/// // SAFETY: `repr(C)` wrapper of a `Pod` array: no padding, any bit pattern valid.
/// unsafe impl bytemuck::Zeroable for Point {}
/// // SAFETY: as above.
/// unsafe impl bytemuck::Pod for Point {}
///
/// cross_queue::element!(Point: U12);
/// let _memory = QueueMemory::<Point, U4>::new();
/// ```
///
/// ```compile_fail
/// # use cross_queue::{bytemuck, typenum::U8};
/// # #[derive(Clone, Copy)]
/// # #[repr(C)]
/// # struct Point([f32; 3]);
/// # unsafe impl bytemuck::Zeroable for Point {}
/// # unsafe impl bytemuck::Pod for Point {}
/// cross_queue::element!(Point: U8); // error: `Point` is 12 bytes
/// ```
#[macro_export]
macro_rules! element {
    ($($t:ty: $size:ty),+ $(,)?) => {$(
        impl $crate::Element for $t {
            type Size = $size;
        }
        const _: () = ::core::assert!(
            <$size as $crate::typenum::Unsigned>::USIZE == ::core::mem::size_of::<$t>(),
            ::core::concat!(
                "`", ::core::stringify!($size), "` is not the size of `", ::core::stringify!($t), "` in bytes"
            )
        );
    )+};
}
