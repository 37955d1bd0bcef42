//! The queue's shared memory: its `#[repr(C)]` layout, its size as a type, and the compile-time fit check.

use core::cell::UnsafeCell;
use core::fmt;
use core::mem::{align_of, size_of};
use core::ops::{Add, Mul, Shl, Shr};
use core::sync::atomic::AtomicU32;

use generic_array::{ArrayLength, GenericArray};
use typenum::{IsLessOrEqual, LeEq, PowerOfTwo, Prod, Shleft, Shright, Sum, Unsigned, B1, U128, U6, U63};

use crate::element::Element;

/// A value alone on its own 64-byte cache line(s) (x86_64 and most 64-bit Arm cores), so that the producer's
/// and the consumer's writes do not contend.
#[derive(Debug, Default)]
#[repr(C, align(64))]
pub(crate) struct CachePadded<V>(pub(crate) V);

/// A queue's capacity: a type-level power of two (1, 2, 4, ...), so that an index is reduced to a slot by a
/// mask and the free-running 32-bit indices stay consistent when they wrap.
///
/// ```
/// use cross_queue::{typenum::U8, QueueMemory};
/// let memory = QueueMemory::<u32, U8>::new(); // 8 slots: fine; U6 would not compile
/// assert_eq!(memory.capacity(), 8);
/// ```
#[diagnostic::on_unimplemented(
    message = "the queue's capacity is not a power of two",
    label = "capacity must be a type-level power of two",
    note = "use `typenum::U1`, `U2`, `U4`, ..., `U1024`, ... as the capacity"
)]
pub trait Capacity: ArrayLength + PowerOfTwo {}
#[diagnostic::do_not_recommend]
impl<N: ArrayLength + PowerOfTwo> Capacity for N {}

/// The shared memory of a queue of at most `N` elements of type `T`: what both address spaces map.
///
/// Layout (`#[repr(C)]`, alignment 64):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 64 | `head`: `AtomicU32`, the number of elements ever popped (written only by the consumer) |
/// | 64 | 64 | `tail`: `AtomicU32`, the number of elements ever pushed (written only by the producer) |
/// | 128 | `N * size_of::<T>()` rounded up to 64 | the slots, `GenericArray<T, N>` |
///
/// The memory holds no pointers, only the two indices, so each side may map it at a different address.
/// **Zeroed memory is a valid empty queue** (both indices 0, every slot a valid zero `T`): a freshly mapped
/// frame needs no set-up. Any other contents are also memory-safe (indices are masked, every bit pattern is a
/// valid `T`), they are merely a non-empty queue.
///
/// ```
/// use cross_queue::{typenum::U4, QueueMemory};
/// assert_eq!(QueueMemory::<u64, U4>::BYTES, 128 + 64); // 32 bytes of slots, rounded up to a cache line
///
/// let mut memory = QueueMemory::<u64, U4>::new();
/// let (mut producer, mut consumer) = memory.split();
/// producer.push(7).unwrap();
/// assert_eq!(consumer.pop(), Some(7));
/// ```
#[repr(C)]
pub struct QueueMemory<T: Element, N: Capacity> {
    /// Index of the next element to pop; written by the consumer only.
    pub(crate) head: CachePadded<AtomicU32>,
    /// Index of the next element to push; written by the producer only.
    pub(crate) tail: CachePadded<AtomicU32>,
    /// Slot `i % N` holds element `i`.
    pub(crate) slots: GenericArray<UnsafeCell<T>, N>,
}

impl<T: Element, N: Capacity> QueueMemory<T, N> {
    /// The memory's size in bytes, `size_of::<Self>()` (also a type: [`QueueBytes<T, N>`]).
    ///
    /// ```
    /// use cross_queue::{typenum::U64, QueueMemory};
    /// assert_eq!(QueueMemory::<[u8; 56], U64>::BYTES, 128 + 64 * 56);
    /// ```
    pub const BYTES: usize = size_of::<Self>();

    /// The alignment the memory needs (64: the indices sit on their own cache lines).
    ///
    /// ```
    /// use cross_queue::{typenum::U2, QueueMemory};
    /// assert_eq!(QueueMemory::<u8, U2>::ALIGN, 64);
    /// ```
    pub const ALIGN: usize = align_of::<Self>();

    /// The number of slots, `N`.
    ///
    /// ```
    /// use cross_queue::{typenum::U16, QueueMemory};
    /// assert_eq!(QueueMemory::<u8, U16>::CAPACITY, 16);
    /// ```
    pub const CAPACITY: usize = N::USIZE;

    /// Compile-time facts every way of opening a queue relies on; referenced from each constructor so that a
    /// violation is a compile error where a queue of this type is opened.
    pub(crate) const CHECKED: () = {
        assert!(
            N::USIZE <= 1 << 31,
            "a queue's capacity must be at most 2^31 (its indices are 32-bit)"
        );
        assert!(
            <T as Element>::Size::USIZE == size_of::<T>(),
            "`Element::Size` is not the element's size in bytes"
        );
        assert!(
            align_of::<T>() <= 64,
            "queue elements may be aligned to at most 64 bytes (the documented layout)"
        );
    };

    /// A zeroed queue memory: an empty queue. For host use and tests; in another address space the memory is a
    /// mapped region opened with [`Producer::from_raw_parts`](crate::Producer::from_raw_parts) and friends.
    ///
    /// ```
    /// use cross_queue::{typenum::U2, QueueMemory};
    /// let mut memory = QueueMemory::<i16, U2>::new();
    /// assert!(memory.split().1.is_empty());
    /// ```
    pub const fn new() -> Self {
        // SAFETY: every field is valid when all its bytes are zero: `AtomicU32` (0), `UnsafeCell<T>` for a
        // `T: Pod` (zero is a valid `T`), `GenericArray` of those and the zero-sized padding wrappers.
        unsafe { core::mem::zeroed() }
    }

    /// The number of slots, `N`.
    ///
    /// ```
    /// use cross_queue::{typenum::U32, QueueMemory};
    /// assert_eq!(QueueMemory::<u8, U32>::new().capacity(), 32);
    /// ```
    pub const fn capacity(&self) -> usize {
        N::USIZE
    }
}

impl<T: Element, N: Capacity> Default for QueueMemory<T, N> {
    /// An empty queue, as [`QueueMemory::new`].
    ///
    /// ```
    /// use cross_queue::{typenum::U4, QueueMemory};
    /// let mut memory: QueueMemory<u8, U4> = Default::default();
    /// assert_eq!(memory.split().0.len(), 0);
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Element, N: Capacity> fmt::Debug for QueueMemory<T, N> {
    /// The two indices (not the slots, which the other side may be writing).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use core::sync::atomic::Ordering::Relaxed;
        f.debug_struct("QueueMemory")
            .field("head", &self.head.0.load(Relaxed))
            .field("tail", &self.tail.0.load(Relaxed))
            .field("capacity", &N::USIZE)
            .finish()
    }
}

/// The size in bytes of a queue's memory as a type-level number: `128 + N * Size` rounded up to 64.
///
/// Implemented for every [`QueueMemory<T, N>`]; name it through [`QueueBytes`].
///
/// ```
/// use cross_queue::{typenum::{Unsigned, U4}, QueueBytes};
/// assert_eq!(QueueBytes::<u32, U4>::USIZE, 128 + 64);
/// ```
pub trait MemorySize {
    /// The size in bytes.
    type Bytes: Unsigned;
}

/// The slots' bytes, `N * Size`.
type StorageBytes<T, N> = Prod<N, <T as Element>::Size>;
/// `StorageBytes` rounded up to a multiple of 64.
type PaddedStorageBytes<T, N> = Shleft<Shright<Sum<StorageBytes<T, N>, U63>, U6>, U6>;

impl<T: Element, N: Capacity> MemorySize for QueueMemory<T, N>
where
    N: Mul<T::Size>,
    StorageBytes<T, N>: Add<U63>,
    Sum<StorageBytes<T, N>, U63>: Shr<U6>,
    Shright<Sum<StorageBytes<T, N>, U63>, U6>: Shl<U6>,
    U128: Add<PaddedStorageBytes<T, N>>,
    Sum<U128, PaddedStorageBytes<T, N>>: Unsigned,
{
    type Bytes = Sum<U128, PaddedStorageBytes<T, N>>;
}

/// The size in bytes of a queue of `N` elements of type `T`, as a type-level number.
///
/// ```
/// use cross_queue::{typenum::{Unsigned, U256}, QueueBytes};
/// assert_eq!(QueueBytes::<u64, U256>::USIZE, 128 + 2048);
/// ```
pub type QueueBytes<T, N> = <QueueMemory<T, N> as MemorySize>::Bytes;

/// The check behind [`FitsIn`]: implemented for `B1`, the result of `QueueBytes <= RegionBytes`.
///
/// ```
/// use cross_queue::{typenum::B1, QueueFits};
/// fn fits<F: QueueFits>() {}
/// fits::<B1>();
/// ```
#[diagnostic::on_unimplemented(
    message = "the queue does not fit its memory region",
    label = "this queue is larger than the region",
    note = "a queue takes 128 bytes of indices plus capacity x element size (rounded up to 64); \
            use a smaller capacity or element, or a larger region"
)]
pub trait QueueFits {}
#[diagnostic::do_not_recommend]
impl QueueFits for B1 {}

/// `QueueMemory<T, N>: FitsIn<RegionBytes>`: the queue fits a region of `RegionBytes` bytes (a typenum number,
/// e.g. `U4096` for one page). A queue that does not fit does not compile:
///
/// ```
/// use cross_queue::{typenum::{U4096, U256}, FitsIn, QueueMemory};
/// fn one_page<Q: FitsIn<U4096>>() {}
/// one_page::<QueueMemory<[u8; 15], U256>>(); // 128 + 3840 = 3968 bytes
/// ```
///
/// ```compile_fail
/// use cross_queue::{typenum::{U4096, U256}, FitsIn, QueueMemory};
/// fn one_page<Q: FitsIn<U4096>>() {}
/// one_page::<QueueMemory<[u8; 16], U256>>(); // 128 + 4096 bytes: error, the queue does not fit its memory region
/// ```
#[diagnostic::on_unimplemented(
    message = "the queue does not fit its memory region",
    label = "`{Self}` is larger than `{RegionBytes}` bytes"
)]
pub trait FitsIn<RegionBytes> {}
impl<T: Element, N: Capacity, RegionBytes> FitsIn<RegionBytes> for QueueMemory<T, N>
where
    QueueMemory<T, N>: MemorySize,
    QueueBytes<T, N>: IsLessOrEqual<RegionBytes>,
    LeEq<QueueBytes<T, N>, RegionBytes>: QueueFits,
{
}

/// Why a region of memory cannot hold a queue: returned by the raw constructors, which check at run time.
///
/// ```
/// use cross_queue::{typenum::U4, Producer, RegionError};
/// #[repr(C, align(64))]
/// struct Bytes([u8; 32]);
/// let mut bytes = Bytes([0; 32]); // aligned, but a queue of 4 bytes needs 128 + 64
/// // SAFETY: the checks fail before the memory is used.
/// let result = unsafe { Producer::<u8, U4>::from_raw_parts((&raw mut bytes).cast(), 32) };
/// assert_eq!(result.err(), Some(RegionError::TooSmall { len: 32, needed: 192 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionError {
    /// The base address is null.
    Null,
    /// The base address is not a multiple of the queue's alignment.
    Misaligned {
        /// The region's base address.
        address: usize,
        /// The alignment the queue needs ([`QueueMemory::ALIGN`]).
        align: usize,
    },
    /// The region is smaller than the queue.
    TooSmall {
        /// The region's length in bytes.
        len: usize,
        /// The queue's size in bytes ([`QueueMemory::BYTES`]).
        needed: usize,
    },
}

impl fmt::Display for RegionError {
    /// One sentence naming the problem and the numbers.
    ///
    /// ```
    /// let e = cross_queue::RegionError::TooSmall { len: 100, needed: 192 };
    /// assert_eq!(e.to_string(), "region of 100 bytes is too small for a queue of 192 bytes");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RegionError::Null => write!(f, "region base address is null"),
            RegionError::Misaligned { address, align } => {
                write!(f, "region base address {address:#x} is not aligned to {align} bytes")
            }
            RegionError::TooSmall { len, needed } => {
                write!(f, "region of {len} bytes is too small for a queue of {needed} bytes")
            }
        }
    }
}

impl core::error::Error for RegionError {}

impl<T: Element, N: Capacity> QueueMemory<T, N> {
    /// Checks that `len` bytes at `base` can hold this queue and views them as one.
    ///
    /// # Safety
    /// If the checks pass, `base .. base + len` must be mapped readable and writable for `'a`, and be written
    /// during `'a` only through this crate's queue ends (at most one producer and one consumer, in any address
    /// space).
    pub(crate) unsafe fn view_raw<'a>(base: *mut u8, len: usize) -> Result<&'a Self, RegionError> {
        let () = Self::CHECKED;
        if base.is_null() {
            return Err(RegionError::Null);
        }
        let address = base as usize;
        if !address.is_multiple_of(Self::ALIGN) {
            return Err(RegionError::Misaligned {
                address,
                align: Self::ALIGN,
            });
        }
        if len < Self::BYTES {
            return Err(RegionError::TooSmall {
                len,
                needed: Self::BYTES,
            });
        }
        // SAFETY: `base` is non-null, aligned for `Self` and the caller guarantees `BYTES <= len` bytes mapped for
        // `'a`. Any bytes are a valid `Self` (indices are any `u32`, slots any `T: Pod`), and every field has
        // interior mutability (atomics, `UnsafeCell`), so a shared reference allows the other side's writes.
        Ok(unsafe { &*base.cast::<Self>() })
    }
}
