//! Unit tests of the queue and the `loom` model check of its protocol.

use core::mem::{offset_of, size_of};
use core::sync::atomic::Ordering::Relaxed;
use std::boxed::Box;
use std::collections::VecDeque;
use std::string::ToString;
use std::vec::Vec;

use typenum::{Unsigned, U1, U1024, U128, U16, U2, U256, U4, U4096, U8};

use crate::{Consumer, Element, Producer, QueueBytes, QueueMemory, RegionError};

/// A zeroed, heap-allocated queue memory.
fn memory<T: Element, N: crate::Capacity>() -> Box<QueueMemory<T, N>> {
    Box::new(QueueMemory::new())
}

#[test]
fn layout_is_the_documented_one() {
    type Q = QueueMemory<u32, U8>;
    assert_eq!(offset_of!(Q, head), 0);
    assert_eq!(offset_of!(Q, tail), 64);
    assert_eq!(offset_of!(Q, slots), 128);
    assert_eq!(Q::ALIGN, 64);
    assert_eq!(Q::BYTES, 128 + 64);
    // The type-level size agrees with the compiler's for sizes that need rounding and sizes that do not.
    assert_eq!(QueueBytes::<u32, U8>::USIZE, size_of::<QueueMemory<u32, U8>>());
    assert_eq!(QueueBytes::<[u8; 3], U2>::USIZE, size_of::<QueueMemory<[u8; 3], U2>>());
    assert_eq!(QueueBytes::<u64, U1024>::USIZE, 128 + 8192);
    assert_eq!(QueueBytes::<u64, U1024>::USIZE, size_of::<QueueMemory<u64, U1024>>());
    assert_eq!(
        QueueBytes::<[u16; 5], U128>::USIZE,
        size_of::<QueueMemory<[u16; 5], U128>>()
    );
    assert_eq!(<[[u32; 2]; 3] as Element>::Size::USIZE, 24);
}

#[test]
fn zeroed_memory_is_an_empty_queue() {
    #[repr(C, align(64))]
    struct Region([u8; 512]);
    let mut region = Box::new(Region([0; 512]));
    let base: *mut u8 = (&raw mut *region).cast();
    // SAFETY: the region outlives both ends, which are its only users.
    let (mut producer, mut consumer) = unsafe {
        (
            Producer::<u64, U16>::from_raw_parts(base, 512).unwrap(),
            Consumer::<u64, U16>::from_raw_parts(base, 512).unwrap(),
        )
    };
    assert!(consumer.is_empty() && producer.is_empty());
    assert_eq!(consumer.pop(), None);
    for i in 0..16 {
        producer.push(i).unwrap();
    }
    assert_eq!(producer.push(16), Err(16));
    assert_eq!(
        (0..16).map(|_| consumer.pop().unwrap()).collect::<Vec<_>>(),
        (0..16).collect::<Vec<_>>()
    );
}

#[test]
fn full_and_empty() {
    let mut memory = memory::<u32, U4>();
    let (mut producer, mut consumer) = memory.split();
    assert_eq!(consumer.pop(), None);
    assert!(producer.is_empty() && consumer.is_empty() && !producer.is_full());
    for i in 0..4 {
        assert_eq!(producer.len(), i as usize);
        producer.push(i).unwrap();
    }
    assert!(producer.is_full() && consumer.is_full());
    assert_eq!(producer.push(99), Err(99));
    assert_eq!(producer.push(98), Err(98)); // still full: nothing was overwritten
    assert_eq!(consumer.pop(), Some(0));
    assert!(!producer.is_full());
    producer.push(4).unwrap();
    assert_eq!(producer.push(5), Err(5));
    for i in 1..5 {
        assert_eq!(consumer.pop(), Some(i));
    }
    assert_eq!(consumer.pop(), None);
    assert_eq!(consumer.pop(), None);
    assert!(consumer.is_empty() && producer.is_empty());
}

#[test]
fn capacity_one() {
    let mut memory = memory::<u8, U1>();
    let (mut producer, mut consumer) = memory.split();
    assert_eq!((producer.capacity(), consumer.capacity()), (1, 1));
    for i in 0..=255u8 {
        producer.push(i).unwrap();
        assert!(producer.is_full());
        assert_eq!(producer.push(i.wrapping_add(1)), Err(i.wrapping_add(1)));
        assert_eq!(consumer.pop(), Some(i));
        assert_eq!(consumer.pop(), None);
    }
}

/// Runs `ops` pushes and pops in a fixed pseudo-random pattern against a `VecDeque` of the same capacity.
fn against_model<N: crate::Capacity>(ops: u32) {
    let mut memory = memory::<u64, N>();
    let (mut producer, mut consumer) = memory.split();
    let mut model = VecDeque::new();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = 0u64;
    for _ in 0..ops {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if !state.is_multiple_of(3) {
            let pushed = producer.push(next);
            if model.len() < N::USIZE {
                assert_eq!(pushed, Ok(()));
                model.push_back(next);
            } else {
                assert_eq!(pushed, Err(next));
            }
            next += 1;
        } else {
            assert_eq!(consumer.pop(), model.pop_front());
        }
        assert_eq!(producer.len(), model.len());
        assert_eq!(consumer.len(), model.len());
        if state.is_multiple_of(7) {
            // Drain now and then, so the queue goes through empty as well as full.
            while let Some(v) = model.pop_front() {
                assert_eq!(consumer.pop(), Some(v));
            }
            assert_eq!(consumer.pop(), None);
        }
    }
}

#[test]
fn larger_capacities_follow_a_fifo_model() {
    against_model::<U2>(10_000);
    against_model::<U8>(10_000);
    against_model::<U256>(10_000);
}

#[test]
fn indices_wrap_around_u32() {
    let mut memory = memory::<u32, U4>();
    // Start just below the wrap of the 32-bit indices, as after ~4 billion elements.
    memory.head.0.store(u32::MAX - 5, Relaxed);
    memory.tail.0.store(u32::MAX - 5, Relaxed);
    let (mut producer, mut consumer) = memory.split();
    assert!(consumer.is_empty());
    let mut expected = 0;
    for round in 0..10u32 {
        for i in 0..4 {
            producer.push(round * 4 + i).unwrap();
        }
        assert!(producer.is_full());
        assert_eq!(producer.push(0), Err(0));
        for _ in 0..4 {
            assert_eq!(consumer.pop(), Some(expected));
            expected += 1;
        }
        assert_eq!(consumer.pop(), None);
    }
    // Both indices went past `u32::MAX` and back to small numbers.
    assert_eq!(memory.tail.0.load(Relaxed), 34);
    assert_eq!(memory.head.0.load(Relaxed), 34);
}

#[test]
fn ends_taken_up_again_keep_the_elements() {
    let mut memory = memory::<u16, U8>();
    {
        let (mut producer, _) = memory.split();
        producer.push(1).unwrap();
        producer.push(2).unwrap();
    }
    let (mut producer, mut consumer) = memory.split();
    assert_eq!(consumer.len(), 2);
    producer.push(3).unwrap();
    assert_eq!(consumer.pop(), Some(1));
    assert_eq!(consumer.pop(), Some(2));
    assert_eq!(consumer.pop(), Some(3));
}

#[test]
fn raw_constructors_check_the_region() {
    type Q = QueueMemory<u64, U8>;
    let mut memory = memory::<u64, U8>();
    let base: *mut u8 = (&raw mut *memory).cast();
    // SAFETY (all): every call either fails its checks before touching memory or gets `memory`, which outlives
    // the ends and has no other users.
    unsafe {
        assert_eq!(
            Producer::<u64, U8>::from_raw_parts(core::ptr::null_mut(), 4096).err(),
            Some(RegionError::Null)
        );
        assert_eq!(
            Consumer::<u64, U8>::from_raw_parts(base.wrapping_add(8), 4096).err(),
            Some(RegionError::Misaligned {
                address: base as usize + 8,
                align: 64
            })
        );
        assert_eq!(
            Producer::<u64, U8>::from_raw_parts(base, Q::BYTES - 1).err(),
            Some(RegionError::TooSmall {
                len: Q::BYTES - 1,
                needed: Q::BYTES
            })
        );
        let mut producer = Producer::<u64, U8>::from_raw_parts(base, Q::BYTES).unwrap();
        producer.push(5).unwrap();
    }
    assert_eq!(memory.split().1.pop(), Some(5));

    #[repr(C, align(4096))]
    struct Page([u8; 4096]);
    let mut page = Box::new(Page([0; 4096]));
    let base: *mut u8 = (&raw mut *page).cast();
    // SAFETY: as above.
    unsafe {
        assert_eq!(
            Producer::<u64, U256>::from_region::<U4096>(base.wrapping_add(1)).err(),
            Some(RegionError::Misaligned {
                address: base as usize + 1,
                align: 64
            })
        );
        let mut producer = Producer::<u64, U256>::from_region::<U4096>(base).unwrap();
        let mut consumer = Consumer::<u64, U256>::from_region::<U4096>(base).unwrap();
        producer.push(77).unwrap();
        assert_eq!(consumer.pop(), Some(77));
    }
    assert_eq!(RegionError::Null.to_string(), "region base address is null");
    assert_eq!(
        RegionError::Misaligned {
            address: 0x1008,
            align: 64
        }
        .to_string(),
        "region base address 0x1008 is not aligned to 64 bytes"
    );
}

#[test]
fn a_misbehaving_peer_cannot_break_memory_safety() {
    let mut memory = memory::<u32, U4>();
    // A "producer" that claims 1000 elements and a "consumer" index ahead of it.
    memory.tail.0.store(1000, Relaxed);
    {
        let (producer, mut consumer) = memory.split();
        assert_eq!(consumer.len(), 4); // clamped to the capacity
        assert!(producer.is_full());
        for _ in 0..10 {
            assert_eq!(consumer.pop(), Some(0)); // zeroed slots: wrong values, but no out-of-bounds access
        }
    }
    memory.head.0.store(2000, Relaxed);
    memory.tail.0.store(1000, Relaxed);
    let (mut producer, consumer) = memory.split();
    assert_eq!(producer.push(1), Err(1)); // `tail - head` wraps to a huge number: full
    assert_eq!(consumer.len(), 4);
}

/// The loom model check: the protocol code the library runs, on loom's atomics and cells, with the producer and
/// consumer on two threads. Loom explores their interleavings (and the weak-memory behaviours the orderings
/// allow) and fails on a data race on a slot, a lost, duplicated or reordered element, or a deadlock.
mod model {
    use std::sync::atomic::Ordering;
    use std::vec::Vec;

    use loom::sync::atomic::AtomicU32;
    use loom::sync::Arc;

    use crate::protocol::{IndexCell, PopSide, PushSide, Ring, SlotCell};

    /// A loom atomic as the protocol's index.
    struct Index(AtomicU32);
    impl IndexCell for Index {
        fn load(&self, order: Ordering) -> u32 {
            self.0.load(order)
        }
        fn store(&self, value: u32, order: Ordering) {
            self.0.store(value, order)
        }
    }

    /// A loom cell as the protocol's slot: loom checks that no two accesses race.
    struct Slot(loom::cell::UnsafeCell<u32>);
    impl SlotCell<u32> for Slot {
        unsafe fn write(&self, value: u32) {
            // SAFETY: loom's pointer is valid; exclusivity is the caller's promise, and loom checks it.
            self.0.with_mut(|p| unsafe { p.write(value) })
        }
        unsafe fn read(&self) -> u32 {
            // SAFETY: as for `write`.
            self.0.with(|p| unsafe { p.read() })
        }
    }

    /// The shared memory of the model queue.
    struct Shared {
        head: Index,
        tail: Index,
        slots: Vec<Slot>,
    }
    // SAFETY: the slots are accessed only through the protocol, whose exclusivity loom checks.
    unsafe impl Sync for Shared {}
    // SAFETY: as above.
    unsafe impl Send for Shared {}

    impl Shared {
        fn new(capacity: usize, start: u32) -> Self {
            Shared {
                head: Index(AtomicU32::new(start)),
                tail: Index(AtomicU32::new(start)),
                slots: (0..capacity).map(|_| Slot(loom::cell::UnsafeCell::new(0))).collect(),
            }
        }
        fn ring(&self) -> Ring<'_, Index, Slot> {
            Ring {
                head: &self.head,
                tail: &self.tail,
                slots: &self.slots,
            }
        }
    }

    /// Producer and consumer pass `items` elements through a queue of `capacity` slots whose indices start at
    /// `start`; the consumer checks it gets 1, 2, ..., `items` in order, each once, and then an empty queue.
    fn run(capacity: usize, items: u32, start: u32) {
        let shared = Arc::new(Shared::new(capacity, start));
        let producer_shared = shared.clone();
        let producer = loom::thread::spawn(move || {
            let ring = producer_shared.ring();
            let mut side = PushSide::attach(&ring);
            for value in 1..=items {
                while side.push(&ring, value).is_err() {
                    loom::thread::yield_now();
                }
            }
        });
        let ring = shared.ring();
        let mut side = PopSide::attach(&ring);
        let mut received = Vec::new();
        while received.len() < items as usize {
            match side.pop(&ring) {
                Some(value) => received.push(value),
                None => loom::thread::yield_now(),
            }
            assert!(side.len(&ring) <= capacity as u32);
        }
        producer.join().unwrap();
        assert_eq!(received, (1..=items).collect::<Vec<_>>());
        assert_eq!(side.pop(&ring), None);
    }

    #[test]
    fn loom_spsc_capacity_2_three_items() {
        loom::model(|| run(2, 3, 0));
    }

    #[test]
    fn loom_spsc_capacity_2_five_items_bounded_preemptions() {
        // More items than fit twice over, so both ends wrap around the ring; exhaustive for up to 2 preemptions.
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(2);
        builder.check(|| run(2, 5, 0));
    }

    #[test]
    fn loom_spsc_capacity_1_two_items_across_index_wrap() {
        loom::model(|| run(1, 2, u32::MAX));
    }
}
