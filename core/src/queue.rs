//! Typed ends of a shared-memory queue: a [`QueueProducer`] and a [`QueueConsumer`] over a region of 4 KiB
//! pages, with a notification for wake-ups, made by [`queue`].
//!
//! The queue is a [`cross_queue`] single-producer single-consumer ring in the region (offsets only, so each
//! party maps the region at its own address). The producer signals the notification when a push made the
//! queue non-empty; the consumer sleeps on it when the queue is empty. A queue larger than its region does not
//! compile, and each end has only its own operations: a producer cannot pop, a consumer cannot push. See
//! [`queue`].

use core::ops::Mul;
use core::sync::atomic::{fence, Ordering};

use cross_queue::{Capacity, Consumer, Element, FitsIn, Producer, QueueMemory};
use selkie_sys as sys;
use typenum::{Prod, Unsigned, U4096};

use crate::cap::Cap;
use crate::error::Error;
use crate::object::{LocalCNode, Notification};
use crate::process::{Brand, ChildSlots, ParamField};
use crate::region::{Exclusive, Mapped, Region};
use crate::rights::{ReadWrite, WriteOnly};
use crate::role::{Forever, Invocable, Local, Scope};
use crate::slots::CNodeSlot;
use crate::vspace::Own;
use crate::{Page4K, Refused};

/// A region that can hold a queue of `N` `T`s: `P` 4 KiB pages, mapped read-write and exclusive in the
/// caller's address space, whose `P * 4096` bytes `QueueMemory<T, N>` fits (otherwise this does not
/// compile, with "the queue does not fit its memory region").
#[diagnostic::on_unimplemented(
    message = "this region cannot hold a queue",
    label = "a queue is made from an exclusive region of 4 KiB pages, mapped read-write in the caller's own \
             address space",
    note = "a queue's two ends must be the only way to its memory: map an `Exclusive` region with `VSpace::map` \
            (a `Shared` one may be written through other mappings)"
)]
pub trait HoldsQueue<T: Element, N: Capacity> {
    /// The region's address in the caller's address space, its first frame capability and its page count.
    #[doc(hidden)]
    fn queue_parts(&self) -> (sys::Word, sys::CPtr, usize);
}

impl<T, N, P, S> HoldsQueue<T, N> for Region<P, Mapped<Own>, Exclusive, ReadWrite, Page4K, S>
where
    T: Element,
    N: Capacity,
    P: Unsigned + Mul<U4096>,
    Prod<P, U4096>: Unsigned,
    QueueMemory<T, N>: FitsIn<Prod<P, U4096>>,
    S: Scope,
{
    fn queue_parts(&self) -> (sys::Word, sys::CPtr, usize) {
        (self.vaddr(), self.first_cptr(), P::USIZE)
    }
}

/// Where an end's queue memory is: its address in the holder's address space, and (in the address space that
/// made the queue) the frame capabilities to map it elsewhere.
#[derive(Debug, Clone, Copy)]
struct QueueRegion {
    base: sys::Word,
    /// The first frame capability in the maker's CSpace, or 0 in a child (an end placed in a child is not
    /// placed again).
    frames: sys::CPtr,
    pages: usize,
}

impl QueueRegion {
    /// The same memory, as a child sees it at `base`.
    fn in_child<B: Brand, S: Scope>(&self, slots: &mut ChildSlots<'_, B, S>) -> Result<QueueRegion, Error> {
        if self.frames == 0 {
            return Err(Error::QueueRegion {
                address: self.base,
                needed: 0,
                misaligned: false,
            });
        }
        let base = crate::region::map_in_child(
            &mut slots.loader,
            slots.next_grant,
            self.frames,
            self.pages,
            true,
            crate::VmAttributes::default(),
        )?;
        Ok(QueueRegion {
            base,
            frames: 0,
            pages: 0,
        })
    }
}

/// Opens a cross-queue end at `region.base`: called where the end is used, on its first use.
macro_rules! open {
    ($end:ident, $region:expr) => {{
        let base = $region.base;
        // SAFETY: the region is mapped read-write at `base` in this address space for as long as the end exists
        // (the exclusive region was consumed by `queue`, and a process's mapping lives as long as the process),
        // `HoldsQueue` checked at compile time that the queue fits, and `queue` made one end of each kind.
        unsafe { $end::<'static, T, N>::from_raw_parts(base as *mut u8, QueueMemory::<T, N>::BYTES) }.map_err(|e| {
            Error::QueueRegion {
                address: base,
                needed: QueueMemory::<T, N>::BYTES as sys::Word,
                misaligned: matches!(e, cross_queue::RegionError::Misaligned { .. }),
            }
        })
    }};
}

/// The producing end of a queue of `N` `T`s in a shared region: pushes, and signals the consumer's
/// notification when a push made the queue non-empty. It has no way to pop. Made by [`queue`]; a field of a
/// process's parameters (see [`queue`]). `S`: the scope of its notification capability.
pub struct QueueProducer<T: Element, N: Capacity, S: Scope = Forever> {
    region: QueueRegion,
    wake: Cap<Notification<WriteOnly>, Local<S>>,
    queue: Option<Producer<'static, T, N>>,
}

/// The consuming end of a queue of `N` `T`s in a shared region: pops, and sleeps on its notification when the
/// queue is empty. It has no way to push. Made by [`queue`]; a field of a process's parameters (see the
/// [`queue`] docs). `S`: the scope of its notification capability.
pub struct QueueConsumer<T: Element, N: Capacity, S: Scope = Forever> {
    region: QueueRegion,
    wake: Cap<Notification, Local<S>>,
    queue: Option<Consumer<'static, T, N>>,
    sleeps: u64,
}

impl<T: Element, N: Capacity, S: Scope> core::fmt::Debug for QueueProducer<T, N, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "QueueProducer(at {:#x}, {} x {} bytes)",
            self.region.base,
            N::USIZE,
            size_of::<T>()
        )
    }
}

impl<T: Element, N: Capacity, S: Scope> core::fmt::Debug for QueueConsumer<T, N, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "QueueConsumer(at {:#x}, {} x {} bytes)",
            self.region.base,
            N::USIZE,
            size_of::<T>()
        )
    }
}

/// What [`queue`] hands back when the kernel refuses the copy of the notification: the region, the
/// notification and the slot, unchanged.
pub type QueueRefused<Reg, S> = Refused<(Reg, Cap<Notification, Local<S>>, CNodeSlot<Local<S>>)>;

/// Makes a queue of `N` `T`s in `region`: consumes the exclusive region (mapped read-write in the caller's
/// address space; a queue that does not fit it does not compile) and the notification `wake`, and returns
/// the producer and consumer ends. The producer signals through a write-only copy of `wake` made in `slot`;
/// the consumer waits on `wake`. If the kernel refuses the copy, everything comes back in the [`Refused`].
///
/// The region stays mapped in the caller's address space for the rest of its scope (the ends keep using it
/// there, or map it again in the processes they are given to).
///
/// [`queue`] consumes an *exclusive* region mapped in the caller's address space: from then on the two ends
/// are the only way to its memory, so there is exactly one producer and one consumer (the type promises it;
/// nothing `unsafe` is asked of the caller). Both ends work where they were made (two threads of the root
/// task, say), and each is a process parameter: a field of a `#[derive(ProcessParams)]` struct, it maps the
/// region in the child (copies of the frame capabilities, at the next address of the child's
/// [grant window](crate::process::GRANT_BASE)) and moves its notification capability into the child's CSpace,
/// and the child uses the end as its own.
///
/// ```no_run
/// # fn demo(res: &mut selkie::bootstrap::Resources) -> Result<(), selkie::Error> {
/// use selkie::typenum::{U1, U12, U14, U256, U3, U5};
/// use selkie::{queue, Cap, Notification, QueueConsumer, QueueProducer, Region};
///
/// #[derive(selkie::ProcessParams)]
/// #[repr(C)]
/// struct Source {
///     out: QueueProducer<u64, U256>,
/// }
///
/// fn source(p: Source) {
///     let mut out = p.out;
///     for i in 0..1000 {
///         out.push(i); // yields while the queue is full
///     }
/// }
///
/// let page = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
/// let (page, _) = res.root_vspace.map_next(page, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
/// let wake: Cap<Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
/// let (tx, mut rx): (QueueProducer<u64, U256>, QueueConsumer<u64, U256>) =
///     queue(page, wake, &res.cspace, res.slots.alloc()?)?;
/// // `Source { out: tx }` is a process's parameters; here the root task consumes.
/// # let _ = (tx, source as fn(Source));
/// let first = rx.pop(); // sleeps on the notification while the queue is empty
/// # let _ = first; Ok(()) }
/// ```
#[allow(clippy::type_complexity)]
pub fn queue<T, N, Reg, S, R>(
    region: Reg,
    wake: Cap<Notification, Local<S>>,
    cspace: &Cap<LocalCNode, R>,
    slot: CNodeSlot<Local<S>>,
) -> Result<(QueueProducer<T, N, S>, QueueConsumer<T, N, S>), QueueRefused<Reg, S>>
where
    T: Element,
    N: Capacity,
    Reg: HoldsQueue<T, N>,
    S: Scope,
    R: Invocable,
{
    let (base, frames, pages) = region.queue_parts();
    let region_parts = QueueRegion { base, frames, pages };
    let opened: Result<(Producer<'static, T, N>, Consumer<'static, T, N>), Error> =
        open!(Producer, region_parts).and_then(|tx| Ok((tx, open!(Consumer, region_parts)?)));
    let (tx, rx) = match opened {
        Ok(ends) => ends,
        Err(error) => {
            return Err(Refused {
                error,
                inputs: (region, wake, slot),
            })
        }
    };
    let signal = match wake.copy::<Notification<WriteOnly>, _>(cspace, slot) {
        Ok(signal) => signal,
        Err(refused) => {
            return Err(Refused {
                error: refused.error,
                inputs: (region, wake, refused.inputs),
            })
        }
    };
    // The region's token is consumed: the two ends are the only way to its memory from here on.
    drop_region(region);
    Ok((
        QueueProducer {
            region: region_parts,
            wake: signal,
            queue: Some(tx),
        },
        QueueConsumer {
            region: region_parts,
            wake,
            queue: Some(rx),
            sleeps: 0,
        },
    ))
}

/// Lets the region's token go: its frames stay mapped for the ends (and are reclaimed with the caller's scope).
fn drop_region<Reg>(region: Reg) {
    core::mem::forget(region);
}

impl<T: Element, N: Capacity, S: Scope> QueueProducer<T, N, S> {
    /// Appends `value`, or gives it back if the queue is full. Signals the consumer if the queue was empty.
    pub fn try_push(&mut self, value: T) -> Result<(), T> {
        let queue = match &mut self.queue {
            Some(q) => q,
            None => match open!(Producer, self.region) {
                Ok(q) => self.queue.insert(q),
                // Cannot happen (the address is page aligned and the size checked when the queue was made);
                // the value comes back as if the queue were full.
                Err(_) => return Err(value),
            },
        };
        queue.push(value)?;
        // Order the push before the check of the consumer's index (a store then a load: only a full fence
        // keeps them in order), pairing with the consumer's fence before it sleeps.
        fence(Ordering::SeqCst);
        if queue.len() == 1 {
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

    /// Where the queue's memory is mapped in this address space.
    pub fn address(&self) -> sys::Word {
        self.region.base
    }
}

impl<T: Element, N: Capacity, S: Scope> QueueConsumer<T, N, S> {
    /// Takes the oldest element, or `None` if the queue is empty. Never blocks.
    pub fn try_pop(&mut self) -> Option<T> {
        let queue = match &mut self.queue {
            Some(q) => q,
            // Cannot fail (see `QueueProducer::try_push`): an unopenable queue reads as empty.
            None => self.queue.insert(open!(Consumer, self.region).ok()?),
        };
        queue.pop()
    }

    /// Takes the oldest element, sleeping on the notification while the queue is empty.
    pub fn pop(&mut self) -> T {
        loop {
            if let Some(v) = self.try_pop() {
                return v;
            }
            // Order our last index store before the re-check (pairs with the producer's fence), so a push the
            // producer did not signal for is seen here.
            fence(Ordering::SeqCst);
            if let Some(v) = self.try_pop() {
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

    /// Where the queue's memory is mapped in this address space.
    pub fn address(&self) -> sys::Word {
        self.region.base
    }
}

/// A producer end as a process parameter: the region is mapped in the child and the signal end moved into
/// its CSpace; the child's view is a producer of its own.
impl<B: Brand, T: Element, N: Capacity, S0: Scope> ParamField<B> for QueueProducer<T, N, S0> {
    type View = QueueProducer<T, N, Forever>;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error> {
        let region = self.region.in_child(slots)?;
        let wake = self.wake.place(slots)?;
        Ok(QueueProducer {
            region,
            wake,
            queue: None,
        })
    }
}

/// A consumer end as a process parameter: the region is mapped in the child and the notification moved into
/// its CSpace; the child's view is a consumer of its own.
impl<B: Brand, T: Element, N: Capacity, S0: Scope> ParamField<B> for QueueConsumer<T, N, S0> {
    type View = QueueConsumer<T, N, Forever>;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error> {
        let region = self.region.in_child(slots)?;
        let wake = self.wake.place(slots)?;
        Ok(QueueConsumer {
            region,
            wake,
            queue: None,
            sleeps: 0,
        })
    }
}
