//! `cross-queue`: a lock-free, bounded, single-producer single-consumer queue of plain-old-data elements that
//! lives entirely inside a shared memory region, which each side may map at a different address.
//!
//! ```
//! use cross_queue::{typenum::U4, QueueMemory};
//!
//! let mut memory = QueueMemory::<u64, U4>::new(); // or a shared frame, opened with `from_raw_parts`
//! let (mut producer, mut consumer) = memory.split();
//! producer.push(1).unwrap();
//! producer.push(2).unwrap();
//! assert_eq!(consumer.pop(), Some(1));
//! assert_eq!(consumer.pop(), Some(2));
//! assert_eq!(consumer.pop(), None);
//! ```
//!
//! # The memory
//! [`QueueMemory<T, N>`] is `#[repr(C)]`: the consumer's index `head` and the producer's index `tail`
//! (`AtomicU32`s, each alone on a 64-byte cache line) followed by `N` slots of `T`. The memory holds no pointers,
//! only the two indices, so the producer and the consumer may map it at different virtual addresses in different
//! address spaces. The capacity `N` is a type-level power of two ([`Capacity`]); the elements are plain old data
//! ([`Element`]: `bytemuck::Pod` with its size as a type-level number; [`element!`] declares your own types).
//!
//! **A zeroed region is a valid empty queue**: both indices 0 and every slot a valid zero `T`, so a freshly
//! mapped frame (seL4 hands out zeroed frames) needs no set-up, and either side may open its end first.
//!
//! A queue that does not fit its region does not compile: [`QueueBytes<T, N>`] is the queue's size as a
//! typenum number and `QueueMemory<T, N>: FitsIn<U4096>` holds only if it is at most one page
//! (see [`FitsIn`], [`Producer::from_region`]).
//!
//! # The protocol
//! `head` and `tail` count the elements ever popped and pushed, as free-running `u32`s that wrap; element `i`
//! lives in slot `i % N` (a mask, as `N` is a power of two dividing 2^32). `tail - head` (wrapping) is the
//! number of elements in the queue, from 0 to `N`. Each index has exactly one writer, so no read-modify-write
//! operations are needed:
//!
//! - **push** (producer): if `tail - head == N` the queue is full and the value is handed back. Otherwise it
//!   writes slot `tail % N`, then stores `tail + 1` with **Release**, publishing the slot.
//! - **pop** (consumer): if `head == tail` the queue is empty. Otherwise it reads slot `head % N`, then stores
//!   `head + 1` with **Release**, handing the slot back.
//! - Each side reads the **other** side's index with **Acquire**: the consumer's Acquire load of `tail`
//!   synchronises with the producer's Release store, so the slot's contents are visible before it is read;
//!   the producer's Acquire load of `head` synchronises with the consumer's Release store, so the consumer's
//!   read of a slot happens before the producer overwrites it. A side reads its **own** index only when it
//!   attaches, and then keeps it privately.
//! - Each side caches the last value it saw of the other's index and reloads it only when the cache says
//!   full (producer) or empty (consumer), so a busy queue does not bounce both cache lines on every operation.
//!
//! Slots are written and read with volatile accesses (exactly once each, never merged or re-read). The protocol
//! is model-checked with `loom` (the library and the model run the same generic code, so the ordinary
//! `cargo test` runs the model without `--cfg loom`) and stress-tested with one million elements through two
//! mappings of one memory file at different addresses.
//!
//! # Single producer, single consumer only
//! Only one producer and one consumer may use a queue at a time: two producers would race for the same slot
//! and index (and likewise two consumers). Multi-producer or multi-consumer use is **not** supported.
//! [`QueueMemory::split`] enforces this by borrowing; the raw constructors ([`Producer::from_raw_parts`],
//! [`Consumer::from_raw_parts`], `from_region`) are `unsafe` and make it the caller's promise.
//!
//! # A peer that does not follow the protocol
//! Whatever the other side writes into the shared memory, this side stays memory-safe: indices are masked to a
//! slot, every bit pattern is a valid `T`, and lengths are clamped to the capacity. A misbehaving peer can only
//! make the queue deliver wrong values or look full or empty.
#![no_std]
#![warn(missing_docs)]

mod element;
mod ends;
mod memory;
mod protocol;

#[cfg(test)]
extern crate std;
#[cfg(test)]
mod tests;

pub use element::Element;
pub use ends::{Consumer, Producer};
pub use memory::{Capacity, FitsIn, MemorySize, QueueBytes, QueueFits, QueueMemory, RegionError};

/// The plain-old-data traits elements implement (`Pod`, `Zeroable`), re-exported so both sides use one version.
pub use bytemuck;
/// The storage array type, re-exported.
pub use generic_array;
/// Type-level numbers for capacities and region sizes (`U4`, `U4096`, ...), re-exported.
pub use typenum;
