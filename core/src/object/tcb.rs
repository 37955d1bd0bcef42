//! Thread control blocks.

use selkie_sys as sys;
use typenum::U11;

use super::{assert_size, cap_type, KernelObject};

/// A thread control block: a thread's registers, scheduling state and CSpace/VSpace roots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tcb {
    _private: (),
}

cap_type!(Tcb, "TCB", sys::cap_tag::THREAD);
assert_size!(U11, sys::TCB_BITS);

impl KernelObject for Tcb {
    type SizeBits = U11;
    const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::Tcb;
    fn created_at(_: sys::Word) -> Self {
        Tcb { _private: () }
    }
}

impl Tcb {
    pub(crate) const fn new() -> Self {
        Tcb { _private: () }
    }
}
