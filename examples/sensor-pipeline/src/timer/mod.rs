//! The pipeline's timer: the one part of the system that depends on the machine. Each architecture's module
//! offers the same interface, so `main` and the driver are written once:
//!
//! - [`TimerIrq`]: the timer's interrupt number, as a type (the driver's handler is `IrqHandler<TimerIrq>`);
//! - [`claim`] (root task): claims the timer's interrupt, binds it to the notification the driver waits on, and
//!   takes what the driver needs to program the timer ([`Claimed`]): a [`Device`] for the driver's parameters
//!   and a [`Grant`] to hand over once the driver process exists ([`Grant::map_in`]);
//! - [`Timer`] (driver): [`Timer::start`] periodic interrupts, [`Timer::clear`] one (after each wake-up, before
//!   the interrupt is acknowledged), [`Timer::stop`].
//!
//! On x86_64 the timer is the PIT: its four I/O ports and its interrupt through the IOAPIC. On aarch32 it is the
//! i.MX6's first enhanced periodic interrupt timer (EPIT1): a page of device registers, mapped uncached in the
//! driver process only, and its interrupt through the GIC.

#[cfg_attr(target_arch = "x86_64", path = "x86_64.rs")]
#[cfg_attr(target_arch = "arm", path = "aarch32.rs")]
mod arch;

pub use arch::{claim, Device, Grant, Timer, TimerIrq};

use selkie::{Bound, Cap, IrqHandler};

/// What [`claim`] takes for the driver.
pub struct Claimed {
    /// The timer's interrupt, bound to the driver's notification.
    pub irq: Cap<IrqHandler<TimerIrq, Bound>>,
    /// The device, for the driver's parameters.
    pub device: Device,
    /// What is left to map in the driver once it exists.
    pub grant: Grant,
}

/// Interrupts a second.
pub const TICK_HZ: u32 = 1000;

/// Why the driver stopped early: which step failed (the driver writes it to the status page, which the root
/// task checks).
pub mod step {
    /// Acknowledging the interrupt before the first tick.
    pub const FIRST_ACK: u64 = 1;
    /// Programming the timer.
    pub const START: u64 = 2;
    /// Acknowledging an interrupt.
    pub const ACK: u64 = 3;
    /// The timer did not say it had fired when its interrupt arrived (the PIT has no such flag to check).
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    pub const NOT_FIRED: u64 = 4;
}
