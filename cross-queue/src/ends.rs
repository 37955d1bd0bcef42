//! The two ends of a queue: a [`Producer`] that can only push and a [`Consumer`] that can only pop.

use core::cell::UnsafeCell;
use core::fmt;
use core::sync::atomic::AtomicU32;

use typenum::Unsigned;

use crate::element::Element;
use crate::memory::{Capacity, FitsIn, QueueMemory, RegionError};
use crate::protocol::{PopSide, PushSide, Ring};

impl<T: Element, N: Capacity> QueueMemory<T, N> {
    /// The protocol's view of this memory.
    fn ring(&self) -> Ring<'_, AtomicU32, UnsafeCell<T>> {
        Ring {
            head: &self.head.0,
            tail: &self.tail.0,
            slots: self.slots.as_slice(),
        }
    }

    /// Both ends of the queue in this memory, borrowing it: the host and test case. The queue is taken up where it
    /// stands (a new memory is empty; elements pushed through earlier ends are still there).
    ///
    /// ```
    /// use cross_queue::{typenum::U2, QueueMemory};
    /// let mut memory = QueueMemory::<u32, U2>::new();
    /// let (mut producer, mut consumer) = memory.split();
    /// std::thread::scope(|s| {
    ///     s.spawn(move || {
    ///         for i in 0..100 {
    ///             while producer.push(i).is_err() {
    ///                 std::thread::yield_now();
    ///             }
    ///         }
    ///     });
    ///     for i in 0..100 {
    ///         loop {
    ///             if let Some(v) = consumer.pop() {
    ///                 assert_eq!(v, i);
    ///                 break;
    ///             }
    ///             std::thread::yield_now();
    ///         }
    ///     }
    /// });
    /// ```
    pub fn split(&mut self) -> (Producer<'_, T, N>, Consumer<'_, T, N>) {
        let () = Self::CHECKED;
        let memory: &Self = self;
        (Producer::attach(memory), Consumer::attach(memory))
    }
}

/// The producing end of a single-producer single-consumer queue: it can push and not pop.
///
/// At most one producer may exist for a queue at a time, in all address spaces together: [`QueueMemory::split`]
/// ensures it by borrowing the memory mutably, the raw constructors make it the caller's promise.
///
/// ```
/// use cross_queue::{typenum::U4, QueueMemory};
/// let mut memory = QueueMemory::<u16, U4>::new();
/// let (mut producer, _consumer) = memory.split();
/// for i in 0..4 {
///     producer.push(i).unwrap();
/// }
/// assert!(producer.is_full());
/// assert_eq!(producer.push(4), Err(4)); // full: the value comes back
/// ```
pub struct Producer<'a, T: Element, N: Capacity> {
    memory: &'a QueueMemory<T, N>,
    side: PushSide,
}

/// The consuming end of a single-producer single-consumer queue: it can pop and not push.
///
/// At most one consumer may exist for a queue at a time, in all address spaces together: [`QueueMemory::split`]
/// ensures it by borrowing the memory mutably, the raw constructors make it the caller's promise.
///
/// ```
/// use cross_queue::{typenum::U4, QueueMemory};
/// let mut memory = QueueMemory::<[u8; 3], U4>::new();
/// let (mut producer, mut consumer) = memory.split();
/// assert_eq!(consumer.pop(), None); // empty
/// producer.push(*b"abc").unwrap();
/// assert_eq!(consumer.len(), 1);
/// assert_eq!(consumer.pop(), Some(*b"abc"));
/// ```
pub struct Consumer<'a, T: Element, N: Capacity> {
    memory: &'a QueueMemory<T, N>,
    side: PopSide,
}

// SAFETY: an end touches the shared memory only through the protocol, which is correct when the two ends run on
// different threads (or in different address spaces); the elements it moves are `Send` (`Element: Send`).
unsafe impl<T: Element, N: Capacity> Send for Producer<'_, T, N> {}
// SAFETY: as for `Producer`.
unsafe impl<T: Element, N: Capacity> Send for Consumer<'_, T, N> {}

/// The constructors and queries both ends have, written once.
macro_rules! end_common {
    ($End:ident, $Side:ident, $role:literal, $other:literal) => {
        impl<'a, T: Element, N: Capacity> $End<'a, T, N> {
            /// Takes up the queue in `memory` where it stands.
            fn attach(memory: &'a QueueMemory<T, N>) -> Self {
                let side = $Side::attach(&memory.ring());
                $End { memory, side }
            }

            #[doc = concat!("Opens the ", $role, " end of the queue in the `len` bytes at `base`: the in-kernel")]
            /// case, a shared region mapped at any address. Checks at run time that `base` is non-null and aligned to
            /// [`QueueMemory::ALIGN`] and that `len` is at least [`QueueMemory::BYTES`].
            ///
            /// The region is taken as it is: zeroed memory is an empty queue; any other contents are memory-safe
            /// (indices are masked, every bit pattern is a valid `T`), merely a queue that is not empty.
            ///
            /// # Safety
            /// - If the checks pass, `base .. base + len` must be mapped readable and writable for all of `'a`.
            #[doc = concat!("- No other ", $role, " of this queue may exist during `'a`, in any address space.")]
            #[doc = concat!("- During `'a` the region is written only by this end and by at most one ", $other, " (of")]
            ///   the same `T` and `N`, through any mapping of the same memory).
            ///
            /// # Errors
            /// [`RegionError`] if the region is null, misaligned or too small.
            ///
            /// ```
            /// use cross_queue::{typenum::U8, Consumer, Producer, QueueMemory};
            /// let mut memory = QueueMemory::<u32, U8>::new(); // stands in for a shared mapping
            /// let base: *mut u8 = (&raw mut memory).cast();
            /// // SAFETY: `memory` outlives both ends, which are the only ones, and is written only through them.
            /// let mut producer = unsafe { Producer::<u32, U8>::from_raw_parts(base, QueueMemory::<u32, U8>::BYTES) }?;
            /// // SAFETY: as above.
            /// let mut consumer = unsafe { Consumer::<u32, U8>::from_raw_parts(base, QueueMemory::<u32, U8>::BYTES) }?;
            /// producer.push(42).unwrap();
            /// assert_eq!(consumer.pop(), Some(42));
            ///
            /// // SAFETY: fails its checks before touching memory.
            /// let misaligned = unsafe { Consumer::<u32, U8>::from_raw_parts(base.wrapping_add(4), 4096) };
            /// assert!(matches!(misaligned, Err(cross_queue::RegionError::Misaligned { align: 64, .. })));
            /// # Ok::<(), cross_queue::RegionError>(())
            /// ```
            pub unsafe fn from_raw_parts(base: *mut u8, len: usize) -> Result<Self, RegionError> {
                // SAFETY: the caller's promises are those `view_raw` needs.
                let memory = unsafe { QueueMemory::view_raw(base, len) }?;
                Ok(Self::attach(memory))
            }

            #[doc = concat!("Opens the ", $role, " end of the queue in a region of `RegionBytes` bytes (a typenum")]
            /// number, e.g. `U4096` for one page) at `base`. The queue must fit the region: checked at compile
            /// time (`QueueMemory<T, N>: FitsIn<RegionBytes>`); only null and misalignment are run-time errors.
            ///
            /// # Safety
            /// As for `from_raw_parts` with `len = RegionBytes`.
            ///
            /// # Errors
            /// [`RegionError::Null`] or [`RegionError::Misaligned`].
            ///
            /// ```
            /// use cross_queue::{typenum::{U256, U4096}, Producer};
            /// #[repr(C, align(4096))]
            /// struct Page([u8; 4096]);
            /// let mut page = Page([0; 4096]);
            /// // SAFETY: `page` is 4096 bytes, outlives the end, and nothing else uses it.
            /// let mut producer = unsafe { Producer::<u64, U256>::from_region::<U4096>((&raw mut page).cast()) }?;
            /// producer.push(1).unwrap();
            /// # Ok::<(), cross_queue::RegionError>(())
            /// ```
            pub unsafe fn from_region<RegionBytes: Unsigned>(base: *mut u8) -> Result<Self, RegionError>
            where
                QueueMemory<T, N>: FitsIn<RegionBytes>,
            {
                const {
                    assert!(
                        QueueMemory::<T, N>::BYTES <= RegionBytes::USIZE,
                        "the queue does not fit its memory region"
                    )
                };
                // SAFETY: the caller's promises are those of `from_raw_parts` with this length.
                unsafe { Self::from_raw_parts(base, RegionBytes::USIZE) }
            }

            #[doc = concat!("The number of elements in the queue as the ", $role, " sees it now.")]
            ///
            /// It is exact when the other end is idle; with the other end running it is a snapshot (the producer
            /// may see elements the consumer is taking, the consumer may miss elements being pushed).
            ///
            /// ```
            /// use cross_queue::{typenum::U4, QueueMemory};
            /// let mut memory = QueueMemory::<u8, U4>::new();
            /// let (mut producer, mut consumer) = memory.split();
            /// producer.push(1).unwrap();
            /// producer.push(2).unwrap();
            /// assert_eq!((producer.len(), consumer.len()), (2, 2));
            /// consumer.pop();
            /// assert_eq!((producer.len(), consumer.len()), (1, 1));
            /// ```
            pub fn len(&self) -> usize {
                self.side.len(&self.memory.ring()) as usize
            }

            /// Whether the queue is empty (as [`len`](Self::len) sees it).
            ///
            /// ```
            /// use cross_queue::{typenum::U1, QueueMemory};
            /// let mut memory = QueueMemory::<u8, U1>::new();
            /// let (mut producer, consumer) = memory.split();
            /// assert!(consumer.is_empty() && producer.is_empty());
            /// producer.push(9).unwrap();
            /// assert!(!consumer.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Whether the queue is full (as [`len`](Self::len) sees it).
            ///
            /// ```
            /// use cross_queue::{typenum::U1, QueueMemory};
            /// let mut memory = QueueMemory::<u8, U1>::new();
            /// let (mut producer, consumer) = memory.split();
            /// producer.push(9).unwrap();
            /// assert!(producer.is_full() && consumer.is_full());
            /// ```
            pub fn is_full(&self) -> bool {
                self.len() == N::USIZE
            }

            /// The number of slots, `N`.
            ///
            /// ```
            /// use cross_queue::{typenum::U64, QueueMemory};
            /// let mut memory = QueueMemory::<u8, U64>::new();
            /// assert_eq!(memory.split().0.capacity(), 64);
            /// ```
            pub const fn capacity(&self) -> usize {
                N::USIZE
            }
        }

        impl<T: Element, N: Capacity> fmt::Debug for $End<'_, T, N> {
            /// The end's state and the queue's indices.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($End))
                    .field("side", &self.side)
                    .field("memory", self.memory)
                    .finish()
            }
        }
    };
}
end_common!(Producer, PushSide, "producer", "consumer");
end_common!(Consumer, PopSide, "consumer", "producer");

impl<T: Element, N: Capacity> Producer<'_, T, N> {
    /// Appends `value` to the queue, or gives it back as `Err(value)` if the queue is full. Never blocks.
    ///
    /// ```
    /// use cross_queue::{typenum::U2, QueueMemory};
    /// let mut memory = QueueMemory::<i64, U2>::new();
    /// let (mut producer, mut consumer) = memory.split();
    /// assert_eq!(producer.push(-1), Ok(()));
    /// assert_eq!(producer.push(-2), Ok(()));
    /// assert_eq!(producer.push(-3), Err(-3));
    /// assert_eq!(consumer.pop(), Some(-1));
    /// assert_eq!(producer.push(-3), Ok(()));
    /// ```
    pub fn push(&mut self, value: T) -> Result<(), T> {
        self.side.push(&self.memory.ring(), value)
    }
}

impl<T: Element, N: Capacity> Consumer<'_, T, N> {
    /// Takes the oldest element from the queue, or `None` if it is empty. Never blocks.
    ///
    /// ```
    /// use cross_queue::{typenum::U8, QueueMemory};
    /// let mut memory = QueueMemory::<u8, U8>::new();
    /// let (mut producer, mut consumer) = memory.split();
    /// producer.push(1).unwrap();
    /// producer.push(2).unwrap();
    /// assert_eq!(consumer.pop(), Some(1));
    /// assert_eq!(consumer.pop(), Some(2));
    /// assert_eq!(consumer.pop(), None);
    /// ```
    pub fn pop(&mut self) -> Option<T> {
        self.side.pop(&self.memory.ring())
    }
}
