//! Interrupts: the authority to create IRQ handlers, and the handler of one line.

use selkie_sys as sys;

kernel_object! {
    /// The authority to create IRQ handler capabilities.
    pub struct IrqControl<>(());
    name: "IRQ control",
    tag: IRQ_CONTROL,
    rights: [],
    retype: [],
    copy: as_is,
    mint: [],
    device: no,
}

kernel_object! {
    /// The authority to handle one interrupt line.
    pub struct IrqHandler<>(sys::Word);
    name: "IRQ handler",
    tag: IRQ_HANDLER,
    rights: [],
    retype: [],
    copy: as_is,
    mint: [],
    device: no,
}

impl IrqHandler {
    /// The interrupt number this handler is for.
    pub fn irq(&self) -> sys::Word {
        self.data
    }
}
