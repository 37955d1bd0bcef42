//! seL4 system calls on x86_64 with the `syscall` instruction (kernel config `SYSCALL`).
//!
//! Registers: RDX = syscall number; RDI = capability in, badge out; RSI = message info in and out; message
//! registers 0-3 in R10, R8, R9, R15 (the rest in the IPC buffer). `syscall` clobbers RCX and R11, and the
//! kernel's fast entry does not save RSP, so the stub parks RSP in RBX around the instruction. Rust reserves
//! RBX in inline assembly, so its value is kept in a scratch register and restored afterwards. Every register
//! the kernel may write is declared as an output, so nothing is assumed to survive beyond what the kernel
//! documents.

use crate::{Syscall, Word};

/// The raw syscall: number, RDI, RSI and the four register message words in; RDI, RSI and the four words out.
///
/// # Safety
/// The call must be valid for the calling thread: any memory the kernel reads or writes for it (the IPC
/// buffer) must be mapped, and its effects (on capabilities, address spaces, threads) must not break what
/// Rust code relies on.
#[inline(always)]
pub(crate) unsafe fn raw(sys: Syscall, rdi: Word, rsi: Word, mrs: [Word; 4]) -> (Word, Word, [Word; 4]) {
    let (out_rdi, out_rsi, m0, m1, m2, m3);
    // SAFETY: the caller upholds this function's contract. RSP is saved in RBX (whose own value is kept in a
    // scratch register) across `syscall`, which the kernel returns from with RSP unchanged in RBX; RCX and R11
    // are declared clobbered and every register the kernel uses is an in/out operand.
    unsafe {
        core::arch::asm!(
            "mov {saved_rbx}, rbx",
            "mov rbx, rsp",
            "syscall",
            "mov rsp, rbx",
            "mov rbx, {saved_rbx}",
            saved_rbx = out(reg) _,
            inout("rdx") sys.word() => _,
            inout("rdi") rdi => out_rdi,
            inout("rsi") rsi => out_rsi,
            inout("r10") mrs[0] => m0,
            inout("r8") mrs[1] => m1,
            inout("r9") mrs[2] => m2,
            inout("r15") mrs[3] => m3,
            out("rcx") _,
            out("r11") _,
        );
    }
    (out_rdi, out_rsi, [m0, m1, m2, m3])
}
