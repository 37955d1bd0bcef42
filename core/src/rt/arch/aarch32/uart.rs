//! The root task's console on kernels that cannot print (the verified imx6 configuration): a polled driver
//! for the i.MX6 UART the kernel's own console would use (UART2, which QEMU's sabrelite connects to its
//! second serial port), run from user space.
//!
//! Before `main`, the runtime ([`setup`]) finds the device untyped that holds the UART's registers among the
//! bootinfo's untypeds, carves a 4 KiB frame out of it at the registers' address (see
//! [`carve`](crate::rt::carve)), and maps the frame uncached, as device memory, at [`UART_VADDR`], in the page
//! below the image, whose page table the kernel made for the image. The slots for the carve are the last ones
//! of the kernel's free range; the filler untypeds the carve leaves go to the root task's allocator
//! ([`reserved`] tells [`BootInfo`](crate::bootstrap::BootInfo) what the runtime took), so the root task's
//! accounting adds up.
//!
//! Child processes print through the same UART: when a process is built ([`map_into`], the process
//! loader's hook), a copy of the runtime's frame capability, in the process's own slots, is mapped uncached
//! at [`UART_VADDR`] in the child's address space (a function of the image and a separately built program
//! alike: neither has anything there), in the page table the image's pages already use; teardown removes it
//! with the process's other mappings. A child's [`put`] writes to it without any set-up of its own: the
//! root task turned the UART on before the child existed.

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use arrayvec::ArrayVec;
use selkie_sys as sys;

use crate::arch::VmAttributes;
use crate::process::{Loader, Perms};
use crate::role::Scope;
use crate::rt::carve::{self, Step, MAX_STEPS};
use crate::rt::Reserved;
use crate::untyped::allocator::FreeUntyped;
use crate::Error;

/// The physical address of UART2's registers (the kernel's console UART on imx6).
pub const UART2_PADDR: u64 = 0x021e_8000;
/// Where the runtime maps the UART's registers in the root task's address space: the page right below the
/// image (at [`IMAGE_BASE`](crate::arch::IMAGE_BASE)), in the 1 MiB whose page table the kernel made for it.
pub const UART_VADDR: usize = crate::arch::IMAGE_BASE as usize - (1 << PAGE_BITS);
/// A small frame's size as a power of two.
const PAGE_BITS: u8 = 12;

/// Transmitter register.
const UTXD: usize = 0x40;
/// Control register 1.
const UCR1: usize = 0x80;
/// Control register 2.
const UCR2: usize = 0x84;
/// Test register (holds the transmit FIFO's status).
const UTS: usize = 0xb4;
/// `UCR1.UARTEN`: the UART is on.
const UCR1_UARTEN: u32 = 1 << 0;
/// `UCR2.SRST` (active low: set means "not in reset"), `TXEN` (transmitter on), `WS` (8-bit words), `IRTS`
/// (ignore the RTS line).
const UCR2_ON: u32 = (1 << 0) | (1 << 2) | (1 << 5) | (1 << 14);
/// `UTS.TXFULL`: the transmit FIFO is full.
const UTS_TXFULL: u32 = 1 << 4;
/// How often to poll for room before writing anyway (a missing UART must not hang the task).
const POLLS: usize = 100_000;

/// Whether [`setup`] mapped the registers (in the root task's address space).
static READY: AtomicBool = AtomicBool::new(false);

/// The UART's frame capability in the root task's CSpace, once [`setup`] made it (read with [`READY`]).
static FRAME: AtomicUsize = AtomicUsize::new(0);

/// Why the console could not be set up; the runtime reports it through semihosting and ends the run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SetupError {
    /// No device untyped of the bootinfo holds the UART's registers.
    NoDeviceUntyped,
    /// Fewer free slots than the carve takes.
    TooFewSlots {
        /// Slots the carve takes.
        needed: usize,
        /// Free slots the kernel handed over.
        free: u64,
    },
    /// The kernel refused a retype of the device untyped.
    Retype(sys::Error),
    /// The kernel refused to map the frame.
    Map(sys::Error),
}

impl core::fmt::Display for SetupError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SetupError::NoDeviceUntyped => write!(
                f,
                "no device untyped in the bootinfo covers the UART's registers at {UART2_PADDR:#x}"
            ),
            SetupError::TooFewSlots { needed, free } => {
                write!(f, "it needs {needed} free CNode slots, the kernel handed over {free}")
            }
            SetupError::Retype(e) => write!(
                f,
                "the kernel refused to retype the UART's device untyped: {e} ({})",
                *e as sys::Word
            ),
            SetupError::Map(e) => write!(
                f,
                "the kernel refused to map the UART's registers at {UART_VADDR:#x}: {e} ({})",
                *e as sys::Word
            ),
        }
    }
}

/// The carve the runtime makes: the device untyped it splits, and the retypes, into consecutive slots from
/// `first_slot`.
struct Plan {
    parent: sys::CPtr,
    parent_paddr: u64,
    steps: ArrayVec<Step, MAX_STEPS>,
    first_slot: sys::CPtr,
}

/// Works out the carve from the bootinfo alone (so [`reserved`] finds the same one later).
fn plan(bi: &sys::BootInfo) -> Result<Plan, SetupError> {
    let (untyped, empty, list) = (bi.untyped, bi.empty, bi.untyped_list);
    let count = (untyped.end.saturating_sub(untyped.start) as usize).min(list.len());
    let index = carve::covering_device(&list[..count], UART2_PADDR, PAGE_BITS).ok_or(SetupError::NoDeviceUntyped)?;
    let desc = list[index];
    let parent_paddr = u64::from(desc.paddr);
    let steps =
        carve::steps(desc.size_bits, UART2_PADDR - parent_paddr, PAGE_BITS).ok_or(SetupError::NoDeviceUntyped)?;
    let free = empty.end.saturating_sub(empty.start) as u64;
    if (steps.len() as u64) > free {
        return Err(SetupError::TooFewSlots {
            needed: steps.len(),
            free,
        });
    }
    Ok(Plan {
        parent: untyped.start + index as sys::Word,
        parent_paddr,
        first_slot: empty.end - steps.len() as sys::Word,
        steps,
    })
}

/// Carves the UART's frame out of its device untyped, maps it and turns the transmitter on. Called once by
/// the runtime before `main`, with the kernel's bootinfo.
#[cfg_attr(feature = "program", allow(dead_code))]
pub(crate) fn setup(bi: &sys::BootInfo) -> Result<(), SetupError> {
    let plan = plan(bi)?;
    let mut frame = None;
    for (i, step) in plan.steps.iter().enumerate() {
        let slot = plan.first_slot + i as sys::Word;
        let (object, bits) = if step.frame {
            frame = Some(slot);
            (sys::ObjectType::ArmSmallPage, 0)
        } else {
            (sys::ObjectType::Untyped, step.bits)
        };
        // SAFETY: `plan.parent` is a device untyped capability of the root task's CNode and `slot` one of the
        // empty slots the kernel handed over (the last ones, which `BootInfo` keeps out of the root task's
        // pools); the kernel checks both and reports failure.
        unsafe {
            sys::untyped_retype(
                plan.parent,
                object.word(),
                bits as sys::Word,
                sys::CAP_INIT_THREAD_CNODE,
                0,
                0,
                slot,
                1,
            )
        }
        .map_err(SetupError::Retype)?;
    }
    let frame = frame.expect("a carve has one frame");
    // SAFETY: maps the frame just made into the root task's own page directory at a page nothing else uses
    // (below the image); the kernel checks the capabilities and the address.
    unsafe {
        sys::arm_page_map(
            frame,
            sys::CAP_INIT_THREAD_VSPACE,
            UART_VADDR as sys::Word,
            sys::CapRights::new(false, true, true),
            VmAttributes::UNCACHED.execute_never().word(),
        )
    }
    .map_err(SetupError::Map)?;
    // SAFETY: the registers are mapped, uncached, at `UART_VADDR` (just above); turning the UART and its
    // transmitter on touches nothing else.
    unsafe {
        reg(UCR1).write_volatile(reg(UCR1).read_volatile() | UCR1_UARTEN);
        reg(UCR2).write_volatile(reg(UCR2).read_volatile() | UCR2_ON);
    }
    FRAME.store(frame as usize, Ordering::Relaxed);
    READY.store(true, Ordering::Relaxed);
    Ok(())
}

/// The process loader's hook: maps a copy of the UART's frame capability (made in the process's slots by
/// `loader`) uncached and execute-never at [`UART_VADDR`] in the child being built, so the child's console
/// writes to the UART. Does nothing where the runtime has no UART frame (in a child process, which does not
/// build processes of its own with the root task's console).
pub(crate) fn map_into<S: Scope>(loader: &mut Loader<'_, S>) -> Result<(), Error> {
    if !READY.load(Ordering::Relaxed) {
        return Ok(());
    }
    let frame = FRAME.load(Ordering::Relaxed) as sys::CPtr;
    loader.map_copy_with(frame, UART_VADDR as sys::Word, Perms::RW, VmAttributes::UNCACHED)
}

/// What the runtime took from the boot resources: nothing unless [`setup`] ran; then the carve's slots, the
/// device untyped it carved, and the filler untypeds it made (for the root task's allocator).
pub(crate) fn reserved(bi: &sys::BootInfo) -> Reserved {
    let mut out = Reserved::default();
    if !READY.load(Ordering::Relaxed) {
        return out;
    }
    let Ok(plan) = plan(bi) else { return out };
    out.slots = plan.steps.len();
    out.parent = Some(plan.parent);
    for (i, step) in plan.steps.iter().enumerate().filter(|(_, s)| !s.frame) {
        out.pieces.push(FreeUntyped {
            cptr: plan.first_slot + i as sys::Word,
            paddr: (plan.parent_paddr + step.offset) as sys::Word,
            bits: step.bits,
            device: true,
        });
    }
    out
}

/// The register at `offset` of the mapped UART.
fn reg(offset: usize) -> *mut u32 {
    (UART_VADDR + offset) as *mut u32
}

/// Whether the UART's registers are mapped at [`UART_VADDR`] in this address space: in the root task once
/// [`setup`] mapped them; in a child process (a function of the image, or a separately built program)
/// always, as its parent mapped them when it built the process ([`map_into`]).
fn mapped() -> bool {
    cfg!(feature = "program") || crate::rt::child::runs_as_child() || READY.load(Ordering::Relaxed)
}

/// Writes one byte, waiting (a bounded number of polls) for room in the transmit FIFO. Returns `false` when
/// the UART is not mapped in this address space (in the root task before [`setup`]).
pub(crate) fn put(b: u8) -> bool {
    if !mapped() {
        return false;
    }
    for _ in 0..POLLS {
        // SAFETY: `mapped` says the registers are mapped at `UART_VADDR` in this address space (by `setup` in
        // the root task, by the parent's `map_into` in a child).
        if unsafe { reg(UTS).read_volatile() } & UTS_TXFULL == 0 {
            break;
        }
        core::hint::spin_loop();
    }
    // SAFETY: as above.
    unsafe { reg(UTXD).write_volatile(b.into()) };
    true
}
