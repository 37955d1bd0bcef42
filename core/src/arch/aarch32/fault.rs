//! aarch32 fault messages: the labels and message-register layouts this kernel uses (libsel4's ARM
//! `shared_types.bf` fault tags and aarch32 `sel4_arch/constants.h` message enums for this tree), and the
//! fault status register.

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
    /// `seL4_Fault_VMFault` (ARM).
    pub const VM: sys::Word = 5;
}

/// Message words of an unknown-syscall fault: `r0` to `r7`, the faulting instruction pointer, `sp`, `lr`,
/// `cpsr` and the syscall number.
pub(crate) const UNKNOWN_SYSCALL_WORDS: usize = 13;
/// Message words of a user exception: instruction pointer, `sp`, `cpsr`, exception number, code.
pub(crate) const USER_EXCEPTION_WORDS: usize = 5;
/// Message words of a VM fault: instruction pointer, address, prefetch (instruction fetch) flag, fault status.
pub(crate) const VM_FAULT_WORDS: usize = 4;
/// Message words of a capability fault, at most (the lookup failure's details take up to 3).
pub(crate) const CAP_FAULT_WORDS: usize = 4;

/// The data fault status register's write-not-read bit.
const FSR_WNR: sys::Word = 1 << 11;

/// Whether a fault status (DFSR or IFSR: status bits 3..0 and bit 10) says a mapping was there: a
/// permission fault (section 0b01101, page 0b01111) rather than a translation fault.
const fn fsr_present(fsr: sys::Word) -> bool {
    let status = (fsr & 0xf) | ((fsr >> 6) & 0x10);
    status == 0b01101 || status == 0b01111
}

/// The general-purpose registers an unknown-syscall fault reports, as the kernel saved them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct SyscallRegisters {
    pub r0: sys::Word,
    pub r1: sys::Word,
    pub r2: sys::Word,
    pub r3: sys::Word,
    pub r4: sys::Word,
    pub r5: sys::Word,
    pub r6: sys::Word,
    pub r7: sys::Word,
    /// The stack pointer.
    pub sp: sys::Word,
    /// The link register.
    pub lr: sys::Word,
    /// The program status register.
    pub cpsr: sys::Word,
}

/// Decodes a fault of a known label whose message is long enough; `None` sends the caller to
/// [`Fault::Unknown`].
pub(crate) fn decode_fault(label: sys::Word, w: &[sys::Word]) -> Option<Fault> {
    match label {
        label::VM if w.len() >= VM_FAULT_WORDS => {
            let fsr = w[3];
            let access = if w[2] != 0 {
                VmAccess::Execute
            } else if fsr & FSR_WNR != 0 {
                VmAccess::Write
            } else {
                VmAccess::Read
            };
            Some(Fault::VmFault {
                address: w[1],
                ip: w[0],
                access,
                present: fsr_present(fsr),
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
            number: w[12],
            ip: w[8],
            registers: SyscallRegisters {
                r0: w[0],
                r1: w[1],
                r2: w[2],
                r3: w[3],
                r4: w[4],
                r5: w[5],
                r6: w[6],
                r7: w[7],
                sp: w[9],
                lr: w[10],
                cpsr: w[11],
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
