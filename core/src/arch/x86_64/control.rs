//! x86_64 control capabilities: ASIDs and I/O ports.

use selkie_sys as sys;

use crate::object::cap_type;

/// The authority to create ASID pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsidControl {
    _private: (),
}

/// A pool of address-space identifiers that VSpace roots are assigned from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsidPool {
    _private: (),
}

/// Access to x86 I/O ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoPorts {
    _private: (),
}

impl AsidControl {
    pub(crate) const fn new() -> Self {
        AsidControl { _private: () }
    }
}

impl AsidPool {
    pub(crate) const fn new() -> Self {
        AsidPool { _private: () }
    }
}

impl IoPorts {
    pub(crate) const fn new() -> Self {
        IoPorts { _private: () }
    }
}

cap_type!(AsidControl, "ASID control", sys::cap_tag::ASID_CONTROL);
cap_type!(AsidPool, "ASID pool", sys::cap_tag::ASID_POOL);
cap_type!(IoPorts, "I/O ports", sys::cap_tag::IO_PORT);
