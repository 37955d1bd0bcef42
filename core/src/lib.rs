//! Typestate capabilities for seL4.
//!
//! Kernel resources are linear values whose sizes and counts live in their types:
//!
//! - [`Cap<T, Role>`](Cap) is a capability to an object of type `T`, valid in the caller's CSpace
//!   ([`Local`]) or in a child's ([`Child`]). It is not `Copy` or `Clone`; copying one is a kernel operation
//!   that consumes a free slot ([`Cap::copy`]).
//! - [`Untyped<Bits, Kind>`](Untyped) is `2^Bits` bytes of untyped memory. [`Cap::split`] halves it,
//!   [`Cap::retype`] turns it into a kernel object if it is large enough, and device memory only becomes
//!   frames.
//! - [`CNodeSlots<N, Role>`](CNodeSlots) is `N` empty CNode slots; [`CNodeSlots::alloc`] takes `K` and leaves
//!   `N - K`, and taking more than there are does not compile.
//! - [`bootstrap::BootInfo`] hands the root task's resources over once, turning the kernel's runtime facts
//!   into these types with checks that return [`Error`]s carrying numbers.
//!
//! ```no_run
//! use selkie::typenum::{U1, U12, U2, U4};
//! use selkie::{bootstrap::BootInfo, Cap, Endpoint, Error, Tcb};
//!
//! // In a root task, `#[selkie::root_task] fn main(boot: BootInfo)`.
//! fn run(boot: BootInfo) -> Result<(), Error> {
//!     let mut res = boot.take()?;
//!     let mem = res.untyped.alloc::<U12>()?; // 4 KiB from the kernel's list, checked at run time
//!     let slots = res.slots.alloc::<U4>()?; // four slots, checked at run time
//!     let (split_slots, slots) = slots.alloc::<U2>(); // from here on, counts are checked at compile time
//!     let (a, b) = mem.split(split_slots)?; // two 2 KiB halves
//!     let (tcb_slot, ep_slot) = slots.alloc::<U1>();
//!     let tcb: Cap<Tcb> = a.retype(tcb_slot)?;
//!     let ep: Cap<Endpoint> = b.retype(ep_slot)?;
//!     # let _ = (tcb, ep);
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! Misuse is a compile error whose first line names the problem. Taking five slots from three:
//!
//! ```text
//! error[E0277]: not enough CNode slots
//!  --> tests/core/slots_take_more_than_available.rs:6:32
//!   |
//! 6 |     let (_five, _rest) = slots.alloc::<U5>();
//!   |                                ^^^^^ this takes more slots than the pool has
//! ```
//!
//! An operation that consumes tokens and is refused by the kernel hands them back, unchanged, in a [`Refused`]
//! beside its [`Error`]; `?` turns it into the [`Error`].
//!
//! Also here: [`Cap::with_temporary`] lends memory and slots to a closure and revokes what it made;
//! [`BootInfo::lend`](bootstrap::BootInfo::lend) does the same for all of a root task's resources (for tests
//! sharing one boot). What they lend is branded with the scope's own lifetime ([`Lent<'s>`](Lent) in the
//! [`Role`]), so nothing made from it can outlive the scope, and results only go into slots whose scope
//! accepts their source's ([`FlowsInto`]). [`smart_alloc!`] writes the slot and memory bookkeeping for
//! straight-line code.
//!
//! Every kernel object lives in one module of [`object`] (or [`arch`]), declared once with its kernel facts.
#![no_std]
#![warn(missing_docs)]

pub mod arch;
pub mod bootstrap;
mod bounds;
mod cap;
pub mod channel;
pub mod elf;
mod error;
mod fault;
pub mod object;
pub mod process;
mod queue;
mod region;
pub mod rights;
mod role;
mod scope;
mod sealed;
mod slots;
mod supervisor;
mod thread;
mod untyped;
pub mod vspace;

pub mod rt;
#[doc(hidden)]
pub mod test_rt;

/// Entry-point attributes: `#[selkie::root_task]` marks a root task's `main`, `#[selkie::test]` an in-kernel test,
/// `#[selkie::program]` a separately built program's `main`; `#[derive(ProcessParams)]` makes a struct a process's
/// parameters ([`process::ProcessParams`]).
pub use selkie_derive::{program, root_task, test, ProcessParams};
/// Straight-line code over slot and untyped pools; see [`selkie_smart_alloc`].
pub use selkie_smart_alloc::smart_alloc;

pub use arch::*;
pub use bounds::{
    BigEnoughFor, CNodeRadix, EnoughSlots, FanOutLimit, FitsCNode, FitsObjects, MayHold, MinUntypedBits,
    NotBelowMinimum, RetypeCNode, RetypeInto, RetypeMany, SlotBits, SplitInto, TakeSlots, WithinFanOut,
};
pub use cap::Cap;
pub use channel::{
    channel, one_way, Between, Buffered, Caller, CapCaller, CapResponder, ChannelError, FastPath, Message, Receivable,
    ReceiveSlots, Receiver, Rejection, Responder, Sender, Served, ThisProcess, Threads,
};
pub use error::{Error, Operation, Refused};
pub use fault::{Fault, LookupFailure, VmAccess, MAX_FAULT_WORDS};
pub use object::*;
pub use process::{CodeSource, Entry, Loader, Perms};
pub use queue::{queue, HoldsQueue, QueueConsumer, QueueProducer, QueueRefused};
pub use region::{
    Addressable, Exclusive, IsExclusive, IsMapped, IsShared, IsUnmapped, MapRefused, MapResult, MapState, Mapped,
    Readable, Region, RegionMemory, RegionPages, ScratchResult, Shared, Sharing, SizeMatches, Unmapped, Writable,
};
pub use role::{
    Borrowed, Child, ChildOf, Closed, FlowsInto, Forever, Invocable, Lent, Local, OwnsSlot, Role, SameChild, Scope,
    ScopeFlowsInto,
};
pub use slots::{CNodeSlot, CNodeSlots, Runtime};
pub use supervisor::{Faulted, Supervisor};
pub use thread::{RunningThread, SpawnRefused, StaticStack, Thread, ThreadArg, ThreadEnv, ThreadParts, ThreadStack};
pub use untyped::{CapRange, Device, General, MemoryKind, Untyped, UntypedAllocator};
pub use vspace::{
    Leftover, Other, Own, PagingCount, PagingMemory, PagingMemoryBits, PagingObjects, PagingSlots, VSpace, VSpaceKind,
};

/// Plain-old-data traits for channel messages and queue elements (`Pod`, `Zeroable`).
pub use bytemuck;
/// The shared-memory queue the typed queue ends wrap.
pub use cross_queue;
/// The raw kernel interface this crate is built on.
pub use selkie_sys as sys;
/// The type-level number crate selkie's sizes and counts are written in (`U12`, `U4096`, ...).
pub use typenum;
