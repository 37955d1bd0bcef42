//! The root task's resources, handed over once.
//!
//! The kernel tells the root task at run time what it owns: its free slot range, its untyped memory list,
//! and the fixed slots of its TCB, CNode, VSpace and control capabilities. [`BootInfo::take`] checks those
//! facts and turns them into typed tokens. It consumes the [`BootInfo`] token, which the runtime creates once
//! per boot and which cannot be copied, so taking the resources twice does not compile.
//!
//! ```no_run
//! use selkie::bootstrap::BootInfo;
//!
//! // In a root task, `#[selkie::root_task] fn main(boot: BootInfo)`.
//! fn run(boot: BootInfo) -> Result<(), selkie::Error> {
//!     let res = boot.take()?;
//!     // boot.take() again: error[E0382]: use of moved value: `boot`
//!     # let _ = res;
//!     Ok(())
//! }
//! # fn main() {}
//! ```

use selkie_sys as sys;

#[cfg(target_arch = "x86_64")]
use crate::arch::IoPorts;
use crate::arch::{AsidControl, AsidPool, VSpaceRoot};
use crate::object::{revoke_raw, Domain, IrqControl, LocalCNode, Tcb, WORD_DEPTH};
use crate::role::{Forever, Lent, Local, Role, Scope};
use crate::scope::empty_slots;
use crate::slots::{CNodeSlots, Runtime};
use crate::untyped::allocator::FreeUntyped;
use crate::vspace::{Own, VSpace};
use crate::{Cap, Error, UntypedAllocator};

/// The most slots the untyped allocator keeps for splitting.
const ALLOCATOR_SLOTS: usize = 512;

/// The root task's resources as handed over by the kernel; one linear token per boot.
pub struct BootInfo {
    raw: *const sys::BootInfo,
}

impl core::fmt::Debug for BootInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BootInfo").field("raw", &self.raw).finish()
    }
}

/// Everything the root task owns at boot, as typed tokens of scope `S`: [`Forever`] when taken for good
/// ([`BootInfo::take`]), [`Lent<'s>`](Lent) when lent to a closure ([`BootInfo::lend`]), whose tokens cannot
/// leave it. The root task's own capabilities and the allocator's memory have the role `S::Root`: [`Local`]
/// when taken, [`Borrowed`](crate::Borrowed) when lent (usable, but not deleted or moved, so the next
/// `lend` finds them where they were).
#[derive(Debug)]
#[non_exhaustive]
pub struct Resources<S: Scope = Forever> {
    /// The root task's CSpace root, for naming its own capabilities.
    pub cspace: Cap<LocalCNode, S::Root>,
    /// The root task's own thread.
    pub tcb: Cap<Tcb, S::Root>,
    /// The root of the root task's address space.
    pub vspace: Cap<VSpaceRoot, S::Root>,
    /// The root task's own address space, for mapping regions for itself (scratch mappings, thread stacks):
    /// its free virtual range starts at [`ROOT_FREE_BASE`](crate::vspace::ROOT_FREE_BASE), above the image,
    /// the IPC buffer and the bootinfo frames.
    pub root_vspace: VSpace<Own, S>,
    /// The authority to create IRQ handlers.
    pub irq_control: Cap<IrqControl, S::Root>,
    /// The authority to create ASID pools.
    pub asid_control: Cap<AsidControl, S::Root>,
    /// The root task's ASID pool.
    pub asid_pool: Cap<AsidPool, S::Root>,
    /// Access to every x86 I/O port (x86_64 only).
    #[cfg(target_arch = "x86_64")]
    pub io_ports: Cap<IoPorts, S::Root>,
    /// The authority over scheduling domains.
    pub domain: Cap<Domain, S::Root>,
    /// The free slots of the root CNode (less the allocator's share), counted at run time.
    pub slots: CNodeSlots<Runtime, Local<S>>,
    /// The untyped memory, general and device.
    pub untyped: UntypedAllocator<S>,
}

impl BootInfo {
    /// # Safety
    ///
    /// Called once, by the runtime, with the kernel-provided bootinfo pointer, which stays valid for the
    /// program's life.
    pub unsafe fn from_raw(ptr: *const sys::BootInfo) -> Self {
        BootInfo { raw: ptr }
    }

    /// The kernel's bootinfo as it was handed over.
    pub fn raw(&self) -> sys::BootInfo {
        // SAFETY: `from_raw`'s contract: the pointer is the kernel's bootinfo frame, mapped for the program's
        // life. The struct is packed, hence the unaligned read.
        unsafe { self.raw.read_unaligned() }
    }

    /// How many of the kernel's free slots the runtime took for itself before `main`: the last ones of the
    /// bootinfo's free range, which [`take`](BootInfo::take) and [`lend`](BootInfo::lend) leave out of the
    /// root task's pools. Zero, except on aarch32 kernels that cannot print (the verified configuration),
    /// where the runtime's user-space UART console holds the UART's frame and the untypeds carved around it
    /// (those go to the root task's allocator).
    ///
    /// ```no_run
    /// # fn demo(boot: selkie::bootstrap::BootInfo) -> Result<(), selkie::Error> {
    /// let empty = boot.raw().empty;
    /// let runtime = boot.runtime_slots();
    /// let res = boot.take()?;
    /// // Every free slot is accounted for:
    /// assert_eq!((empty.end - empty.start) as usize, res.slots.len() + res.untyped.slots_left() + runtime);
    /// # Ok(()) }
    /// ```
    pub fn runtime_slots(&self) -> usize {
        crate::rt::reserved(&self.raw()).slots
    }

    /// Hands the resources over, for good: the token is consumed, so this happens once per boot.
    pub fn take(self) -> Result<Resources, Error> {
        self.resources()
    }

    /// Lends the resources to `f` and takes them back afterwards: every object made from the untyped memory
    /// is revoked and every slot `f` took is emptied, so the next call starts from the same state. This is
    /// how in-kernel tests that share one boot each get a fresh root task. `f` may
    /// fail with any error type that converts from [`Error`]; its error is returned after the clean-up.
    ///
    /// The resources are [`Resources<Lent<'s>>`](Resources), where `'s` only exists inside `f`: nothing `f`
    /// makes from them, and none of the resources themselves, can outlive the call (returning one, putting it
    /// in an error or in a captured variable does not compile). Plain data comes out.
    ///
    /// ```no_run
    /// # fn demo(boot: &mut selkie::bootstrap::BootInfo) -> Result<(), selkie::Error> {
    /// use selkie::{typenum::U11, Cap, Tcb};
    /// for _ in 0..2 {
    ///     let slot = boot.lend(|res| {
    ///         let mem = res.untyped.alloc::<U11>()?;
    ///         let tcb: Cap<Tcb, _> = mem.retype(res.slots.alloc()?)?;
    ///         Ok::<u64, selkie::Error>(tcb.cptr()) // plain data may leave the scope
    ///     })?; // the TCB is gone again here
    ///     # let _ = slot;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn lend<Out, E, F>(&mut self, f: F) -> Result<Out, E>
    where
        E: From<Error>,
        F: for<'s> FnOnce(&mut Resources<Lent<'s>>) -> Result<Out, E>,
    {
        let mut res = self.resources()?;
        let slots_before = res.slots.lend::<Local>();
        let allocator_slots_before = res.untyped.slots().lend::<Local>();
        let out = f(&mut res);
        let bi = self.raw();
        let untyped = bi.untyped;
        let runtime = crate::rt::reserved(&bi);
        let runtimes = runtime.pieces.iter().map(|p| p.cptr);
        // Every untyped the root task's allocator started from, not the one the runtime carved for itself.
        for cptr in (untyped.start..untyped.end)
            .filter(|c| Some(*c) != runtime.parent)
            .chain(runtimes)
        {
            revoke_raw(&res.cspace, cptr)?;
        }
        empty_slots(&used(&slots_before, &res.slots))?;
        empty_slots(&used(&allocator_slots_before, res.untyped.slots()))?;
        out
    }

    /// Checks the bootinfo and builds the typed resources from it.
    fn resources<S: Scope>(&self) -> Result<Resources<S>, Error> {
        let bi = self.raw();
        let cnode_bits = bi.init_thread_cnode_size_bits;
        let expected_bits = sys::config::ROOT_CNODE_SIZE_BITS;
        if cnode_bits as usize != expected_bits {
            return Err(Error::BadBootInfo {
                what: "root CNode size bits",
                found: cnode_bits.into(),
                expected: expected_bits as sys::Word,
            });
        }
        let (empty, untyped) = (bi.empty, bi.untyped);
        let n_untyped = untyped.end.saturating_sub(untyped.start);
        let max = sys::config::MAX_NUM_BOOTINFO_UNTYPED_CAPS as sys::Word;
        if n_untyped > max {
            return Err(Error::BadBootInfo {
                what: "untyped count",
                found: n_untyped,
                expected: max,
            });
        }
        let runtime = crate::rt::reserved(&bi);
        let free = (empty.end.saturating_sub(empty.start) as usize).saturating_sub(runtime.slots);
        let for_allocator = (free / 4).min(ALLOCATOR_SLOTS);
        let cspace = sys::CAP_INIT_THREAD_CNODE;
        let allocator_slots = CNodeSlots::new(cspace, WORD_DEPTH, empty.start, for_allocator);
        let slots = CNodeSlots::new(
            cspace,
            WORD_DEPTH,
            empty.start + for_allocator as sys::Word,
            free - for_allocator,
        );
        let mut allocator = UntypedAllocator::new(allocator_slots);
        let list = bi.untyped_list;
        for (i, desc) in list.iter().take(n_untyped as usize).enumerate() {
            let cptr = untyped.start + i as sys::Word;
            if Some(cptr) == runtime.parent {
                continue;
            }
            allocator.add(FreeUntyped {
                cptr,
                paddr: desc.paddr,
                bits: desc.size_bits,
                device: desc.is_device != 0,
            })?;
        }
        for piece in runtime.pieces {
            allocator.add(piece)?;
        }
        // The root task's boot mappings end after its IPC buffer and the bootinfo frame, the two pages after
        // the image.
        let boot_end = bi.ipc_buffer as usize as sys::Word + 2 * (1 << sys::PAGE_BITS);
        Ok(Resources {
            cspace: Cap::new(cspace, LocalCNode::from_data(())),
            tcb: Cap::new(sys::CAP_INIT_THREAD_TCB, Tcb::from_data(())),
            vspace: Cap::new(sys::CAP_INIT_THREAD_VSPACE, VSpaceRoot::from_data(())),
            root_vspace: VSpace::root_task(sys::CAP_INIT_THREAD_VSPACE, boot_end),
            irq_control: Cap::new(sys::CAP_IRQ_CONTROL, IrqControl::from_data(())),
            asid_control: Cap::new(sys::CAP_ASID_CONTROL, AsidControl::from_data(())),
            asid_pool: Cap::new(sys::CAP_INIT_THREAD_ASID_POOL, AsidPool::from_data(())),
            #[cfg(target_arch = "x86_64")]
            io_ports: Cap::new(sys::CAP_IO_PORT, IoPorts::from_data(())),
            domain: Cap::new(sys::CAP_DOMAIN, Domain::from_data(())),
            slots,
            untyped: allocator,
        })
    }
}

/// The slots taken from a pool between `before` and `now`: pools hand out slots from the front, so when `now`
/// is what is left of `before`, the slots in front of it. If the closure put another pool in its place, all
/// of `before`, to be sure.
fn used<R: Role, R2: Role>(before: &CNodeSlots<Runtime, R>, now: &CNodeSlots<Runtime, R2>) -> CNodeSlots<Runtime> {
    let end = before.start() + before.len() as sys::Word;
    let is_rest =
        now.cnode() == before.cnode() && now.start() >= before.start() && now.start() + now.len() as sys::Word == end;
    let count = if is_rest {
        now.start() - before.start()
    } else {
        before.len() as sys::Word
    };
    CNodeSlots::new(before.cnode(), before.depth(), before.start(), count as usize)
}
