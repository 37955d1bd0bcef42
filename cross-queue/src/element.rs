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
/// message type, derive or implement `Pod` and name its size; a wrong `Size` is a compile error wherever a queue
/// of that element is opened (it is checked against `size_of::<Self>()`).
///
/// ```
/// use cross_queue::{bytemuck, typenum::U16, Element, QueueMemory};
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
/// impl Element for Sample {
///     type Size = U16;
/// }
///
/// let mut memory = QueueMemory::<Sample, cross_queue::typenum::U4>::new();
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

/// `Element` for primitives of the given byte sizes.
macro_rules! primitive_elements {
    ($($size:ty: $($t:ty),+;)+) => {
        $($(impl Element for $t {
            type Size = $size;
        })+)+
    };
}
primitive_elements! {
    U1: u8, i8;
    U2: u16, i16;
    U4: u32, i32, f32;
    U8: u64, i64, f64;
    U16: u128, i128;
}
#[cfg(target_pointer_width = "64")]
primitive_elements! { U8: usize, isize; }
#[cfg(target_pointer_width = "32")]
primitive_elements! { U4: usize, isize; }

/// An array of `K` elements is `K` times the size of one.
impl<E: Element, const K: usize> Element for [E; K]
where
    Const<K>: ToUInt,
    E::Size: Mul<U<K>>,
    Prod<E::Size, U<K>>: Unsigned,
{
    type Size = Prod<E::Size, U<K>>;
}
