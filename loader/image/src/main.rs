//! selkie's aarch32 boot loader: places the embedded kernel and root task (as `selkie_loader::plan` decides),
//! builds the boot section table, cleans and invalidates the caches, branch predictor and TLB, turns the MMU
//! on and enters the kernel with `r0`-`r3` = user image start, end, `pv_offset` and the root task's entry.
//! It says so on the board's console UART (`selkie-loader: entering the kernel at ...`) just before; an image
//! that cannot be placed is reported there instead (`selkie-loader: cannot boot: ...`) and the loader stops.

#![no_std]
#![no_main]

use core::arch::{asm, global_asm};
use core::fmt::Write;

use selkie_loader::mmu::{self, ENTRIES};
use selkie_loader::plan::{BootPlan, Copy, Layout};

/// The kernel ELF (embedded by build.rs).
static KERNEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/kernel.elf"));
/// The root task ELF (embedded by build.rs).
static ROOT_TASK: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/root_task.elf"));

/// The boot first-level table: 16 KiB, 16 KiB-aligned.
#[repr(C, align(16384))]
struct Table([u32; ENTRIES]);
static mut TABLE: Table = Table([0; ENTRIES]);

/// The loader's stack (in bss; `_start` points `sp` at its end).
#[repr(C, align(16))]
struct Stack([u8; 16 * 1024]);
#[no_mangle]
static mut LOADER_STACK: Stack = Stack([0; 16 * 1024]);

extern "C" {
    static __loader_start: u8;
    static __loader_end: u8;
}

// Entry with the MMU off: mask interrupts, zero bss (the stack is in it), set the stack, run `loader_main`.
global_asm!(
    ".section .text.start, \"ax\"",
    ".global _start",
    "_start:",
    "    cpsid aif",
    "    ldr r0, =__bss_start",
    "    ldr r1, =__bss_end",
    "    mov r2, #0",
    "1:  cmp r0, r1",
    "    strlo r2, [r0], #4",
    "    blo 1b",
    "    ldr sp, =LOADER_STACK + 16384",
    "    bl loader_main",
    "2:  wfe",
    "    b 2b",
);

/// The board's console UART (i.MX6 UART2, which QEMU's sabrelite connects to its second serial port).
struct Uart;

impl Uart {
    const BASE: usize = 0x021e_8000;
    const UTXD: usize = 0x40;
    const UCR1: usize = 0x80;
    const UCR2: usize = 0x84;
    const UTS: usize = 0xb4;
    const UTS_TXFULL: u32 = 1 << 4;

    fn reg(offset: usize) -> *mut u32 {
        (Self::BASE + offset) as *mut u32
    }

    fn enable() {
        // SAFETY: the UART's registers are at these physical addresses (MMU off: identity); enabling the UART
        // (UCR1.UARTEN) and its transmitter (UCR2.TXEN, with UCR2.SRST kept out of reset) has no other effect.
        unsafe {
            Self::reg(Self::UCR1).write_volatile(Self::reg(Self::UCR1).read_volatile() | 1);
            Self::reg(Self::UCR2).write_volatile(Self::reg(Self::UCR2).read_volatile() | 0b101);
        }
    }
}

impl Write for Uart {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for b in s.bytes() {
            // SAFETY: as in `enable`: device registers at fixed physical addresses.
            unsafe {
                while Self::reg(Self::UTS).read_volatile() & Self::UTS_TXFULL != 0 {}
                Self::reg(Self::UTXD).write_volatile(b as u32);
            }
        }
        Ok(())
    }
}

/// What the loader prints just before it enters the kernel (the runner looks for it: `selkie_kernel::qemu`).
const ENTERING: &str = "selkie-loader: entering the kernel";

/// Reports why the images cannot be booted, and stops.
fn fail(what: core::fmt::Arguments<'_>) -> ! {
    Uart::enable();
    let _ = writeln!(Uart, "selkie-loader: cannot boot: {what}\r");
    loop {
        // SAFETY: waiting for an event has no effect on memory.
        unsafe { asm!("wfe") };
    }
}

/// Copies one segment of `file` to its physical destination and zeroes the rest of it.
///
/// # Safety
/// `c.dest .. c.dest + c.memsz` must be RAM that nothing else uses (the plan checked it lies clear of the
/// loader), and `c` must come from a plan made from `file` (which checked the file's bounds).
unsafe fn place(file: &[u8], c: Copy) {
    let src = &file[c.src_offset as usize..(c.src_offset + c.filesz) as usize];
    let dest = c.dest as usize as *mut u8;
    // SAFETY: the caller's contract; the source is the embedded file, which lies in the loader's own range,
    // so source and destination do not overlap.
    unsafe {
        core::ptr::copy_nonoverlapping(src.as_ptr(), dest, src.len());
        core::ptr::write_bytes(dest.add(c.filesz as usize), 0, (c.memsz - c.filesz) as usize);
    }
}

/// Cleans and invalidates every data cache level up to the level of coherence, by set and way.
fn clean_invalidate_dcache() {
    let clidr: u32;
    // SAFETY: reading CLIDR has no side effects.
    unsafe { asm!("mrc p15, 1, {}, c0, c0, 1", out(reg) clidr) };
    let loc = (clidr >> 24) & 0b111;
    for level in 0..loc {
        if (clidr >> (3 * level)) & 0b111 < 2 {
            continue; // no data or unified cache at this level
        }
        let ccsidr: u32;
        // SAFETY: selecting a cache level (CSSELR) and reading its geometry (CCSIDR) only changes which
        // level CCSIDR describes.
        unsafe {
            asm!("mcr p15, 2, {}, c0, c0, 0", "isb", in(reg) level << 1);
            asm!("mrc p15, 1, {}, c0, c0, 0", out(reg) ccsidr);
        }
        let line_shift = (ccsidr & 0b111) + 4;
        let ways = ((ccsidr >> 3) & 0x3ff) + 1;
        let sets = ((ccsidr >> 13) & 0x7fff) + 1;
        let way_shift = (ways - 1).leading_zeros();
        for way in 0..ways {
            for set in 0..sets {
                let v = way.checked_shl(way_shift).unwrap_or(0) | (set << line_shift) | (level << 1);
                // SAFETY: DCCISW writes a line back to memory and drops it from the cache; with the MMU and
                // caches off this only makes memory hold the latest data.
                unsafe { asm!("mcr p15, 0, {}, c7, c14, 2", in(reg) v) };
            }
        }
    }
    // SAFETY: a barrier.
    unsafe { asm!("dsb") };
}

#[no_mangle]
extern "C" fn loader_main() -> ! {
    let layout = Layout {
        // Taking the addresses of linker-script symbols (never reading them) is safe.
        reserved: (
            &raw const __loader_start as usize as u32,
            &raw const __loader_end as usize as u32,
        ),
        ..Layout::IMX6
    };
    let plan = match BootPlan::new(KERNEL, ROOT_TASK, &layout) {
        Ok(p) => p,
        Err(e) => fail(format_args!("{e:?}")),
    };
    for c in plan.kernel_copies() {
        // SAFETY: the plan placed the kernel in RAM clear of the loader, from this file.
        unsafe { place(KERNEL, c) };
    }
    let (start, end) = plan.user_region;
    // SAFETY: the user region is RAM clear of the loader and the kernel (checked by the plan); zeroing it
    // first leaves no stale bytes between the root task's segments.
    unsafe { core::ptr::write_bytes(start as usize as *mut u8, 0, (end - start) as usize) };
    for c in plan.user_copies() {
        // SAFETY: the plan placed the root task inside the user region, from this file.
        unsafe { place(ROOT_TASK, c) };
    }
    let table = (&raw mut TABLE).cast::<u32>();
    for i in 0..ENTRIES {
        // SAFETY: `i` is inside the table; the loader runs on one core with interrupts masked, so nothing
        // else touches it.
        unsafe { table.add(i).write(mmu::section_entry(i, &layout)) };
    }
    // The one line a working boot prints before the kernel: on a kernel that cannot print (the verified
    // configuration) it is how the runner tells a kernel that was entered and then hung from a loader that
    // never ran.
    Uart::enable();
    let _ = writeln!(Uart, "{ENTERING} at {:#x}\r", plan.kernel_entry);
    clean_invalidate_dcache();
    let [r0, r1, r2, r3] = plan.kernel_args();
    // SAFETY: the table maps the loader's own code to itself (so execution continues after the MMU turns
    // on) and the kernel's window to where the kernel was copied; the caches hold nothing stale (cleaned
    // above, instruction cache and branch predictor invalidated here). The kernel's entry takes r0-r3 as
    // the plan computed them, and never returns.
    unsafe {
        asm!(
            // r4 = 0, r5 = the table, r8 = the kernel's entry, r12 = scratch (inputs only: never returns).
            "mcr p15, 0, r4, c7, c5, 0",  // ICIALLU: invalidate the instruction cache
            "mcr p15, 0, r4, c7, c5, 6",  // BPIALL: invalidate the branch predictor
            "mcr p15, 0, r4, c8, c7, 0",  // TLBIALL: invalidate the TLB
            "dsb",
            "isb",
            "mcr p15, 0, r4, c2, c0, 2",  // TTBCR = 0: TTBR0 translates every address
            "mcr p15, 0, r4, c13, c0, 1", // CONTEXTIDR = 0
            "mov r12, #1",
            "mcr p15, 0, r12, c3, c0, 0", // DACR: domain 0 is a client (permissions are checked)
            "mcr p15, 0, r5, c2, c0, 0",  // TTBR0 = the boot table
            "isb",
            "mrc p15, 0, r12, c1, c0, 0",
            "orr r12, r12, #1",           // SCTLR.M: MMU on
            "orr r12, r12, #4",           // SCTLR.C: data cache on
            "orr r12, r12, #0x1000",      // SCTLR.I: instruction cache on
            "mcr p15, 0, r12, c1, c0, 0",
            "isb",
            "bx r8",
            in("r4") 0u32,
            in("r5") table,
            in("r8") plan.kernel_entry,
            in("r12") 0u32,
            in("r0") r0,
            in("r1") r1,
            in("r2") r2,
            in("r3") r3,
            options(noreturn),
        );
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    fail(format_args!("loader panic: {info}"))
}
