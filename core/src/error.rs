//! The one error type of the typed layer: a kernel error with the operation that failed, or a runtime
//! resource check with its numbers; and [`Refused`], the error of an operation that consumes tokens, which
//! hands them back.

use core::fmt;

use selkie_sys as sys;

/// A kernel operation, named after the kernel call it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `seL4_Untyped_Retype`.
    UntypedRetype,
    /// `seL4_CNode_Copy`.
    CNodeCopy,
    /// `seL4_CNode_Mint`.
    CNodeMint,
    /// `seL4_CNode_Move`.
    CNodeMove,
    /// `seL4_CNode_Mutate`.
    CNodeMutate,
    /// `seL4_CNode_Delete`.
    CNodeDelete,
    /// `seL4_CNode_Revoke`.
    CNodeRevoke,
}

impl Operation {
    /// The kernel call's name, e.g. `"seL4_Untyped_Retype"`.
    pub fn kernel_name(self) -> &'static str {
        match self {
            Operation::UntypedRetype => "seL4_Untyped_Retype",
            Operation::CNodeCopy => "seL4_CNode_Copy",
            Operation::CNodeMint => "seL4_CNode_Mint",
            Operation::CNodeMove => "seL4_CNode_Move",
            Operation::CNodeMutate => "seL4_CNode_Mutate",
            Operation::CNodeDelete => "seL4_CNode_Delete",
            Operation::CNodeRevoke => "seL4_CNode_Revoke",
        }
    }
}

/// Everything that can go wrong in the typed layer. Library code returns these and never panics on them.
///
/// ```
/// use selkie::Error;
/// let e = Error::UntypedExhausted { requested_bits: 20, largest_bits: Some(18) };
/// assert_eq!(
///     e.to_string(),
///     "asked for 2^20 bytes of untyped memory, the largest free untyped is 2^18"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The kernel refused an operation.
    Kernel {
        /// Which kernel call failed.
        op: Operation,
        /// The kernel's error code.
        code: sys::Error,
    },
    /// The untyped allocator has no free untyped of at least the requested size.
    UntypedExhausted {
        /// The size asked for, as a power of two.
        requested_bits: u8,
        /// The largest free untyped of the requested kind, if any is left.
        largest_bits: Option<u8>,
    },
    /// No free device untyped covers the requested physical range.
    DeviceMemoryNotFound {
        /// The physical address asked for.
        paddr: sys::Word,
        /// The size asked for, as a power of two.
        size_bits: u8,
    },
    /// A runtime-checked slot pool has fewer free slots than requested.
    SlotsExhausted {
        /// How many slots were asked for.
        requested: usize,
        /// How many were left.
        available: usize,
    },
    /// The untyped allocator's list of free untypeds is full.
    AllocatorFull {
        /// The list's capacity.
        capacity: usize,
    },
    /// A badge does not fit the kernel's badge width.
    BadgeTooWide {
        /// The badge asked for.
        badge: sys::Word,
        /// The kernel's badge width in bits.
        bits: u8,
    },
    /// A CNode guard does not fit the kernel's guard fields.
    BadGuard {
        /// The guard value asked for.
        value: sys::Word,
        /// The guard size asked for, in bits.
        size_bits: u8,
    },
    /// The kernel's bootinfo does not match what this build expects.
    BadBootInfo {
        /// Which fact did not match.
        what: &'static str,
        /// The value the kernel reported.
        found: sys::Word,
        /// The value this build expected.
        expected: sys::Word,
    },
}

impl Error {
    /// Turns a raw invocation result into the typed layer's result, naming the operation.
    pub(crate) fn check(op: Operation, result: Result<(), sys::Error>) -> Result<(), Error> {
        result.map_err(|code| Error::Kernel { op, code })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Kernel { op, code } => {
                write!(
                    f,
                    "{} failed: {} (kernel error {})",
                    op.kernel_name(),
                    code.name(),
                    code as u64
                )
            }
            Error::UntypedExhausted {
                requested_bits,
                largest_bits: Some(l),
            } => write!(
                f,
                "asked for 2^{requested_bits} bytes of untyped memory, the largest free untyped is 2^{l}"
            ),
            Error::UntypedExhausted {
                requested_bits,
                largest_bits: None,
            } => {
                write!(f, "asked for 2^{requested_bits} bytes of untyped memory, none is left")
            }
            Error::DeviceMemoryNotFound { paddr, size_bits } => {
                write!(
                    f,
                    "no free device untyped covers 2^{size_bits} bytes at physical address {paddr:#x}"
                )
            }
            Error::SlotsExhausted { requested, available } => {
                write!(f, "asked for {requested} CNode slots, {available} are left")
            }
            Error::AllocatorFull { capacity } => {
                write!(f, "the untyped allocator's free list is full ({capacity} entries)")
            }
            Error::BadgeTooWide { badge, bits } => {
                write!(f, "badge {badge:#x} does not fit the kernel's {bits}-bit badges")
            }
            Error::BadGuard { value, size_bits } => {
                write!(
                    f,
                    "guard {value:#x} of {size_bits} bits does not fit the kernel's CNode guard"
                )
            }
            Error::BadBootInfo { what, found, expected } => {
                write!(f, "bootinfo {what} is {found}, this build expects {expected}")
            }
        }
    }
}

impl core::error::Error for Error {}

/// The kernel refused an operation that consumes tokens: its [`Error`], and the tokens it was given, handed
/// back because the kernel left them exactly as they were.
///
/// Operations that consume a capability or slots ([`Cap::retype`](crate::Cap::retype),
/// [`Cap::split`](crate::Cap::split), [`Cap::copy`](crate::Cap::copy), [`Cap::move_to`](crate::Cap::move_to),
/// [`Cap::delete`](crate::Cap::delete), ...) fail with a `Refused` whose `inputs` are what they consumed, in
/// the order of their parameters: the kernel checks everything before it changes anything, so a refused
/// untyped still has its memory free and a refused slot is still empty. `?` in a function returning
/// `Result<_, selkie::Error>` turns it into its [`Error`] (dropping the tokens), so code that does not want
/// them back reads the same as for any other error.
///
/// ```no_run
/// # fn demo(mem: selkie::Cap<selkie::Untyped<selkie::typenum::U12>>, slot: selkie::CNodeSlot,
/// #         spare: selkie::CNodeSlot) -> Result<(), selkie::Error> {
/// use selkie::{Cap, Refused, Tcb};
/// let tcb: Cap<Tcb> = match mem.retype(slot) {
///     Ok(tcb) => tcb,
///     // The memory and the slot are as they were: try again with another slot.
///     Err(Refused { error, inputs: (mem, _slot) }) => {
///         selkie::println!("{error}; retrying");
///         mem.retype(spare)?
///     }
/// };
/// # let _ = tcb; Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused<I> {
    /// Why the kernel refused.
    pub error: Error,
    /// The tokens the operation consumed, unchanged.
    pub inputs: I,
}

impl<I> Refused<I> {
    /// Passes `inputs` on if the kernel call `op` succeeded, or hands them back beside its error.
    pub(crate) fn check(op: Operation, result: Result<(), sys::Error>, inputs: I) -> Result<I, Refused<I>> {
        match result {
            Ok(()) => Ok(inputs),
            Err(code) => Err(Refused {
                error: Error::Kernel { op, code },
                inputs,
            }),
        }
    }
}

impl<I> From<Refused<I>> for Error {
    fn from(refused: Refused<I>) -> Error {
        refused.error
    }
}

impl<I> fmt::Display for Refused<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<I: fmt::Debug> core::error::Error for Refused<I> {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    #[test]
    fn messages_carry_the_numbers() {
        let e = Error::Kernel {
            op: Operation::UntypedRetype,
            code: sys::Error::NotEnoughMemory,
        };
        assert_eq!(
            e.to_string(),
            "seL4_Untyped_Retype failed: NotEnoughMemory (kernel error 10)"
        );
        let e = Error::SlotsExhausted {
            requested: 4096,
            available: 3811,
        };
        assert_eq!(e.to_string(), "asked for 4096 CNode slots, 3811 are left");
        let e = Error::UntypedExhausted {
            requested_bits: 20,
            largest_bits: None,
        };
        assert_eq!(e.to_string(), "asked for 2^20 bytes of untyped memory, none is left");
    }

    #[test]
    fn a_refusal_hands_the_inputs_back_and_converts_to_its_error() {
        let refused = Refused::check(Operation::CNodeMove, Err(sys::Error::DeleteFirst), (3, "slot")).unwrap_err();
        assert_eq!(refused.inputs, (3, "slot"));
        assert_eq!(
            refused.to_string(),
            "seL4_CNode_Move failed: DeleteFirst (kernel error 8)"
        );
        let error: Error = refused.into();
        assert_eq!(
            error,
            Error::Kernel {
                op: Operation::CNodeMove,
                code: sys::Error::DeleteFirst
            }
        );
        assert_eq!(Refused::check(Operation::CNodeMove, Ok(()), 7), Ok(7));
    }
}
