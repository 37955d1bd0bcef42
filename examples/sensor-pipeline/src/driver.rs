//! The driver: owns the PIT's four I/O ports and its interrupt (IOAPIC pin 2, bound to a notification), and on
//! each tick reads the sensor and pushes a `Sample` into the queue it shares with the filter.

use selkie::rights::ReadOnly;
use selkie::typenum::{U20, U64, U67};
use selkie::{Bound, Cap, IoPorts, IrqHandler, Notification, QueueProducer};

use crate::messages::{sensor, Sample};
use crate::status::{get, set, Status};
use crate::QueueLen;

/// The PIT's ports: channel 0 (0x40) to the mode/command register (0x43).
pub type PitPorts = IoPorts<U64, U67>;
/// The PIT's interrupt, as the kernel numbers it (IOAPIC pin 2 is IRQ 20 on this kernel: 18 + pin).
pub type PitIrq = U20;
/// The PIT's input clock in Hz.
const PIT_HZ: u32 = 1_193_182;
/// Interrupts a second.
const TICK_HZ: u32 = 1000;

/// What the driver is given.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct DriverParams {
    /// The PIT's interrupt, already bound to the notification `ticks` waits on.
    pub irq: Cap<IrqHandler<PitIrq, Bound>>,
    /// Where the interrupts arrive.
    pub ticks: Cap<Notification<ReadOnly>>,
    /// The PIT's ports, and no others.
    pub pit: Cap<PitPorts>,
    /// The producing end of the queue to the filter (it wakes the filter when a sample is queued).
    pub out: QueueProducer<Sample, QueueLen>,
    /// Where the status page is mapped in the driver.
    pub status: u64,
    /// How many samples to take.
    pub samples: u64,
}

/// The driver process's function.
pub fn driver(p: DriverParams) {
    // SAFETY: the root task mapped the status page read-write at `p.status` in this process.
    let status = unsafe { Status::at(p.status) };
    let DriverParams {
        irq,
        ticks,
        pit,
        mut out,
        samples,
        ..
    } = p;
    if let Err(step) = run(&irq, &ticks, &pit, &mut out, samples, status) {
        set(&status.driver_error, step);
    }
    // Whatever happened: stop the timer (mode 0 without a count: no more edges).
    let _ = pit.port::<U67>().out8(0x30);
}

fn run(
    irq: &Cap<IrqHandler<PitIrq, Bound>>,
    ticks: &Cap<Notification<ReadOnly>>,
    pit: &Cap<PitPorts>,
    out: &mut QueueProducer<Sample, QueueLen>,
    samples: u64,
    status: &Status,
) -> Result<(), u64> {
    // An interrupt that came before the handler was bound left the line masked until an acknowledgement.
    irq.ack().map_err(|_| 1u64)?;
    let _ = ticks.poll();
    let divisor = PIT_HZ / TICK_HZ;
    // Channel 0, low byte then high byte, mode 2 (rate generator), binary.
    pit.port::<U67>().out8(0x34).map_err(|_| 2u64)?;
    pit.port::<U64>().out8(divisor as u8).map_err(|_| 2u64)?;
    pit.port::<U64>().out8((divisor >> 8) as u8).map_err(|_| 2u64)?;
    for seq in 1..=samples {
        ticks.wait();
        irq.ack().map_err(|_| 3u64)?;
        set(&status.driver_ticks, get(&status.driver_ticks) + 1);
        // Waits (yielding) while the queue is full; wakes the filter if it was empty.
        out.push(Sample { seq, raw: sensor(seq) });
    }
    Ok(())
}
