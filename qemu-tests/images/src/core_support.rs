//! Shared by the `core_*` test images: checking what the kernel says a capability is, and a failure type
//! that carries the numbers.

#![allow(dead_code)]

use selkie::sys;
use selkie::{Cap, CapType, Role};

/// Why a `core_*` test failed.
#[derive(Debug, Clone, Copy)]
pub enum Fail {
    /// The typed layer returned an error.
    Selkie(selkie::Error),
    /// The kernel reports a different capability type in a slot.
    WrongType {
        what: &'static str,
        slot: sys::CPtr,
        expected: sys::Word,
        found: sys::Word,
    },
    /// A value differs from what the test expects.
    Mismatch {
        what: &'static str,
        expected: u64,
        found: u64,
    },
    /// An operation that must fail succeeded.
    Succeeded(&'static str),
    /// A raw kernel call the test makes itself failed.
    Raw(&'static str, sys::Error),
    /// Something the test needs is not there.
    Missing(&'static str),
}

impl From<selkie::Error> for Fail {
    fn from(e: selkie::Error) -> Self {
        Fail::Selkie(e)
    }
}

/// A refused operation fails the test with its error; the handed-back tokens are dropped.
impl<I> From<selkie::Refused<I>> for Fail {
    fn from(refused: selkie::Refused<I>) -> Self {
        Fail::Selkie(refused.error)
    }
}

/// What the kernel's debug cap-identify call reports for the slot at `cptr` in the root task's CSpace.
pub fn slot_type(cptr: sys::CPtr) -> sys::Word {
    // SAFETY: a debug query of one slot; it has no effect on memory or capabilities.
    unsafe { sys::debug_cap_identify(cptr) }
}

/// Checks that the kernel holds a `T` where `cap` says.
pub fn expect_type<T: CapType, R: Role>(what: &'static str, cap: &Cap<T, R>) -> Result<(), Fail> {
    expect_slot(what, cap.cptr(), T::KERNEL_TAG)
}

/// Checks the kernel's type for the slot at `cptr`.
pub fn expect_slot(what: &'static str, cptr: sys::CPtr, expected: sys::Word) -> Result<(), Fail> {
    let found = slot_type(cptr);
    if found == expected {
        Ok(())
    } else {
        Err(Fail::WrongType {
            what,
            slot: cptr,
            expected,
            found,
        })
    }
}

/// Checks two numbers are equal.
pub fn expect_eq(what: &'static str, expected: u64, found: u64) -> Result<(), Fail> {
    if expected == found {
        Ok(())
    } else {
        Err(Fail::Mismatch { what, expected, found })
    }
}

/// A machine word (32 or 64 bits by architecture) as a `u64`, for checks and sums that are the same on both.
pub fn wide(w: sys::Word) -> u64 {
    // A machine word: u32 on aarch32.
    #[allow(clippy::useless_conversion)]
    u64::from(w)
}

/// Checks two machine words are equal (addresses, badges, exit codes).
pub fn expect_word(what: &'static str, expected: sys::Word, found: sys::Word) -> Result<(), Fail> {
    expect_eq(what, wide(expected), wide(found))
}
