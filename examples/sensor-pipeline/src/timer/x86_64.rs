//! The PIT (8254) on x86_64: channel 0's counter and the mode/command register, four I/O ports the driver is
//! given (and no others), and its interrupt on IOAPIC pin 2.

use selkie::bootstrap::Resources;
use selkie::process::{Brand, Process};
use selkie::rights::WriteOnly;
use selkie::typenum::{U18, U20, U64, U67};
use selkie::{Cap, IoApicPin, IoPorts, Local, Notification, Polarity, Trigger};

use super::{step, Claimed, TICK_HZ};
use crate::PipelineError;

/// The PIT's ports: channel 0 (0x40) to the mode/command register (0x43).
pub type PitPorts = IoPorts<U64, U67>;
/// The PIT's interrupt, as the kernel numbers it (IOAPIC pin 2 is IRQ 20 on this kernel: 18 + pin).
pub type TimerIrq = U20;
/// What the driver's parameters hold to program the timer: the PIT's ports (moved into its CSpace).
pub type Device = Cap<PitPorts>;
/// The PIT's input clock in Hz.
const PIT_HZ: u32 = 1_193_182;
/// The PIT's IOAPIC input: pin 2, edge-triggered, active high (QEMU's `pc` machine wires ISA IRQ 0 there).
const PIT_PIN: IoApicPin = IoApicPin {
    ioapic: 0,
    pin: 2,
    trigger: Trigger::Edge,
    polarity: Polarity::ActiveHigh,
};

/// Claims the PIT's interrupt (bound to `signal`) and copies the PIT's ports from the root task's I/O port
/// capability.
pub fn claim(res: &mut Resources, signal: &Cap<Notification<WriteOnly>>) -> Result<Claimed, selkie::Error> {
    let irq = res
        .irq_control
        .ioapic_handler::<TimerIrq, _>(res.slots.alloc()?, PIT_PIN)?;
    let irq = irq.set_notification(signal)?;
    let ports: Cap<PitPorts> = res.io_ports.copy(&res.cspace, res.slots.alloc()?)?;
    Ok(Claimed {
        irq,
        device: ports,
        grant: Grant,
    })
}

/// Nothing is left to hand over: the ports travel in the driver's parameters.
pub struct Grant;

impl Grant {
    /// Does nothing on x86_64 (the PIT's ports are among the driver's parameters already).
    pub fn map_in<B: Brand>(self, _driver: &mut Process<B, U18, U64, Local>) -> Result<(), PipelineError> {
        Ok(())
    }
}

/// The driver's view of the PIT.
pub struct Timer<'a> {
    ports: &'a Device,
}

impl<'a> Timer<'a> {
    /// The PIT, through the driver's ports.
    pub fn new(ports: &'a Device) -> Self {
        Timer { ports }
    }

    /// Starts channel 0 as a rate generator at [`TICK_HZ`].
    pub fn start(&self) -> Result<(), u64> {
        let divisor = PIT_HZ / TICK_HZ;
        // Channel 0, low byte then high byte, mode 2 (rate generator), binary.
        let p = self.ports;
        p.port::<U67>().out8(0x34).map_err(|_| step::START)?;
        p.port::<U64>().out8(divisor as u8).map_err(|_| step::START)?;
        p.port::<U64>().out8((divisor >> 8) as u8).map_err(|_| step::START)
    }

    /// Nothing to clear: the PIT's edge needs no acknowledgement at the device.
    pub fn clear(&self) -> Result<(), u64> {
        Ok(())
    }

    /// Stops the timer (mode 0 without a count: no more edges).
    pub fn stop(&self) {
        let _ = self.ports.port::<U67>().out8(0x30);
    }
}
