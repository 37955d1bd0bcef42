//! Typed ends of a shared-memory queue: a [`QueueProducer`] and a [`QueueConsumer`] over a region mapped in
//! the caller's address space, with a notification for wake-ups.
//!
//! The queue is a [`cross_queue`] single-producer single-consumer ring in the region (offsets only, so each
//! party may map the region at its own address). The producer signals the notification when a push made the
//! queue non-empty; the consumer sleeps on it when the queue is empty. A queue larger than its region does not
//! compile, and each end has only its own operations: a producer cannot pop, a consumer cannot push.

use core::ops::Mul;
use core::sync::atomic::{fence, Ordering};

use cross_queue::{Capacity, Consumer, Element, FitsIn, Producer, QueueMemory};
use selkie_sys as sys;
use typenum::{Prod, Unsigned, U4096};

use crate::cap::Cap;
use crate::error::Error;
use crate::object::Notification;
use crate::region::{Addressable, IsMapped, Readable, Region, Sharing, Writable};
use crate::rights::{CanRead, CanWrite, RightsSet};
use crate::role::Invocable;
use crate::role::Scope;
use crate::Page4K;

/// A region of 4 KiB pages, mapped read-write in the caller's address space, that can hold a queue of `N`
/// `T`s: `QueueMemory<T, N>` fits its `P * 4096` bytes (otherwise this does not compile, with
/// "the queue does not fit its memory region").
pub trait HoldsQueue<T: Element, N: Capacity> {
    /// The region's address in the caller's address space.
    #[doc(hidden)]
    fn queue_base(&self) -> *mut u8;
}

impl<T, N, P, St, Sh, Rt, S> HoldsQueue<T, N> for Region<P, St, Sh, Rt, Page4K, S>
where
    T: Element,
    N: Capacity,
    P: Unsigned + Mul<U4096>,
    Prod<P, U4096>: Unsigned,
    QueueMemory<T, N>: FitsIn<Prod<P, U4096>>,
    St: Addressable + IsMapped,
    Sh: Sharing,
    Rt: Readable + Writable,
    S: Scope,
{
    fn queue_base(&self) -> *mut u8 {
        self.vaddr() as *mut u8
    }
}

/// Opens a cross-queue end over `region`, checking the alignment at run time (a region is page-aligned).
macro_rules! open {
    ($end:ident, $region:expr) => {{
        // SAFETY: the region is mapped read-write in our address space for as long as the borrow `'a` of its
        // token lasts (unmapping consumes the token); `HoldsQueue` guarantees the queue fits. Only one end of
        // each kind is opened per region by the caller (the constructor is `unsafe` for that promise).
        let base = $region.queue_base();
        unsafe { $end::<T, N>::from_raw_parts(base, QueueMemory::<T, N>::BYTES) }.map_err(|e| Error::QueueRegion {
            address: base as sys::Word,
            needed: QueueMemory::<T, N>::BYTES as sys::Word,
            misaligned: matches!(e, cross_queue::RegionError::Misaligned { .. }),
        })
    }};
}

/// The producing end of a queue of `N` `T`s in a shared region: pushes, and signals the consumer's
/// notification when a push made the queue non-empty. It has no way to pop.
pub struct QueueProducer<'a, T: Element, N: Capacity, Rt: RightsSet, R: Invocable> {
    queue: Producer<'a, T, N>,
    wake: &'a Cap<Notification<Rt>, R>,
}

/// The consuming end of a queue of `N` `T`s in a shared region: pops, and sleeps on its notification when the
/// queue is empty. It has no way to push.
pub struct QueueConsumer<'a, T: Element, N: Capacity, Rt: RightsSet, R: Invocable> {
    queue: Consumer<'a, T, N>,
    wake: &'a Cap<Notification<Rt>, R>,
    sleeps: u64,
}

impl<'a, T: Element, N: Capacity, Rt: CanWrite, R: Invocable> QueueProducer<'a, T, N, Rt, R> {
    /// The producer end of the queue in `region`, waking the consumer through `wake` (a signal end).
    ///
    /// # Safety
    /// At most one producer may be open on the region's memory at a time, in any address space (two would
    /// race for the same slots; the memory stays valid, the queue's contents would not).
    pub unsafe fn new(region: &'a impl HoldsQueue<T, N>, wake: &'a Cap<Notification<Rt>, R>) -> Result<Self, Error> {
        Ok(QueueProducer {
            queue: open!(Producer, region)?,
            wake,
        })
    }

    /// Appends `value`, or gives it back if the queue is full. Signals the consumer if the queue was empty.
    pub fn try_push(&mut self, value: T) -> Result<(), T> {
        self.queue.push(value)?;
        // Order the push before the check of the consumer's index (a store then a load: only a full fence
        // keeps them in order), pairing with the consumer's fence before it sleeps.
        fence(Ordering::SeqCst);
        if self.queue.len() == 1 {
            self.wake.signal();
        }
        Ok(())
    }

    /// Appends `value`, yielding the processor while the queue is full.
    pub fn push(&mut self, mut value: T) {
        while let Err(v) = self.try_push(value) {
            value = v;
            // SAFETY: yielding only gives up the rest of the time slice.
            unsafe { sys::yield_() };
        }
    }
}

impl<'a, T: Element, N: Capacity, Rt: CanRead, R: Invocable> QueueConsumer<'a, T, N, Rt, R> {
    /// The consumer end of the queue in `region`, sleeping on `wake` (a wait end) when it is empty.
    ///
    /// # Safety
    /// At most one consumer may be open on the region's memory at a time, in any address space.
    pub unsafe fn new(region: &'a impl HoldsQueue<T, N>, wake: &'a Cap<Notification<Rt>, R>) -> Result<Self, Error> {
        Ok(QueueConsumer {
            queue: open!(Consumer, region)?,
            wake,
            sleeps: 0,
        })
    }

    /// Takes the oldest element, or `None` if the queue is empty. Never blocks.
    pub fn try_pop(&mut self) -> Option<T> {
        self.queue.pop()
    }

    /// Takes the oldest element, sleeping on the notification while the queue is empty.
    pub fn pop(&mut self) -> T {
        loop {
            if let Some(v) = self.queue.pop() {
                return v;
            }
            // Order our last index store before the re-check (pairs with the producer's fence), so a push the
            // producer did not signal for is seen here.
            fence(Ordering::SeqCst);
            if let Some(v) = self.queue.pop() {
                return v;
            }
            self.sleeps += 1;
            let _ = self.wake.wait();
        }
    }

    /// How many times [`pop`](Self::pop) slept on the notification.
    pub fn sleeps(&self) -> u64 {
        self.sleeps
    }
}
