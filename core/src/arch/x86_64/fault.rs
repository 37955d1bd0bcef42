//! x86_64 fault messages: the labels and message-register layouts this kernel uses (libsel4's
//! `shared_types.bf` fault tags and `sel4_arch/constants.h` message enums for this tree), and the page-fault
//! error code.

use selkie_sys as sys;

use crate::fault::{Fault, LookupFailure, VmAccess};

/// Fault labels (`seL4_FaultType`).
mod label {
    use selkie_sys as sys;
    /// `seL4_Fault_NullFault`.
    pub const NULL: sys::Word = 0;
    /// `seL4_Fault_CapFault`.
    pub const CAP: sys::Word = 1;
    /// `seL4_Fault_UnknownSyscall`.
    pub const UNKNOWN_SYSCALL: sys::Word = 2;
    /// `seL4_Fault_UserException`.
    pub const USER_EXCEPTION: sys::Word = 3;
    /// `seL4_Fault_VMFault` (x86).
    pub const VM: sys::Word = 5;
}

/// Message words of an unknown-syscall fault: `rax, rbx, rcx, rdx, rsi, rdi, rbp, r8..r15`, then the
/// faulting instruction pointer, `rsp`, `rflags` and the syscall number.
pub(crate) const UNKNOWN_SYSCALL_WORDS: usize = 19;
/// Message words of a user exception: instruction pointer, `rsp`, `rflags`, vector, error code.
pub(crate) const USER_EXCEPTION_WORDS: usize = 5;
/// Message words of a VM fault: instruction pointer, address, instruction-fetch flag, error code.
pub(crate) const VM_FAULT_WORDS: usize = 4;
/// Message words of a capability fault, at most (the lookup failure's details take up to 3).
pub(crate) const CAP_FAULT_WORDS: usize = 4;

/// The x86 page-fault error code bits (`FSR` in the VM fault message).
const PF_PRESENT: sys::Word = 1 << 0;
const PF_WRITE: sys::Word = 1 << 1;
const PF_INSTRUCTION: sys::Word = 1 << 4;

/// The general-purpose registers an unknown-syscall fault reports, as the kernel saved them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct SyscallRegisters {
    pub rax: sys::Word,
    pub rbx: sys::Word,
    pub rcx: sys::Word,
    pub rdx: sys::Word,
    pub rsi: sys::Word,
    pub rdi: sys::Word,
    pub rbp: sys::Word,
    pub r8: sys::Word,
    pub r9: sys::Word,
    pub r10: sys::Word,
    pub r11: sys::Word,
    pub r12: sys::Word,
    pub r13: sys::Word,
    pub r14: sys::Word,
    pub r15: sys::Word,
    /// The stack pointer.
    pub rsp: sys::Word,
    /// The flags register.
    pub rflags: sys::Word,
}

/// Decodes a fault of a known label whose message is long enough; `None` sends the caller to
/// [`Fault::Unknown`].
pub(crate) fn decode_fault(label: sys::Word, w: &[sys::Word]) -> Option<Fault> {
    match label {
        label::VM if w.len() >= VM_FAULT_WORDS => {
            let fsr = w[3];
            let access = if w[2] != 0 || fsr & PF_INSTRUCTION != 0 {
                VmAccess::Execute
            } else if fsr & PF_WRITE != 0 {
                VmAccess::Write
            } else {
                VmAccess::Read
            };
            Some(Fault::VmFault {
                address: w[1],
                ip: w[0],
                access,
                present: fsr & PF_PRESENT != 0,
                status: fsr,
            })
        }
        label::CAP if w.len() >= 4 => Some(Fault::CapFault {
            address: w[1],
            ip: w[0],
            in_receive_phase: w[2] != 0,
            lookup: LookupFailure::decode(w[3], &w[4..])?,
        }),
        label::UNKNOWN_SYSCALL if w.len() >= UNKNOWN_SYSCALL_WORDS => Some(Fault::UnknownSyscall {
            number: w[18],
            ip: w[15],
            registers: SyscallRegisters {
                rax: w[0],
                rbx: w[1],
                rcx: w[2],
                rdx: w[3],
                rsi: w[4],
                rdi: w[5],
                rbp: w[6],
                r8: w[7],
                r9: w[8],
                r10: w[9],
                r11: w[10],
                r12: w[11],
                r13: w[12],
                r14: w[13],
                r15: w[14],
                rsp: w[16],
                rflags: w[17],
            },
        }),
        label::USER_EXCEPTION if w.len() >= USER_EXCEPTION_WORDS => Some(Fault::UserException {
            vector: w[3],
            code: w[4],
            ip: w[0],
            sp: w[1],
            flags: w[2],
        }),
        _ => None,
    }
}

/// The longest fault message of this architecture, in words.
pub(crate) const MAX_FAULT_WORDS_: usize = UNKNOWN_SYSCALL_WORDS;
const _: () = assert!(CAP_FAULT_WORDS + 3 <= MAX_FAULT_WORDS_ && label::NULL == 0);
