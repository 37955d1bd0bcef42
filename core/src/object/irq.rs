//! Interrupts: the authority to create IRQ handlers, and the handler of one IRQ, typed by its IRQ number and
//! by whether it is bound to a notification.
//!
//! See [`IrqHandler`] for the typestate and what the kernel checks.

use selkie_sys as sys;
use typenum::Unsigned;

use super::{invoke, Notification};
use crate::rights::{CanWrite, RightsSet};
use crate::role::{FlowsInto, Invocable, Role};
use crate::sealed::Sealed;
use crate::slots::CNodeSlot;
use crate::{Cap, Error, Operation, Refused, Runtime};

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
    /// The authority to handle one IRQ. `Irq`: its number as a type (`U20`) or [`Runtime`]; `State`:
    /// [`Unbound`] or [`Bound`] to a notification.
    ///
    /// [`IrqControl`] issues an [`IrqHandler<Irq, Unbound>`](IrqHandler) for an IOAPIC pin
    /// ([`Cap::ioapic_handler`]) or an MSI ([`Cap::msi_handler`]). `Irq` is the IRQ number as a type-level
    /// number (`U20`) when it is known at compile time, so a handler for one IRQ cannot be passed where another's
    /// is expected, or [`Runtime`] when it is not. [`Cap::set_notification`] consumes the unbound handler and
    /// returns it [`Bound`]; only a bound handler can be [acknowledged](Cap::ack) (an unbound one does not
    /// compile), and [`Cap::clear`] makes it unbound again. Claiming an IRQ that already has a handler is
    /// [`Error::IrqInUse`] with its number.
    ///
    /// On x86 the kernel names an interrupt by this IRQ number (it picks the CPU vector, IRQ + 0x20 above the
    /// kernel's own): the number, not the pin, is what can be claimed once. The kernel does not check that an
    /// IOAPIC pin is routed only once.
    ///
    /// A driver process receives its interrupt as parameters: a `Cap<IrqHandler<Irq, Bound>, Local<S>>` field
    /// (bound by the caller to a notification it chose) and a `Cap<Notification<ReadOnly>, Local<S>>` field for
    /// the wait end of that notification, in a `#[derive(ProcessParams)]` struct. Both capabilities move into
    /// the child's CSpace; the child waits (or polls) and acknowledges through its own tokens, and an unbound
    /// handler given to a child still cannot be acknowledged there. Tearing the child down deletes the handler,
    /// which frees the IRQ for a new claim (the QEMU image `core_driver_proc` checks both).
    ///
    /// A handler is not copyable: its state (bound or not) belongs to the IRQ, so a second token for it could
    /// go stale when the other is cleared.
    ///
    /// ```no_run
    /// # fn demo(ctl: &selkie::Cap<selkie::IrqControl>, slot: selkie::CNodeSlot,
    /// #         ntfn: &selkie::Cap<selkie::Notification>) -> Result<(), selkie::Error> {
    /// use selkie::typenum::U20;
    /// use selkie::{IoApicPin, Polarity, Trigger};
    /// // The PIT's pin on QEMU's `pc` machine, as IRQ 20.
    /// let pin = IoApicPin { ioapic: 0, pin: 2, trigger: Trigger::Edge, polarity: Polarity::ActiveHigh };
    /// let handler = ctl.ioapic_handler::<U20, _>(slot, pin)?;
    /// let handler = handler.set_notification(ntfn)?;
    /// loop {
    ///     ntfn.wait();
    ///     // ... service the device ...
    ///     handler.ack()?;
    /// }
    /// # }
    /// ```
    pub struct IrqHandler<Irq: IrqNumber = Runtime, State: IrqState = Unbound>(sys::Word);
    name: "IRQ handler",
    tag: IRQ_HANDLER,
    rights: [],
    retype: [],
    copy: none,
    mint: [],
    device: no,
}

/// An IRQ number as a type: a type-level number (`U20`), or [`Runtime`] for one known only at run time.
pub trait IrqNumber: Copy + 'static {}
impl<U: Unsigned> IrqNumber for U {}
impl IrqNumber for Runtime {}

/// Whether an IRQ handler delivers to a notification: [`Unbound`] or [`Bound`].
pub trait IrqState: Sealed + Copy + 'static {}

/// An IRQ handler with no notification: its interrupts go nowhere, and it cannot be acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unbound;
/// An IRQ handler that signals a notification when its interrupt arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound;
impl Sealed for Unbound {}
impl Sealed for Bound {}
impl IrqState for Unbound {}
impl IrqState for Bound {}

/// Handler states that can be acknowledged: [`Bound`].
#[diagnostic::on_unimplemented(
    message = "an IRQ handler must be bound to a notification before it can be acknowledged",
    label = "this handler is `Unbound`",
    note = "call `set_notification` first: it consumes the unbound handler and returns the bound one"
)]
pub trait CanAck: IrqState {}
impl CanAck for Bound {}

#[cfg(target_arch = "x86_64")]
/// How an IOAPIC pin signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Edge-triggered (ISA devices such as the PIT).
    Edge = 0,
    /// Level-triggered (PCI INTx).
    Level = 1,
}

#[cfg(target_arch = "x86_64")]
/// The active level of an IOAPIC pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// Active high (ISA devices).
    ActiveHigh = 0,
    /// Active low (PCI INTx).
    ActiveLow = 1,
}

#[cfg(target_arch = "x86_64")]
/// An IOAPIC input: which IOAPIC, which pin, and how the pin signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoApicPin {
    /// The IOAPIC's index (0 for the first).
    pub ioapic: sys::Word,
    /// The pin on that IOAPIC.
    pub pin: sys::Word,
    /// Edge or level.
    pub trigger: Trigger,
    /// Active high or low.
    pub polarity: Polarity,
}

#[cfg(target_arch = "x86_64")]
/// A PCI function's message-signalled interrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsiSource {
    /// The PCI bus.
    pub bus: sys::Word,
    /// The device on the bus.
    pub dev: sys::Word,
    /// The function of the device.
    pub func: sys::Word,
    /// The MSI handle (the kernel records it; without an IOMMU it is not checked).
    pub handle: sys::Word,
}

impl<R: Invocable> Cap<IrqControl, R> {
    #[cfg(target_arch = "x86_64")]
    /// Issues the handler for IRQ `Irq` (a type-level number), routed from the IOAPIC input `pin`
    /// (`seL4_IRQControl_GetIOAPIC`). Refused with [`Error::IrqInUse`] if the IRQ already has a handler; on any
    /// refusal `dest` comes back empty.
    pub fn ioapic_handler<Irq: IrqNumber + Unsigned, R2: Role>(
        &self,
        dest: CNodeSlot<R2>,
        pin: IoApicPin,
    ) -> Result<Cap<IrqHandler<Irq>, R2>, Refused<CNodeSlot<R2>>>
    where
        R: FlowsInto<R2>,
    {
        self.issue(Operation::X86IRQIssueIRQHandlerIOAPIC, dest, Irq::USIZE as sys::Word, ioapic_words(pin))
    }

    #[cfg(target_arch = "x86_64")]
    /// As [`ioapic_handler`](Self::ioapic_handler), for an IRQ number known only at run time.
    pub fn ioapic_handler_at<R2: Role>(
        &self,
        dest: CNodeSlot<R2>,
        pin: IoApicPin,
        irq: sys::Word,
    ) -> Result<Cap<IrqHandler<Runtime>, R2>, Refused<CNodeSlot<R2>>>
    where
        R: FlowsInto<R2>,
    {
        self.issue(Operation::X86IRQIssueIRQHandlerIOAPIC, dest, irq, ioapic_words(pin))
    }

    #[cfg(target_arch = "x86_64")]
    /// Issues the handler for IRQ `Irq` (a type-level number) for the MSI of `source`
    /// (`seL4_IRQControl_GetMSI`). Refused with [`Error::IrqInUse`] if the IRQ already has a handler.
    pub fn msi_handler<Irq: IrqNumber + Unsigned, R2: Role>(
        &self,
        dest: CNodeSlot<R2>,
        source: MsiSource,
    ) -> Result<Cap<IrqHandler<Irq>, R2>, Refused<CNodeSlot<R2>>>
    where
        R: FlowsInto<R2>,
    {
        self.issue(Operation::X86IRQIssueIRQHandlerMSI, dest, Irq::USIZE as sys::Word, msi_words(source))
    }

    #[cfg(target_arch = "x86_64")]
    /// As [`msi_handler`](Self::msi_handler), for an IRQ number known only at run time.
    pub fn msi_handler_at<R2: Role>(
        &self,
        dest: CNodeSlot<R2>,
        source: MsiSource,
        irq: sys::Word,
    ) -> Result<Cap<IrqHandler<Runtime>, R2>, Refused<CNodeSlot<R2>>>
    where
        R: FlowsInto<R2>,
    {
        self.issue(Operation::X86IRQIssueIRQHandlerMSI, dest, irq, msi_words(source))
    }

    /// Issues the handler for interrupt `Irq` (a type-level number) of the interrupt controller
    /// (`seL4_IRQControl_Get`; on the i.MX6, the GIC's interrupt ID). Refused with [`Error::IrqInUse`] if the
    /// IRQ already has a handler; on any refusal `dest` comes back empty.
    #[cfg(target_arch = "arm")]
    pub fn handler<Irq: IrqNumber + Unsigned, R2: Role>(
        &self,
        dest: CNodeSlot<R2>,
    ) -> Result<Cap<IrqHandler<Irq>, R2>, Refused<CNodeSlot<R2>>>
    where
        R: FlowsInto<R2>,
    {
        self.issue(Operation::IRQIssueIRQHandler, dest, Irq::USIZE as sys::Word, [0; 4])
    }

    /// As [`handler`](Self::handler), for an IRQ number known only at run time.
    #[cfg(target_arch = "arm")]
    pub fn handler_at<R2: Role>(
        &self,
        dest: CNodeSlot<R2>,
        irq: sys::Word,
    ) -> Result<Cap<IrqHandler<Runtime>, R2>, Refused<CNodeSlot<R2>>>
    where
        R: FlowsInto<R2>,
    {
        self.issue(Operation::IRQIssueIRQHandler, dest, irq, [0; 4])
    }

    /// The one issuing call behind the public ones: `words` are the four source-specific arguments (x86_64's
    /// IOAPIC pin or MSI source; unused on aarch32).
    fn issue<Irq: IrqNumber, R2: Role>(
        &self,
        op: Operation,
        dest: CNodeSlot<R2>,
        irq: sys::Word,
        words: [sys::Word; 4],
    ) -> Result<Cap<IrqHandler<Irq>, R2>, Refused<CNodeSlot<R2>>>
    where
        R: FlowsInto<R2>,
    {
        let issued = invoke(op, dest, |dest| {
            let [a, b, c, d] = words;
            // SAFETY: issues a handler capability into an empty slot the token owns; the kernel checks the
            // slot, the arguments and that the IRQ is free, and changes nothing if it refuses.
            #[cfg(target_arch = "x86_64")]
            unsafe {
                if op == Operation::X86IRQIssueIRQHandlerMSI {
                    sys::irq_control_get_msi(self.cptr(), dest.cnode(), dest.start(), dest.depth().into(), a, b, c, d, irq)
                } else {
                    sys::irq_control_get_ioapic(self.cptr(), dest.cnode(), dest.start(), dest.depth().into(), a, b, c, d, irq)
                }
            }
            // SAFETY: as above; aarch32 names the interrupt by number alone.
            #[cfg(target_arch = "arm")]
            unsafe {
                let _ = (op, a, b, c, d);
                sys::irq_control_get(self.cptr(), irq as i32, dest.cnode(), dest.start(), dest.depth())
            }
        });
        match issued {
            Ok((dest, ())) => Ok(Cap::new(dest.start(), IrqHandler::from_data(irq))),
            Err(Refused {
                error: Error::Kernel { code: sys::Error::RevokeFirst, .. },
                inputs,
            }) => Err(Refused {
                error: Error::IrqInUse { irq },
                inputs,
            }),
            Err(refused) => Err(refused),
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn ioapic_words(pin: IoApicPin) -> [sys::Word; 4] {
    [pin.ioapic, pin.pin, pin.trigger as sys::Word, pin.polarity as sys::Word]
}

#[cfg(target_arch = "x86_64")]
fn msi_words(source: MsiSource) -> [sys::Word; 4] {
    [source.bus, source.dev, source.func, source.handle]
}

impl<Irq: IrqNumber, State: IrqState> IrqHandler<Irq, State> {
    /// The IRQ number this handler is for.
    pub fn irq(&self) -> sys::Word {
        self.data
    }
}

impl<Irq: IrqNumber, State: IrqState, R: Role> Cap<IrqHandler<Irq, State>, R> {
    /// The IRQ number this handler is for.
    pub fn irq(&self) -> sys::Word {
        self.object().irq()
    }

    /// Lets the interrupt be delivered again (`seL4_IRQHandler_Ack`): the kernel masks the line when it
    /// signals the notification, until the handler acknowledges. Only a [`Bound`] handler can.
    pub fn ack(&self) -> Result<(), Error>
    where
        R: Invocable,
        State: CanAck,
    {
        invoke(Operation::IRQAckIRQ, (), |()| {
            // SAFETY: acknowledging an interrupt only unmasks its line in the interrupt controller.
            unsafe { sys::irq_handler_ack(self.cptr()) }
        })?;
        Ok(())
    }

    /// The same token in another state: the kernel capability is the same.
    fn into_state<New: IrqState>(self) -> Cap<IrqHandler<Irq, New>, R> {
        let (cptr, handler) = self.into_parts();
        Cap::new(cptr, IrqHandler::from_data(handler.irq()))
    }
}

impl<Irq: IrqNumber, R: Role> Cap<IrqHandler<Irq, Unbound>, R> {
    /// Binds the handler to a notification (`seL4_IRQHandler_SetNotification`): each interrupt then sets the
    /// bits of `ntfn`'s badge in the notification's word. `ntfn` must be able to signal (the write right).
    /// Consumes the unbound handler and returns the bound one; if the kernel refuses, the unbound handler
    /// comes back in the [`Refused`].
    pub fn set_notification<Rt: RightsSet + CanWrite>(
        self,
        ntfn: &Cap<Notification<Rt>, impl Invocable>,
    ) -> Result<Cap<IrqHandler<Irq, Bound>, R>, Refused<Self>>
    where
        R: Invocable,
    {
        let (this, ()) = invoke(Operation::IRQSetIRQHandler, self, |this| {
            // SAFETY: binds our handler to our notification; the kernel checks both capabilities.
            unsafe { sys::irq_handler_set_notification(this.cptr(), ntfn.cptr()) }
        })?;
        Ok(this.into_state())
    }
}

impl<Irq: IrqNumber, R: Role> Cap<IrqHandler<Irq, Bound>, R> {
    /// Unbinds the handler from its notification (`seL4_IRQHandler_Clear`): interrupts go nowhere until it is
    /// bound again. Consumes the bound handler and returns the unbound one.
    pub fn clear(self) -> Result<Cap<IrqHandler<Irq, Unbound>, R>, Refused<Self>>
    where
        R: Invocable,
    {
        let (this, ()) = invoke(Operation::IRQClearIRQHandler, self, |this| {
            // SAFETY: unbinding changes only where the kernel delivers this IRQ.
            unsafe { sys::irq_handler_clear(this.cptr()) }
        })?;
        Ok(this.into_state())
    }
}
