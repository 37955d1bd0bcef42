//! What both smoke-test root tasks share: the entry point, reading the bootinfo, semihosting (QEMU's host
//! calls, reachable from user mode with `-semihosting-config userspace=on`), and the kernel's debug console.
#![no_std]

use core::arch::{asm, global_asm};

/// The root task's stack.
#[repr(C, align(16))]
pub struct Stack(pub [u8; 16 * 1024]);
#[no_mangle]
static mut ROOT_STACK: Stack = Stack([0; 16 * 1024]);

// The kernel enters in user mode with r0 = the bootinfo's address and no stack.
global_asm!(
    ".section .text._start, \"ax\"",
    ".global _start",
    "_start:",
    "    ldr sp, =ROOT_STACK + 16384",
    "    bl root_main",
    "1:  b 1b",
);

/// The status the runner reads as success (as x86_64's `isa-debug-exit` gives it).
pub const SUCCESS: u32 = 33;
/// The status the runner reads as failure.
pub const FAILURE: u32 = 3;

/// A region of capability slots `[start, end)`.
#[derive(Clone, Copy)]
pub struct Slots {
    /// First slot.
    pub start: u32,
    /// One past the last slot.
    pub end: u32,
}

/// The bootinfo fields the smoke tests read (seL4 5.0, 32-bit words, packed).
pub struct BootInfo {
    /// The IPC buffer's address.
    pub ipc_buffer: u32,
    /// Free slots of the root CNode.
    pub empty: Slots,
    /// The root task's image frames.
    pub user_image_frames: Slots,
    /// The untyped memory caps.
    pub untyped: Slots,
}

impl BootInfo {
    /// Reads the bootinfo at `addr`.
    ///
    /// # Safety
    /// `addr` must be the bootinfo address the kernel passed in `r0`.
    pub unsafe fn read(addr: usize) -> BootInfo {
        let word = |offset: usize| {
            // SAFETY: the bootinfo frame is mapped and at least this long (the caller's contract).
            unsafe { ((addr + offset) as *const u32).read_unaligned() }
        };
        BootInfo {
            ipc_buffer: word(16),
            empty: Slots {
                start: word(20),
                end: word(24),
            },
            user_image_frames: Slots {
                start: word(36),
                end: word(40),
            },
            untyped: Slots {
                start: word(77),
                end: word(81),
            },
        }
    }
}

/// The IPC buffer address the kernel put in TPIDRURW.
pub fn tpidrurw() -> u32 {
    let v: u32;
    // SAFETY: reading the user read/write thread ID register has no side effects.
    unsafe { asm!("mrc p15, 0, {}, c13, c0, 2", out(reg) v) };
    v
}

/// A semihosting call: operation `op` with argument `arg` (QEMU handles it; the kernel never sees it).
fn semihost(op: u32, arg: usize) -> u32 {
    let r: u32;
    // SAFETY: QEMU intercepts `svc 0x123456` as a semihosting call, which reads only the memory `arg` names.
    unsafe { asm!("svc #0x123456", inlateout("r0") op => r, in("r1") arg, options(nostack)) };
    r
}

/// Writes `s` (which must end with a NUL byte) to QEMU's semihosting console.
pub fn host_write(s: &[u8]) {
    assert_eq!(s.last(), Some(&0));
    semihost(0x04, s.as_ptr() as usize);
}

/// Ends the run: QEMU exits with `status` (SYS_EXIT_EXTENDED, application exit).
pub fn host_exit(status: u32) -> ! {
    let block = [0x2_0026u32, status];
    semihost(0x20, block.as_ptr() as usize);
    loop {
        // SAFETY: waiting for an event has no effect on memory (reached only if QEMU ignored the exit).
        unsafe { asm!("wfe") };
    }
}

/// A line buffer written to some console.
#[derive(Default)]
pub struct Line {
    buf: Buf,
    len: usize,
}

impl Line {
    /// The line's text with a NUL byte after it.
    pub fn with_nul(&mut self) -> &[u8] {
        self.buf.0[self.len] = 0;
        &self.buf.0[..=self.len]
    }
    /// The line's text.
    pub fn text(&self) -> &[u8] {
        &self.buf.0[..self.len]
    }
}

/// The bytes of a [`Line`].
pub struct Buf([u8; 192]);

impl Default for Buf {
    fn default() -> Self {
        Buf([0; 192])
    }
}

impl core::fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.buf.0.len() - 1 - self.len);
        self.buf.0[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// `seL4_DebugPutChar` (system call -9; debug kernels only).
pub fn debug_put_char(c: u8) {
    // SAFETY: the system call reads r0 and r7 and changes no memory of ours; r7 (which the compiler may
    // use) is saved around it, and the registers the kernel may write are marked clobbered.
    unsafe {
        asm!(
            "push {{r7}}",
            "mvn r7, #8",
            "svc #0",
            "pop {{r7}}",
            inlateout("r0") c as u32 => _,
            lateout("r1") _, lateout("r2") _, lateout("r3") _, lateout("r4") _, lateout("r5") _,
        )
    };
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    host_exit(FAILURE)
}
