//! The concurrent protocol, written once and generic over its atomics and cells: the library runs it on
//! `AtomicU32` and `UnsafeCell` in shared memory, the `loom` model check on loom's instrumented types.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU32, Ordering};

/// A 32-bit index shared between the two sides.
pub(crate) trait IndexCell {
    /// Atomically reads the index.
    fn load(&self, order: Ordering) -> u32;
    /// Atomically writes the index.
    fn store(&self, value: u32, order: Ordering);
}

impl IndexCell for AtomicU32 {
    fn load(&self, order: Ordering) -> u32 {
        AtomicU32::load(self, order)
    }
    fn store(&self, value: u32, order: Ordering) {
        AtomicU32::store(self, value, order)
    }
}

/// One slot of the ring, written by the producer and read by the consumer.
pub(crate) trait SlotCell<T> {
    /// Writes the slot.
    ///
    /// # Safety
    /// The caller is the only one accessing the slot until it publishes it.
    unsafe fn write(&self, value: T);
    /// Reads the slot.
    ///
    /// # Safety
    /// The slot was published to the caller and is not written until the caller releases it.
    unsafe fn read(&self) -> T;
}

impl<T: bytemuck::Pod> SlotCell<T> for UnsafeCell<T> {
    unsafe fn write(&self, value: T) {
        // SAFETY: the pointer comes from a live `UnsafeCell` and is aligned; the caller has the slot to itself.
        // Volatile: the memory is shared with another address space, so the write is never elided or merged.
        unsafe { self.get().write_volatile(value) }
    }
    unsafe fn read(&self) -> T {
        // SAFETY: as for `write`; volatile, so the slot is read exactly once (no re-read after release) even if
        // a misbehaving peer writes it. Every bit pattern is a valid `T: Pod`.
        unsafe { self.get().read_volatile() }
    }
}

/// The shared part of a queue: the two indices and the slots (`slots.len()` a power of two, at most 2^31).
pub(crate) struct Ring<'r, I, S> {
    /// Elements popped so far (the consumer's index).
    pub(crate) head: &'r I,
    /// Elements pushed so far (the producer's index).
    pub(crate) tail: &'r I,
    /// Element `i` lives in `slots[i % len]`.
    pub(crate) slots: &'r [S],
}

impl<I, S> Ring<'_, I, S> {
    /// The number of slots, as an index distance.
    fn capacity(&self) -> u32 {
        self.slots.len() as u32
    }

    /// The slot of element `index` (masked: always in bounds).
    fn slot(&self, index: u32) -> &S {
        &self.slots[(index & (self.capacity() - 1)) as usize]
    }
}

/// The producer's private state: its own index (it is the only writer) and the last consumer index it read.
#[derive(Debug)]
pub(crate) struct PushSide {
    tail: u32,
    head_seen: u32,
}

impl PushSide {
    /// Takes up the queue where it stands.
    pub(crate) fn attach<I: IndexCell, S>(ring: &Ring<'_, I, S>) -> Self {
        PushSide {
            tail: ring.tail.load(Ordering::Relaxed),
            head_seen: ring.head.load(Ordering::Acquire),
        }
    }

    /// Pushes `value`, or gives it back if the queue is full.
    pub(crate) fn push<T, I: IndexCell, S: SlotCell<T>>(&mut self, ring: &Ring<'_, I, S>, value: T) -> Result<(), T> {
        if self.tail.wrapping_sub(self.head_seen) >= ring.capacity() {
            // Looks full: see how far the consumer has got. Acquire: its reads of the slots it released happen
            // before our writes to them.
            self.head_seen = ring.head.load(Ordering::Acquire);
            if self.tail.wrapping_sub(self.head_seen) >= ring.capacity() {
                return Err(value);
            }
        }
        // SAFETY: slot `tail` is free (tail - head < capacity, and the consumer only reads slots below `tail`), so
        // we are its only user until the Release store below publishes it.
        unsafe { ring.slot(self.tail).write(value) };
        self.tail = self.tail.wrapping_add(1);
        ring.tail.store(self.tail, Ordering::Release);
        Ok(())
    }

    /// The number of elements in the queue as far as the producer knows (the consumer may have taken some since).
    pub(crate) fn len<I: IndexCell, S>(&self, ring: &Ring<'_, I, S>) -> u32 {
        self.tail
            .wrapping_sub(ring.head.load(Ordering::Acquire))
            .min(ring.capacity())
    }
}

/// The consumer's private state: its own index (it is the only writer) and the last producer index it read.
#[derive(Debug)]
pub(crate) struct PopSide {
    head: u32,
    tail_seen: u32,
}

impl PopSide {
    /// Takes up the queue where it stands.
    pub(crate) fn attach<I: IndexCell, S>(ring: &Ring<'_, I, S>) -> Self {
        PopSide {
            head: ring.head.load(Ordering::Relaxed),
            tail_seen: ring.tail.load(Ordering::Acquire),
        }
    }

    /// Pops the oldest element, or `None` if the queue is empty.
    pub(crate) fn pop<T, I: IndexCell, S: SlotCell<T>>(&mut self, ring: &Ring<'_, I, S>) -> Option<T> {
        if self.tail_seen == self.head {
            // Looks empty: see how far the producer has got. Acquire: its writes of the slots it published
            // happen before our reads of them.
            self.tail_seen = ring.tail.load(Ordering::Acquire);
            if self.tail_seen == self.head {
                return None;
            }
        }
        // SAFETY: slot `head` was published by the producer (head < tail, seen with Acquire) and it does not
        // write it again until the Release store below hands it back.
        let value = unsafe { ring.slot(self.head).read() };
        self.head = self.head.wrapping_add(1);
        ring.head.store(self.head, Ordering::Release);
        Some(value)
    }

    /// The number of elements in the queue as far as the consumer knows (the producer may have added some since).
    pub(crate) fn len<I: IndexCell, S>(&self, ring: &Ring<'_, I, S>) -> u32 {
        ring.tail
            .load(Ordering::Acquire)
            .wrapping_sub(self.head)
            .min(ring.capacity())
    }
}
