//! seL4 system calls on aarch32 (libsel4's `sel4_arch/syscalls.h` for aarch32, the kernel's
//! `src/arch/arm/32/traps.S`).
//!
//! Registers: R7 = syscall number; R0 = capability in, badge out; R1 = message info in and out; message
//! registers 0-3 in R2-R5 (the rest in the IPC buffer); the trap is `swi 0`. The kernel saves and restores
//! every other register. R7 is free for inline assembly in ARM (not Thumb) state, which is how
//! `armv7a-none-eabi` code runs.

use crate::{Syscall, Word};

/// The raw syscall: number, R0, R1 and the four register message words in; R0, R1 and the four words out.
///
/// # Safety
/// The call must be valid for the calling thread: any memory the kernel reads or writes for it (the IPC
/// buffer) must be mapped, and its effects (on capabilities, address spaces, threads) must not break what
/// Rust code relies on.
#[inline(always)]
pub(crate) unsafe fn raw(sys: Syscall, r0: Word, r1: Word, mrs: [Word; 4]) -> (Word, Word, [Word; 4]) {
    let (out_r0, out_r1, m0, m1, m2, m3);
    // SAFETY: the caller upholds this function's contract. Every register the kernel reads or writes for a
    // system call is an operand; the kernel restores all others.
    unsafe {
        core::arch::asm!(
            "swi 0",
            in("r7") sys.word(),
            inout("r0") r0 => out_r0,
            inout("r1") r1 => out_r1,
            inout("r2") mrs[0] => m0,
            inout("r3") mrs[1] => m1,
            inout("r4") mrs[2] => m2,
            inout("r5") mrs[3] => m3,
        );
    }
    (out_r0, out_r1, [m0, m1, m2, m3])
}
