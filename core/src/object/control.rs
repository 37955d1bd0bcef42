//! Capabilities to kernel services rather than memory objects: IRQ control and handlers, scheduling domains.

use selkie_sys as sys;

use super::cap_type;

/// The authority to create IRQ handler capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IrqControl {
    _private: (),
}

/// The authority to handle one interrupt line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IrqHandler {
    irq: sys::Word,
}

impl IrqHandler {
    /// The interrupt number this handler is for.
    pub fn irq(&self) -> sys::Word {
        self.irq
    }
}

/// The authority to move threads between scheduling domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain {
    _private: (),
}

impl IrqControl {
    pub(crate) const fn new() -> Self {
        IrqControl { _private: () }
    }
}

impl Domain {
    pub(crate) const fn new() -> Self {
        Domain { _private: () }
    }
}

cap_type!(IrqControl, "IRQ control", sys::cap_tag::IRQ_CONTROL);
cap_type!(IrqHandler, "IRQ handler", sys::cap_tag::IRQ_HANDLER);
cap_type!(Domain, "domain", sys::cap_tag::DOMAIN);
