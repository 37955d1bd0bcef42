//! Processes: a child with its own address space, CSpace, thread and fault endpoint, built from memory and
//! slots the caller hands over ([`ProcessResources`]), its code from a [`CodeSource`] (a function of the root
//! task's own image: [`ImageFunction`]; a separately built program: [`ElfProgram`](crate::elf::ElfProgram)),
//! started with typed parameters ([`ProcessParams`]). When the child returns, exits or panics, its supervisor
//! is told ([`rt::child`](crate::rt::child)).
//!
//! # Layout of a child
//!
//! - CSpace: one CNode of 2^[`CHILD_CNODE_RADIX`] slots, guarded so that the child resolves ordinary
//!   word-sized capability addresses (64 bits on x86_64, 32 on aarch32); slot [`SELF_CNODE_SLOT`] holds the
//!   child's own CNode, slot [`FAULT_ENDPOINT_SLOT`] its fault endpoint (a badged copy of its supervisor's),
//!   the parameter capabilities follow from [`FIRST_PARAM_SLOT`].
//! - Address space: what the code source maps; a stack of [`STACK_PAGES`] pages below [`STACK_TOP`], the IPC
//!   buffer at [`IPC_BUFFER_ADDR`], the parameters (read-only) at [`PARAMS_ADDR`], shared regions from
//!   [`GRANT_BASE`] up.
//!
//! Every object of a process (CNode, TCB, address-space root, paging structures, fresh pages) is made from
//! the process's own untyped memory, and every capability to them sits in the process's own slots, so
//! [`RunningProcess::teardown`] gives both back whole: it revokes the memory (every object made from it goes)
//! and empties the slots.
//!
//! # Which child
//!
//! Each process has a brand type `B` made with [`child_brand!`](crate::child_brand); capabilities in its
//! CSpace are [`Cap<T, ChildOf<B>>`](crate::ChildOf), so one child's capabilities cannot be used as another's.
//! A brand names one process at a time: [`ProcessBrand`] values are made once per brand type and handed back
//! by teardown.

mod child_cap;
mod image;
mod loader;
mod params;

use core::marker::PhantomData;
use core::sync::atomic::AtomicBool;

use arrayvec::ArrayVec;
use selkie_sys as sys;
use typenum::{IsGreaterOrEqual, Unsigned, B1, U64, U8};

use crate::arch::{entry_context, UserContext};
use crate::bootstrap::Resources;
use crate::object::{
    Badge, CNode, CNodeGuard, CSpaceRoot, CapType, Endpoint, FaultEndpointIn, IpcBuffer, KernelObject, Priority, Tcb,
    TcbConfig,
};
use crate::role::{FlowsInto, Invocable, Local, Role, SameChild, Scope};
use crate::slots::{CNodeSlots, Runtime};
use crate::untyped::retype::retype_call;
use crate::vspace::{Budget, Other, VSpace};
use crate::{Cap, Error, Faulted, Operation, Refused, Supervisor, Untyped};

pub use child_cap::ChildCap;
pub use image::{ImageFunction, RootImage, IMAGE_BASE};
use loader::{local_cnode, FreshPage, ScratchPage};
pub use loader::{CodeSource, Entry, Loader, Perms, MAX_FRESH_PAGES, PAGE_SIZE};
pub use params::{ChildSlots, ParamField, Plain, ProcessParams, SameParams, TakesParams};

/// The radix of a child's CNode: 2^8 = 256 slots.
pub const CHILD_CNODE_RADIX: u8 = 8;
/// The slot of a child's CSpace holding its own CNode.
pub const SELF_CNODE_SLOT: sys::CPtr = 1;
/// The slot of a child's CSpace holding its fault endpoint (the kernel looks it up there when the child
/// faults; the child's exit message goes there too).
pub const FAULT_ENDPOINT_SLOT: sys::CPtr = 2;
/// The first slot of a child's CSpace holding a parameter capability.
pub const FIRST_PARAM_SLOT: sys::CPtr = 3;
/// How many pages a child's stack has.
pub const STACK_PAGES: usize = 4;
/// The address one past the top of a child's stack.
pub const STACK_TOP: sys::Word = 0x1000_0000 + (STACK_PAGES * PAGE_SIZE) as sys::Word;
/// Where a child's IPC buffer is.
pub const IPC_BUFFER_ADDR: sys::Word = 0x1001_0000;
/// Where a child's parameters are (a read-only page).
pub const PARAMS_ADDR: sys::Word = 0x1002_0000;
/// Where a child's grant window starts: regions mapped into the child by [`Process::map_region`] and the
/// memory of parameters that bring a region along (a queue end's) are mapped from here up, one after the
/// other, in the order they are placed.
pub const GRANT_BASE: sys::Word = 0x4000_0000;
/// The label of a child's exit message on its fault endpoint (one word: the exit code); see
/// [`Fault::Exited`](crate::Fault::Exited).
pub const PROCESS_EXIT_LABEL: sys::Word = 0x5_e417;
/// The label of a child's panic message on its fault endpoint (one word: the line of the panic); see
/// [`Fault::Panicked`](crate::Fault::Panicked).
pub const PROCESS_PANIC_LABEL: sys::Word = 0x5_e418;
const _: () = assert!(
    PROCESS_EXIT_LABEL < 1 << 20 && PROCESS_PANIC_LABEL < 1 << 20,
    "this kernel's message labels have 20 bits"
);

/// The least untyped memory a process is built from: 2^18 bytes (256 KiB), as a power of two.
pub type MinProcessBits = typenum::U18;
/// The fewest slots a process is built with.
pub type MinProcessSlots = U64;

/// A brand: a type naming one child process (see [`child_brand!`](crate::child_brand)).
///
/// # Safety
///
/// Implemented only by [`child_brand!`](crate::child_brand), which gives each brand its own "taken" flag, so
/// one [`ProcessBrand`] value of it exists at a time.
pub unsafe trait Brand: 'static {
    /// The flag that says a [`ProcessBrand`] of this type exists.
    #[doc(hidden)]
    fn taken() -> &'static AtomicBool;
}

/// The one value of brand `B`: [`Process::new`] consumes it and [`RunningProcess::teardown`] gives it back,
/// so two processes of the same brand never exist at once.
pub struct ProcessBrand<B: Brand>(PhantomData<B>);

impl<B: Brand> core::fmt::Debug for ProcessBrand<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(core::any::type_name::<B>())
    }
}

impl<B: Brand> ProcessBrand<B> {
    /// The brand's value, the first time; [`Error::BrandTaken`] while it is taken.
    pub fn take() -> Result<Self, Error> {
        if B::taken().swap(true, core::sync::atomic::Ordering::AcqRel) {
            return Err(Error::BrandTaken);
        }
        Ok(ProcessBrand(PhantomData))
    }
}

impl<B: Brand> Drop for ProcessBrand<B> {
    fn drop(&mut self) {
        B::taken().store(false, core::sync::atomic::Ordering::Release);
    }
}

/// Declares brand types for child processes: `child_brand!(pub Worker, pub Logger);`. Each is an
/// uninhabited type used only in types ([`Process<Worker, ..>`](crate::process::Process),
/// [`ChildOf<Worker>`](crate::ChildOf)); [`ProcessBrand::take`] gives its one value.
#[macro_export]
macro_rules! child_brand {
    ($($(#[$m:meta])* $v:vis $name:ident),+ $(,)?) => {$(
        $(#[$m])*
        $v enum $name {}
        // SAFETY: the flag is this brand's own.
        unsafe impl $crate::process::Brand for $name {
            fn taken() -> &'static ::core::sync::atomic::AtomicBool {
                static TAKEN: ::core::sync::atomic::AtomicBool = ::core::sync::atomic::AtomicBool::new(false);
                &TAKEN
            }
        }
    )+};
}

/// The check behind [`ProcessResources::new`]'s memory bound.
#[diagnostic::on_unimplemented(
    message = "too little memory for a process",
    label = "a process needs at least 2^18 bytes (256 KiB) of untyped memory",
    note = "its CNode, TCB, address space, stack, IPC buffer, parameters and copies of data and bss come from it"
)]
pub trait EnoughProcessMemory {}
impl EnoughProcessMemory for B1 {}

/// The check behind [`ProcessResources::new`]'s slot bound.
#[diagnostic::on_unimplemented(
    message = "too few CNode slots for a process",
    label = "a process needs at least 64 slots",
    note = "one per object of the process and per page of code it shares with the root task"
)]
pub trait EnoughProcessSlots {}
impl EnoughProcessSlots for B1 {}

/// `Bits: ProcessMemoryBits`: 2^Bits bytes are enough for a process.
pub trait ProcessMemoryBits: Unsigned {}
impl<Bits: Unsigned + IsGreaterOrEqual<MinProcessBits>> ProcessMemoryBits for Bits where
    typenum::GrEq<Bits, MinProcessBits>: EnoughProcessMemory
{
}

/// `N: ProcessSlotCount`: `N` slots are enough for a process.
pub trait ProcessSlotCount: Unsigned {}
impl<N: Unsigned + IsGreaterOrEqual<MinProcessSlots>> ProcessSlotCount for N where
    typenum::GrEq<N, MinProcessSlots>: EnoughProcessSlots
{
}

/// The memory and slots one process is built from: `2^Bits` bytes of untyped memory (at least 256 KiB) and
/// `N` slots (at least 64) of the caller's CSpace. Too little does not compile; teardown gives them back.
#[derive(Debug)]
pub struct ProcessResources<Bits: Unsigned, N, R: Role, S: Scope = crate::Forever> {
    memory: Cap<Untyped<Bits>, R>,
    slots: CNodeSlots<N, Local<S>>,
}

impl<Bits: ProcessMemoryBits, N: ProcessSlotCount, R: Invocable + FlowsInto<Local<S>>, S: Scope>
    ProcessResources<Bits, N, R, S>
{
    /// Memory and slots for one process.
    pub fn new(memory: Cap<Untyped<Bits>, R>, slots: CNodeSlots<N, Local<S>>) -> Self {
        ProcessResources { memory, slots }
    }
}

impl<Bits: Unsigned, N, R: Role, S: Scope> ProcessResources<Bits, N, R, S> {
    /// The memory's physical address (the same after teardown: it is the same memory).
    pub fn paddr(&self) -> sys::Word {
        self.memory.paddr()
    }

    /// How many slots there are.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Gives the memory and the slots back.
    pub fn into_parts(self) -> (Cap<Untyped<Bits>, R>, CNodeSlots<N, Local<S>>) {
        (self.memory, self.slots)
    }
}

/// What every process of one root task shares: the root task's CSpace, its ASID pool, the supervisor's
/// endpoint and a scratch page of the root task's address space (for filling a child's pages). Made once
/// from the root task's [`Resources`].
#[derive(Debug)]
pub struct ProcessKit<S: Scope = crate::Forever> {
    cspace: sys::CPtr,
    asid_pool: sys::CPtr,
    fault: sys::CPtr,
    scratch: ScratchPage,
    scope: PhantomData<S>,
}

impl<S: Scope> ProcessKit<S> {
    /// The kit for processes whose faults go to `supervisor`: takes 16 KiB and 3 slots from `res` for the
    /// scratch page's paging structures (kept for the kit's life).
    pub fn new<R: Invocable>(res: &mut Resources<S>, supervisor: &Supervisor<R>) -> Result<Self, Error> {
        let vaddr = res.root_vspace.reserve(12, 1)?;
        let mem = res.untyped.alloc::<typenum::U14>()?;
        let slots = res.slots.alloc::<typenum::U3>()?;
        let mut budget = Budget::new(mem, slots);
        let made = res.root_vspace.ensure_tables(vaddr, 3, &mut budget);
        let left = budget.into_leftover();
        made?;
        // Unused slots and memory stay with the kit (the root scope reclaims them).
        let _ = left;
        Ok(ProcessKit {
            cspace: res.cspace.cptr(),
            asid_pool: res.asid_pool.cptr(),
            fault: supervisor.endpoint_cptr(),
            scratch: ScratchPage {
                vaddr,
                root: res.vspace.cptr(),
            },
            scope: PhantomData,
        })
    }
}

/// How a process is set up: its priority and the badge its faults arrive with at the supervisor.
#[derive(Debug, Clone, Copy)]
pub struct ProcessConfig {
    /// The process's thread's priority.
    pub priority: Priority,
    /// The badge of its fault endpoint: how the supervisor tells its faults apart.
    pub badge: Badge,
}

/// The parts every process state keeps: its brand and resources, typed, and the rest in a [`Body`].
struct Parts<B: Brand, Bits: Unsigned, N, R: Role, S: Scope> {
    brand: ProcessBrand<B>,
    res: ProcessResources<Bits, N, R, S>,
    body: Body<S>,
}

/// A process's objects and bookkeeping, which depend neither on its brand nor on its resources' types: the code
/// that builds, runs and tears down a process works on a `Body`, so it is compiled once per scope, not once
/// per process (each process has its own brand type).
struct Body<S: Scope> {
    /// The process's untyped memory (the capability stays in `Parts::res`).
    memory: sys::CPtr,
    /// The process's slot pool (a runtime view of `res.slots`, minus what is used).
    pool: CNodeSlots<Runtime, Local<S>>,
    cspace: sys::CPtr,
    tcb: sys::CPtr,
    vspace: VSpace<Other, S>,
    fresh: ArrayVec<FreshPage, MAX_FRESH_PAGES>,
    initial: UserContext,
    scratch: ScratchPage,
    root_cspace: sys::CPtr,
    /// The caller's slots the parameter capabilities left, handed back by teardown.
    vacated: ArrayVec<sys::CPtr, MAX_PARAM_CAPS>,
    next_child_slot: core::cell::Cell<sys::CPtr>,
    /// The next free address of the child's grant window.
    next_grant: sys::Word,
    /// A slot of the process's for a second capability to a fresh page while a restart refills it (a frame
    /// capability maps once, and the page's own one is mapped in the child).
    refill_slot: sys::CPtr,
}

/// What [`Parts::reclaim`] gives back.
type Reclaimed<B, Bits, N, R, S> = (
    ProcessBrand<B>,
    ProcessResources<Bits, N, R, S>,
    ArrayVec<CNodeSlots<typenum::U1, Local<S>>, MAX_PARAM_CAPS>,
);

/// How many parameter capabilities a process takes at most.
pub const MAX_PARAM_CAPS: usize = 32;

/// A built process that has not started. [`Process::start`] consumes it: a process starts once.
#[must_use = "a process does nothing until it is started"]
pub struct Process<B: Brand, Bits: Unsigned, N, R: Role, S: Scope = crate::Forever> {
    parts: Parts<B, Bits, N, R, S>,
}

/// A started process.
#[must_use = "a running process holds its memory and slots: tear it down to get them back"]
pub struct RunningProcess<B: Brand, Bits: Unsigned, N, R: Role, S: Scope = crate::Forever> {
    parts: Parts<B, Bits, N, R, S>,
}

/// What [`RunningProcess::teardown`] gives back: the brand, the memory and slots, and the caller's slots
/// the parameter capabilities were moved out of.
#[derive(Debug)]
pub struct TornDown<B: Brand, Bits: Unsigned, N, R: Role, S: Scope = crate::Forever> {
    /// The brand, for the next process of this name.
    pub brand: ProcessBrand<B>,
    /// The memory and slots, whole again.
    pub resources: ProcessResources<Bits, N, R, S>,
    /// The caller's slots the parameter capabilities left when they were moved into the child.
    pub vacated: ArrayVec<CNodeSlots<typenum::U1, Local<S>>, MAX_PARAM_CAPS>,
}

/// The fault endpoint of a child: by its address in the child's own CSpace.
struct ChildFault;
impl FaultEndpointIn<CNode<U8>> for ChildFault {
    fn fault_address(&self) -> sys::CPtr {
        FAULT_ENDPOINT_SLOT
    }
}

/// What [`Process::new`] hands back when it fails: the brand, the resources (emptied again) and the error.
pub type BuildRefused<B, Bits, N, R, S> = Refused<(ProcessBrand<B>, ProcessResources<Bits, N, R, S>)>;

impl<B: Brand, Bits: Unsigned, N: Unsigned, R: Invocable + FlowsInto<Local<S>>, S: Scope> Process<B, Bits, N, R, S> {
    /// Builds a process: its CSpace, address space (with an ASID), thread and fault endpoint, the code
    /// `code` maps, a stack, an IPC buffer and the parameters `params` (their capabilities moved into the
    /// child's CSpace, see [`ProcessParams`]), all from `res`. If anything fails, what was made is revoked
    /// and `brand` and `res` come back in the [`Refused`]; parameter capabilities already moved stay in the
    /// child's CSpace and go with it.
    #[inline(never)]
    pub fn new<P: ProcessParams<B>, C: CodeSource + TakesParams<P::View>>(
        kit: &ProcessKit<S>,
        brand: ProcessBrand<B>,
        res: ProcessResources<Bits, N, R, S>,
        code: &C,
        params: P,
        config: ProcessConfig,
    ) -> Result<Self, BuildRefused<B, Bits, N, R, S>> {
        // What is compiled per process type is this shim and the closure placing the parameters (a call per
        // capability field); the building, and the clean-up when it fails, are `Body::build`'s, compiled once
        // per scope and code source.
        let mut view = core::mem::MaybeUninit::<P::View>::uninit();
        let at = view.as_mut_ptr();
        let mut params = Some(params);
        let mut place = |slots: &mut ChildSlots<'_, (), S>| -> Result<(), Error> {
            // `Body::build` calls this once; a second call finds no parameters and is refused.
            let params = params.take().ok_or(Error::BrandTaken)?;
            let placed = slots.with_brand::<B, _>(|slots| params.place(slots))?;
            // SAFETY: `at` points to `view`, which lives until `build` returns and is written only here, once.
            unsafe { at.write(placed) };
            Ok(())
        };
        let mut load = |loader: &mut Loader<'_, S>| code.load(loader);
        let pool = res.slots.lend::<Local<S>>().into_runtime_any();
        let len = core::mem::size_of::<P::View>();
        match Body::build(
            kit,
            res.memory.cptr(),
            pool,
            &mut load,
            config,
            &mut place,
            at as *const u8,
            len,
        ) {
            Ok(body) => Ok(Process {
                parts: Parts { brand, res, body },
            }),
            Err(error) => Err(Refused {
                error,
                inputs: (brand, res),
            }),
        }
    }
}

/// Loads a process's code (its [`CodeSource`], as [`Process::new`] passes it to [`Body::build`], which is
/// then compiled once per scope rather than once per code source).
type LoadCode<'l, S> = dyn FnMut(&mut Loader<'_, S>) -> Result<Entry, Error> + 'l;

/// Places a process's parameters into its CSpace (what [`Process::new`] passes [`Body::build`]).
type PlaceParams<'p, S> = dyn FnMut(&mut ChildSlots<'_, (), S>) -> Result<(), Error> + 'p;

impl<S: Scope> Body<S> {
    /// A process not built yet: its memory `memory` and slot pool `pool`, nothing made.
    fn new(kit: &ProcessKit<S>, memory: sys::CPtr, pool: CNodeSlots<Runtime, Local<S>>) -> Self {
        Body {
            memory,
            pool,
            cspace: 0,
            tcb: 0,
            vspace: VSpace::placeholder(),
            fresh: ArrayVec::new(),
            initial: UserContext::default(),
            scratch: kit.scratch,
            root_cspace: kit.cspace,
            vacated: ArrayVec::new(),
            next_child_slot: core::cell::Cell::new(FIRST_PARAM_SLOT),
            next_grant: GRANT_BASE,
            refill_slot: 0,
        }
    }

    /// Builds a process from `memory` and the slots `pool`: its spaces with the code `load` maps, its parameters (placed by
    /// `place`, which writes their child's view, `len` bytes, at `view`), its thread. If anything fails, what
    /// was made is revoked and the slots are emptied again.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn build(
        kit: &ProcessKit<S>,
        memory: sys::CPtr,
        pool: CNodeSlots<Runtime, Local<S>>,
        load: &mut LoadCode<'_, S>,
        config: ProcessConfig,
        place: &mut PlaceParams<'_, S>,
        view: *const u8,
        len: usize,
    ) -> Result<Self, Error> {
        let (cnode, depth, start, count) = (pool.cnode(), pool.depth(), pool.start(), pool.len());
        let mut body = Body::new(kit, memory, pool);
        let built = body.build_spaces(kit, load, config.badge).and_then(|(entry, ipc)| {
            let mut slots = body.child_slots::<()>(kit.cspace);
            place(&mut slots)?;
            let next = slots.next;
            body.next_child_slot.set(next);
            body.finish(kit, view, len, entry, ipc, config.priority)
        });
        match built {
            Ok(()) => Ok(body),
            Err(error) => {
                let _ = body.release(cnode, depth, start, count);
                Err(error)
            }
        }
    }

    /// After the parameters are placed: copies their child's view (`len` bytes at `view`) into a fresh
    /// read-only page, then makes and configures the thread.
    fn finish(
        &mut self,
        kit: &ProcessKit<S>,
        view: *const u8,
        len: usize,
        entry: Entry,
        ipc: sys::CPtr,
        priority: Priority,
    ) -> Result<(), Error> {
        if len > PAGE_SIZE {
            return Err(Error::PageInitTooLarge { len, page: PAGE_SIZE });
        }
        let page = self.loader().new_frame()?;
        self.scratch.fill_with(page, |bytes| {
            // SAFETY: `view` points to `len` bytes (a live value of the caller's), `len` is at most the page's
            // 4 KiB; a raw byte copy, so padding bytes are copied as they are without being read as values.
            unsafe { core::ptr::copy_nonoverlapping(view, bytes.as_mut_ptr(), len) }
        })?;
        self.build_thread(kit, page, ipc, entry, priority)
    }

    /// Starts the thread.
    #[inline(never)]
    fn resume(&self) -> Result<(), Error> {
        with_tcb(self, |t| t.resume())
    }

    /// Maps a copy of the caller's frame `frame` at `vaddr` in the child with `perms`.
    #[inline(never)]
    fn map_copy(&mut self, frame: sys::CPtr, vaddr: sys::Word, perms: Perms) -> Result<(), Error> {
        self.loader().map_copy(frame, vaddr, perms)
    }

    /// [`release`](Self::release), with the caller's vacated slots as slot tokens of `cnode` (at `depth`).
    #[inline(never)]
    fn reclaim(
        self,
        cnode: sys::CPtr,
        depth: u8,
        start: sys::Word,
        count: usize,
    ) -> ArrayVec<CNodeSlots<typenum::U1, Local<S>>, MAX_PARAM_CAPS> {
        self.release(cnode, depth, start, count)
            .into_iter()
            .map(|cptr| CNodeSlots::new(cnode, depth, cptr, 1))
            .collect()
    }

    /// One new object of type `object` (`size_bits`) from the process's memory, in one of its slots.
    fn make(&mut self, object: sys::ObjectType, size_bits: usize) -> Result<sys::CPtr, Error> {
        let slot = self.pool.alloc::<typenum::U1>()?;
        retype_call(self.memory, object, size_bits, &slot).map_err(|code| Error::Kernel {
            op: Operation::UntypedRetype,
            code,
        })?;
        Ok(slot.start())
    }

    fn loader(&mut self) -> Loader<'_, S> {
        Loader {
            mem: self.memory,
            slots: &mut self.pool,
            cspace: self.root_cspace,
            vspace: &mut self.vspace,
            scratch: self.scratch,
            fresh: &mut self.fresh,
        }
    }

    /// The child's parameter slots from the next free one, with the loader and grant window parameters that
    /// bring memory along map into; `root_cspace` is the caller's CSpace the parameter capabilities move out of.
    fn child_slots<B>(&mut self, root_cspace: sys::CPtr) -> ChildSlots<'_, B, S> {
        ChildSlots {
            cnode: self.cspace,
            root_cspace,
            next: self.next_child_slot.get(),
            vacated: &mut self.vacated,
            loader: Loader {
                mem: self.memory,
                slots: &mut self.pool,
                cspace: self.root_cspace,
                vspace: &mut self.vspace,
                scratch: self.scratch,
                fresh: &mut self.fresh,
            },
            next_grant: &mut self.next_grant,
            brand: PhantomData,
            scope: PhantomData,
        }
    }

    /// Maps `pages` frames from the caller's capability `first` on at the next address of the child's grant
    /// window, writable if `write`; returns that address.
    fn map_region(
        &mut self,
        first: sys::CPtr,
        pages: usize,
        write: bool,
        attr: crate::VmAttributes,
    ) -> Result<sys::Word, Error> {
        let mut loader = Loader {
            mem: self.memory,
            slots: &mut self.pool,
            cspace: self.root_cspace,
            vspace: &mut self.vspace,
            scratch: self.scratch,
            fresh: &mut self.fresh,
        };
        crate::region::map_in_child(&mut loader, &mut self.next_grant, first, pages, write, attr)
    }

    /// Copies the caller's capability `cap` (with `rights`) into the child's next free slot; returns that slot.
    fn copy_in(&self, cap: sys::CPtr, rights: sys::Word) -> Result<sys::CPtr, Error> {
        let index = self.next_child_slot.get();
        if index >= 1 << CHILD_CNODE_RADIX {
            return Err(Error::SlotsExhausted {
                requested: 1,
                available: 0,
            });
        }
        crate::object::invoke(Operation::CNodeCopy, (), |()| {
            // SAFETY: copies a live capability of the caller's into an empty slot of the child's CNode.
            unsafe {
                sys::cnode_copy(
                    self.cspace,
                    index,
                    CHILD_CNODE_RADIX,
                    self.root_cspace,
                    cap,
                    crate::object::WORD_DEPTH,
                    sys::CapRights::from_word(rights),
                )
            }
        })
        .map_err(|r| r.error)?;
        self.next_child_slot.set(index + 1);
        Ok(index)
    }

    /// Builds the child's CSpace (with its fault endpoint badged `badge`), its address space, the code `load` maps, stack and
    /// IPC buffer; returns where the code starts and the IPC buffer's frame.
    fn build_spaces(
        &mut self,
        kit: &ProcessKit<S>,
        load: &mut LoadCode<'_, S>,
        badge: Badge,
    ) -> Result<(Entry, sys::CPtr), Error> {
        // CSpace: a CNode, its own capability (guarded) in its slot 1, the fault endpoint in slot 2.
        self.cspace = self.make(sys::ObjectType::CapTable, CHILD_CNODE_RADIX as usize)?;
        let guard = CNodeGuard::new(0, sys::WORD_BITS as u8 - CHILD_CNODE_RADIX)?;
        crate::object::invoke(Operation::CNodeMint, (), |()| {
            // SAFETY: copies the child's CNode capability (in the process's slot) into an empty slot of that
            // CNode, with a guard; the kernel checks both.
            unsafe {
                sys::cnode_mint(
                    self.cspace,
                    SELF_CNODE_SLOT,
                    CHILD_CNODE_RADIX,
                    kit.cspace,
                    self.cspace,
                    crate::object::WORD_DEPTH,
                    sys::CapRights::ALL,
                    guard.cap_data(),
                )
            }
        })
        .map_err(|r| r.error)?;
        crate::object::invoke(Operation::CNodeMint, (), |()| {
            // SAFETY: a badged copy of the supervisor's endpoint (a live capability of the root task's) into
            // an empty slot of the child's CNode, with write and grant only (a fault endpoint's rights).
            unsafe {
                sys::cnode_mint(
                    self.cspace,
                    FAULT_ENDPOINT_SLOT,
                    CHILD_CNODE_RADIX,
                    kit.cspace,
                    kit.fault,
                    crate::object::WORD_DEPTH,
                    sys::CapRights::from_word(<Endpoint<crate::rights::WriteGrant> as CapType>::RIGHTS),
                    badge.cap_data(),
                )
            }
        })
        .map_err(|r| r.error)?;
        // Address space.
        let root = self.make(
            <crate::arch::VSpaceRoot as KernelObject>::OBJECT_TYPE,
            <<crate::arch::VSpaceRoot as KernelObject>::SizeBits as typenum::Unsigned>::USIZE,
        )?;
        let root: Cap<crate::arch::VSpaceRoot, Local<S>> = Cap::new(root, crate::arch::VSpaceRoot::from_data(()));
        let pool: Cap<crate::arch::AsidPool, Local> = Cap::new(kit.asid_pool, crate::arch::AsidPool::from_data(()));
        self.vspace = VSpace::new(root, &pool).map_err(|r| {
            let _ = r.inputs.into_parts();
            r.error
        })?;
        // Code, stack, IPC buffer.
        let entry = load(&mut self.loader())?;
        for i in 0..STACK_PAGES {
            let at = STACK_TOP - ((STACK_PAGES - i) * PAGE_SIZE) as sys::Word;
            self.loader().map_fresh(at, Perms::RW, &[])?;
        }
        let ipc = self.loader().new_frame()?;
        self.loader().map_frame(ipc, IPC_BUFFER_ADDR, Perms::RW)?;
        self.loader().map_runtime_pages()?;
        Ok((entry, ipc))
    }

    /// Maps the parameter page `page`, then makes and configures the thread (IPC buffer in `ipc`, starting at
    /// `entry`, not yet running).
    fn build_thread(
        &mut self,
        kit: &ProcessKit<S>,
        page: sys::CPtr,
        ipc: sys::CPtr,
        entry: Entry,
        priority: Priority,
    ) -> Result<(), Error> {
        let root_cspace = local_cnode(kit.cspace);
        let guard = CNodeGuard::new(0, sys::WORD_BITS as u8 - CHILD_CNODE_RADIX)?;
        let cnode: Cap<CNode<U8>, Local> = Cap::new(self.cspace, CNode::from_data(()));
        self.loader().map_frame(page, PARAMS_ADDR, Perms::R)?;
        self.refill_slot = self.pool.alloc::<typenum::U1>()?.start();
        // Thread.
        self.tcb = self.make(Tcb::OBJECT_TYPE, <Tcb as KernelObject>::SizeBits::USIZE)?;
        let tcb: Cap<Tcb, Local> = Cap::new(self.tcb, Tcb::from_data(()));
        let ipc_frame: Cap<crate::Frame, Local> = Cap::new(ipc, crate::Frame::from_data(0));
        tcb.configure(TcbConfig {
            fault_endpoint: &ChildFault,
            cspace: CSpaceRoot::new(&cnode, Some(guard)),
            vspace: self.vspace.root(),
            ipc_buffer: IpcBuffer::in_frame(&ipc_frame, IPC_BUFFER_ADDR),
            priority,
        })?;
        self.initial = entry_context(entry.pc as usize, STACK_TOP as usize, [PARAMS_ADDR, entry.arg, 0, 0]);
        tcb.write_registers(&self.initial, false)?;
        let _ = (
            tcb.into_parts(),
            cnode.into_parts(),
            ipc_frame.into_parts(),
            root_cspace.into_parts(),
        );
        Ok(())
    }

    /// Revokes everything made from the memory and empties the process's `count` slots from `start` in
    /// `cnode` (at `depth`); returns the caller's slots the parameter capabilities left.
    #[inline(never)]
    fn release(
        self,
        cnode: sys::CPtr,
        depth: u8,
        start: sys::Word,
        count: usize,
    ) -> ArrayVec<sys::CPtr, MAX_PARAM_CAPS> {
        let root_cspace = local_cnode(self.root_cspace);
        let _ = self.vspace.into_root_cptr();
        let _ = crate::object::revoke_raw(&root_cspace, self.memory);
        // The copies of the root task's frames are not made from the memory: empty every slot.
        for i in 0..count {
            let _ = crate::object::delete_raw(cnode, start + i as sys::Word, depth);
        }
        let _ = root_cspace.into_parts();
        self.vacated
    }

    fn tcb(&self) -> Cap<Tcb, Local> {
        Cap::new(self.tcb, Tcb::from_data(()))
    }
}

impl<B: Brand, Bits: Unsigned, N, R: Invocable, S: Scope> Parts<B, Bits, N, R, S> {
    /// Revokes everything made from the memory and empties every slot: the resources are whole again.
    #[inline(always)]
    fn reclaim(self) -> Reclaimed<B, Bits, N, R, S> {
        let Parts { brand, res, body } = self;
        let vacated = body.reclaim(res.slots.cnode(), res.slots.depth(), res.slots.start(), res.slots.len());
        (brand, res, vacated)
    }
}

impl<B: Brand, Bits: Unsigned, N, R: Invocable, S: Scope> Process<B, Bits, N, R, S> {
    /// Starts the process (`seL4_TCB_Resume`). Consumes it: a process starts once. (A refusal hands the whole
    /// process back by value, as every refused operation does: no heap to box it in.)
    #[allow(clippy::result_large_err)]
    // Out of line: inlined, moving the 4 KiB process value into the result expands into thousands of
    // instructions in the caller (27 KiB per call site, measured).
    #[inline(never)]
    pub fn start(self) -> Result<RunningProcess<B, Bits, N, R, S>, Refused<Self>> {
        match self.parts.body.resume() {
            Ok(()) => Ok(RunningProcess { parts: self.parts }),
            Err(error) => Err(Refused { error, inputs: self }),
        }
    }

    /// Maps a copy of the caller's 4 KiB frame `frame` at `vaddr` in the child with `perms` (a page shared
    /// between the caller and the child, or between two children given copies of the same frame). The
    /// caller keeps its frame; the copy is the process's and goes with it.
    #[inline(always)]
    pub fn map_shared_frame<Rt: crate::rights::RightsSet>(
        &mut self,
        frame: &Cap<crate::Frame<crate::Page4K, Rt>, impl Invocable>,
        vaddr: sys::Word,
        perms: Perms,
    ) -> Result<(), Error> {
        self.parts.body.map_copy(frame.cptr(), vaddr, perms)
    }

    /// Sets the priority before it starts.
    pub fn set_priority(&self, priority: Priority) -> Result<(), Error> {
        with_tcb(&self.parts.body, |t| t.set_priority(priority))
    }

    /// Maps the shared region `region` into the child, at the next address of its grant window (from
    /// [`GRANT_BASE`]), with the region's rights; returns that address. See [`Region`](crate::Region)'s
    /// sharing: only a [`Shared`](crate::Shared) region can be mapped in a process (an exclusive one does not
    /// compile), so no `&mut` to its memory exists anywhere. The child's mapping uses copies of the frame
    /// capabilities, made in the process's slots: the caller keeps its region, and teardown removes the
    /// copies. If the kernel refuses part way, the frames mapped so far stay mapped until teardown.
    #[inline(always)]
    pub fn map_region(&mut self, region: &impl crate::region::ChildMappable<S>) -> Result<sys::Word, Error> {
        self.map_region_with(region, crate::VmAttributes::default())
    }

    /// [`map_region`](Self::map_region) with the child's mapping's cache attributes `attr`: a region of device
    /// registers ([`Region::from_device`](crate::Region::from_device)) is mapped uncached, as
    /// [`VSpace::map_with`](crate::VSpace::map_with) maps one in the caller's own address space.
    pub fn map_region_with(
        &mut self,
        region: &impl crate::region::ChildMappable<S>,
        attr: crate::VmAttributes,
    ) -> Result<sys::Word, Error> {
        let (first, pages, write) = region.grant_parts();
        self.parts.body.map_region(first, pages, write, attr)
    }
}

fn with_tcb<S: Scope, O>(parts: &Body<S>, f: impl FnOnce(&Cap<Tcb, Local>) -> O) -> O {
    let tcb = parts.tcb();
    let out = f(&tcb);
    let _ = tcb.into_parts();
    out
}

impl<B: Brand, Bits: Unsigned, N, R: Invocable, S: Scope> RunningProcess<B, Bits, N, R, S> {
    /// Stops the process until [`resume`](Self::resume).
    pub fn suspend(&self) -> Result<(), Error> {
        with_tcb(&self.parts.body, |t| t.suspend())
    }

    /// Lets a suspended process run again.
    pub fn resume(&self) -> Result<(), Error> {
        with_tcb(&self.parts.body, |t| t.resume())
    }

    /// Changes the priority.
    pub fn set_priority(&self, priority: Priority) -> Result<(), Error> {
        with_tcb(&self.parts.body, |t| t.set_priority(priority))
    }

    /// Copies the caller's capability `cap` into the child's CSpace (the next free slot after the
    /// parameters); returns its token there, which borrows the process: it cannot be used after
    /// [`teardown`](Self::teardown) (see [`ChildCap`]). The child learns the slot from the caller (through a
    /// channel, say).
    pub fn copy_in<T: CapType + crate::object::Copyable + crate::object::CopyInto<T>>(
        &self,
        cap: &Cap<T, impl Invocable>,
    ) -> Result<ChildCap<'_, T, B, S>, Error> {
        let index = self.parts.body.copy_in(cap.cptr(), T::RIGHTS)?;
        Ok(ChildCap::new(Cap::new(index, *cap.object())))
    }

    /// Deletes a capability from the child's CSpace (the child loses it). Only a capability of this child
    /// is accepted: one of another child's does not compile.
    pub fn delete_in<T: CapType, B2: SameChild<B> + 'static>(&self, cap: ChildCap<'_, T, B2, S>) -> Result<(), Error> {
        let (cptr, _) = cap.into_cap().into_parts();
        crate::object::delete_raw(self.parts.body.cspace, cptr, CHILD_CNODE_RADIX)
    }

    /// Maps a fresh zeroed page of the process's memory at `vaddr` in the child (for a supervisor fixing a
    /// VM fault before [`Faulted::resume`]).
    pub fn map_fresh_page(&mut self, vaddr: sys::Word, perms: Perms) -> Result<(), Error> {
        self.parts
            .body
            .loader()
            .map_fresh(vaddr & !(PAGE_SIZE as sys::Word - 1), perms, &[])
    }

    /// Maps a copy of the caller's 4 KiB frame at `vaddr` in the child; see [`Process::map_shared_frame`].
    #[inline(always)]
    pub fn map_shared_frame<Rt: crate::rights::RightsSet>(
        &mut self,
        frame: &Cap<crate::Frame<crate::Page4K, Rt>, impl Invocable>,
        vaddr: sys::Word,
        perms: Perms,
    ) -> Result<(), Error> {
        self.parts.body.map_copy(frame.cptr(), vaddr, perms)
    }

    /// Maps the shared region `region` into the child; see [`Process::map_region`].
    #[inline(always)]
    pub fn map_region(&mut self, region: &impl crate::region::ChildMappable<S>) -> Result<sys::Word, Error> {
        let (first, pages, write) = region.grant_parts();
        self.parts
            .body
            .map_region(first, pages, write, crate::VmAttributes::default())
    }

    /// Restarts a faulted process from its initial state: its fresh pages (data, bss, stack) get their
    /// initial contents again, its registers their initial values, and it runs.
    pub fn restart(&mut self, faulted: Faulted<'_, impl Invocable>) -> Result<(), Error> {
        let p = &self.parts.body;
        for page in p.fresh.iter() {
            page.refill(&p.scratch, p.root_cspace, p.refill_slot)?;
        }
        let tcb = self.parts.body.tcb();
        let r = faulted.restart(&tcb, &self.parts.body.initial);
        let _ = tcb.into_parts();
        r
    }

    /// Kills a faulted process: suspends it and tears it down.
    pub fn kill(self, faulted: Faulted<'_, impl Invocable>) -> TornDown<B, Bits, N, R, S> {
        let tcb = self.parts.body.tcb();
        let _ = faulted.kill(&tcb);
        let _ = tcb.into_parts();
        self.teardown()
    }

    /// Stops the process for good and gives back everything it was built from: revokes its memory (every
    /// object made from it goes: CNode, TCB, address space, pages) and empties its slots. Consumes the
    /// process, so nothing can use it afterwards.
    pub fn teardown(self) -> TornDown<B, Bits, N, R, S> {
        let _ = self.suspend();
        let (brand, resources, vacated) = self.parts.reclaim();
        TornDown {
            brand,
            resources,
            vacated,
        }
    }

    /// The register state the process started from.
    pub fn initial_context(&self) -> UserContext {
        self.parts.body.initial
    }
}

#[doc(hidden)]
pub use params::place_field;

/// The size check the parameter derive makes: a parameter struct fits the parameter page.
#[doc(hidden)]
pub const fn params_fit<T>() -> bool {
    core::mem::size_of::<T>() <= PAGE_SIZE && core::mem::align_of::<T>() <= PAGE_SIZE
}
