//! Faults: what the kernel sends a thread's fault endpoint when the thread does something it cannot go on
//! from, decoded into a typed [`Fault`]. Decoding never panics: a label this layer does not know, or a
//! message too short for its label, is a [`Fault::Unknown`] with the raw words.

use selkie_sys as sys;

use crate::arch::{self, SyscallRegisters};

/// The kind of access a VM fault was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmAccess {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Execute,
}

/// Why a capability lookup failed (`seL4_LookupFailureType` and its details).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupFailure {
    /// The kernel reported no lookup failure.
    None,
    /// The CSpace root is not a CNode.
    InvalidRoot,
    /// The slot the address resolves to is empty (or is not what the operation needs).
    MissingCapability {
        /// Address bits left to resolve.
        bits_left: sys::Word,
    },
    /// The address resolved with the wrong number of bits.
    DepthMismatch {
        /// Address bits left to resolve.
        bits_left: sys::Word,
        /// Bits the CNode wanted.
        bits_found: sys::Word,
    },
    /// A CNode's guard did not match the address.
    GuardMismatch {
        /// Address bits left to resolve.
        bits_left: sys::Word,
        /// The guard found.
        guard_found: sys::Word,
        /// The guard's size in bits.
        bits_found: sys::Word,
    },
}

impl LookupFailure {
    /// Decodes the kernel's lookup-failure type word and the words after it.
    pub(crate) fn decode(kind: sys::Word, w: &[sys::Word]) -> Option<LookupFailure> {
        let at = |i: usize| w.get(i).copied();
        Some(match kind {
            0 => LookupFailure::None,
            1 => LookupFailure::InvalidRoot,
            2 => LookupFailure::MissingCapability { bits_left: at(0)? },
            3 => LookupFailure::DepthMismatch {
                bits_left: at(0)?,
                bits_found: at(1)?,
            },
            4 => LookupFailure::GuardMismatch {
                bits_left: at(0)?,
                guard_found: at(1)?,
                bits_found: at(2)?,
            },
            _ => return None,
        })
    }
}

/// The longest fault message any architecture's kernel sends, in words.
pub const MAX_FAULT_WORDS: usize = arch::MAX_FAULT_WORDS_;

/// A fault the kernel reported for a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The thread touched memory its address space does not map (or maps without the right it needed).
    VmFault {
        /// The address it touched. This kernel (x86_64, 2017 tree) keeps only the low 32 bits of it.
        address: sys::Word,
        /// The instruction that faulted (re-executed when the thread is resumed).
        ip: sys::Word,
        /// Read, write or instruction fetch.
        access: VmAccess,
        /// Whether a mapping was present (a protection fault) or not (a missing page).
        present: bool,
        /// The architecture's raw fault status word (on x86, the page-fault error code).
        status: sys::Word,
    },
    /// A capability the thread named could not be looked up (for example its IPC buffer's capability
    /// address in a receive).
    CapFault {
        /// The capability address.
        address: sys::Word,
        /// The instruction pointer.
        ip: sys::Word,
        /// Whether the lookup was for the receive phase of a call.
        in_receive_phase: bool,
        /// Why the lookup failed.
        lookup: LookupFailure,
    },
    /// The thread made a system call with a number the kernel does not have.
    UnknownSyscall {
        /// The syscall number.
        number: sys::Word,
        /// The address of the instruction after the syscall.
        ip: sys::Word,
        /// The registers at the call.
        registers: SyscallRegisters,
    },
    /// The processor raised an exception the kernel hands to user level (divide error, invalid opcode, ...).
    UserException {
        /// The exception vector (6 for an invalid opcode on x86).
        vector: sys::Word,
        /// The exception's error code (0 where the processor gives none).
        code: sys::Word,
        /// The faulting instruction.
        ip: sys::Word,
        /// The stack pointer.
        sp: sys::Word,
        /// The flags register.
        flags: sys::Word,
    },
    /// Not a fault: a child process ended normally (its function or `main` returned) and said so on its fault
    /// endpoint (label [`PROCESS_EXIT_LABEL`](crate::process::PROCESS_EXIT_LABEL)).
    Exited {
        /// The exit code (0 when the function returned).
        code: sys::Word,
    },
    /// A child process panicked: its panic handler said so on its fault endpoint (label
    /// [`PROCESS_PANIC_LABEL`](crate::process::PROCESS_PANIC_LABEL)) instead of running on.
    Panicked {
        /// The source line of the panic (0 if the panic had no location).
        line: sys::Word,
    },
    /// A label this layer does not know, or a message too short for its label: the raw message.
    Unknown {
        /// The message's label.
        label: sys::Word,
        /// How many words came with it (at most [`MAX_FAULT_WORDS`] are kept in `words`).
        len: usize,
        /// The first words of the message; the rest of the array is zero.
        words: [sys::Word; MAX_FAULT_WORDS],
    },
}

impl Fault {
    /// Decodes a fault message: its label and its words. Never panics.
    ///
    /// ```
    /// use selkie::{Fault, VmAccess};
    /// // A write (error code bit 1) to an unmapped page at 0x1000 from the instruction at 0x401000.
    /// let f = Fault::decode(5, &[0x401000, 0x1000, 0, 0b110]);
    /// assert!(matches!(f, Fault::VmFault { address: 0x1000, access: VmAccess::Write, present: false, .. }));
    /// // A child process's exit and panic messages.
    /// assert_eq!(Fault::decode(selkie::process::PROCESS_EXIT_LABEL, &[3]), Fault::Exited { code: 3 });
    /// assert_eq!(Fault::decode(selkie::process::PROCESS_PANIC_LABEL, &[12]), Fault::Panicked { line: 12 });
    /// // An unknown label keeps the words.
    /// let f = Fault::decode(77, &[1, 2]);
    /// assert!(matches!(f, Fault::Unknown { label: 77, len: 2, words, .. } if words[..2] == [1, 2]));
    /// ```
    pub fn decode(label: sys::Word, words: &[sys::Word]) -> Fault {
        match (label, words) {
            (crate::process::PROCESS_EXIT_LABEL, &[code]) => return Fault::Exited { code },
            (crate::process::PROCESS_PANIC_LABEL, &[line]) => return Fault::Panicked { line },
            _ => {}
        }
        arch::decode_fault(label, words).unwrap_or_else(|| {
            let mut kept = [0; MAX_FAULT_WORDS];
            let n = words.len().min(MAX_FAULT_WORDS);
            kept[..n].copy_from_slice(&words[..n]);
            Fault::Unknown {
                label,
                len: words.len(),
                words: kept,
            }
        })
    }

    /// The exit code, when this is not a fault but a process's exit message ([`Fault::Exited`]).
    pub fn exit_code(&self) -> Option<sys::Word> {
        match *self {
            Fault::Exited { code } => Some(code),
            _ => None,
        }
    }

    /// The instruction pointer the fault reports, where it has one.
    pub fn ip(&self) -> Option<sys::Word> {
        match *self {
            Fault::VmFault { ip, .. }
            | Fault::CapFault { ip, .. }
            | Fault::UnknownSyscall { ip, .. }
            | Fault::UserException { ip, .. } => Some(ip),
            Fault::Exited { .. } | Fault::Panicked { .. } | Fault::Unknown { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_faults_decode_the_access_kind() {
        let read = Fault::decode(5, &[0x40_1000, 0xdead_0000, 0, 0b100]);
        assert_eq!(
            read,
            Fault::VmFault {
                address: 0xdead_0000,
                ip: 0x40_1000,
                access: VmAccess::Read,
                present: false,
                status: 0b100
            }
        );
        let write = Fault::decode(5, &[1, 2, 0, 0b111]);
        assert!(matches!(
            write,
            Fault::VmFault {
                access: VmAccess::Write,
                present: true,
                ..
            }
        ));
        let exec = Fault::decode(5, &[1, 2, 1, 0b10100]);
        assert!(matches!(
            exec,
            Fault::VmFault {
                access: VmAccess::Execute,
                ..
            }
        ));
    }

    #[test]
    fn user_exceptions_and_unknown_syscalls() {
        let ud = Fault::decode(3, &[0x40_2000, 0x7000, 0x202, 6, 0]);
        assert_eq!(
            ud,
            Fault::UserException {
                vector: 6,
                code: 0,
                ip: 0x40_2000,
                sp: 0x7000,
                flags: 0x202
            }
        );
        let mut w = [0u64; 19];
        for (i, x) in w.iter_mut().enumerate() {
            *x = i as u64 + 100;
        }
        w[18] = 42;
        match Fault::decode(2, &w) {
            Fault::UnknownSyscall { number, ip, registers } => {
                assert_eq!((number, ip), (42, 115));
                assert_eq!(
                    (registers.rax, registers.rdx, registers.r15, registers.rsp),
                    (100, 103, 114, 116)
                );
            }
            f => panic!("{f:?}"),
        }
    }

    #[test]
    fn cap_faults_carry_the_lookup_failure() {
        let f = Fault::decode(1, &[9, 0x55, 1, 2, 12]);
        assert_eq!(
            f,
            Fault::CapFault {
                address: 0x55,
                ip: 9,
                in_receive_phase: true,
                lookup: LookupFailure::MissingCapability { bits_left: 12 }
            }
        );
        let g = Fault::decode(1, &[9, 0x55, 0, 4, 3, 1, 2]);
        assert!(matches!(
            g,
            Fault::CapFault {
                lookup: LookupFailure::GuardMismatch {
                    bits_left: 3,
                    guard_found: 1,
                    bits_found: 2
                },
                ..
            }
        ));
    }

    #[test]
    fn exit_and_panic_messages_are_their_own_events() {
        use crate::process::{PROCESS_EXIT_LABEL, PROCESS_PANIC_LABEL};
        assert_eq!(Fault::decode(PROCESS_EXIT_LABEL, &[0]), Fault::Exited { code: 0 });
        assert_eq!(Fault::decode(PROCESS_EXIT_LABEL, &[0]).exit_code(), Some(0));
        assert_eq!(Fault::decode(PROCESS_PANIC_LABEL, &[41]), Fault::Panicked { line: 41 });
        assert_eq!(Fault::decode(PROCESS_PANIC_LABEL, &[41]).exit_code(), None);
        // The wrong length is not an exit or a panic: the raw words are kept.
        assert!(matches!(
            Fault::decode(PROCESS_EXIT_LABEL, &[1, 2]),
            Fault::Unknown { len: 2, .. }
        ));
        assert!(matches!(
            Fault::decode(PROCESS_PANIC_LABEL, &[]),
            Fault::Unknown { len: 0, .. }
        ));
    }

    #[test]
    fn unknown_labels_and_short_messages_never_panic() {
        for label in [0, 4, 6, 1 << 19] {
            assert!(matches!(Fault::decode(label, &[7; 30]), Fault::Unknown { len: 30, .. }));
        }
        // A VM fault label with too few words, and a lookup-failure kind the kernel does not have.
        assert!(matches!(
            Fault::decode(5, &[1, 2]),
            Fault::Unknown { label: 5, len: 2, .. }
        ));
        assert!(matches!(
            Fault::decode(1, &[1, 2, 0, 9]),
            Fault::Unknown { label: 1, .. }
        ));
        assert!(matches!(Fault::decode(2, &[]), Fault::Unknown { len: 0, .. }));
    }
}
