//! The driver: owns the PIT's four I/O ports and its interrupt (IOAPIC pin 2, bound to a notification), and on
//! each tick reads the sensor and pushes a `Sample` into the queue it shares with the filter.

use selkie::cross_queue::Producer;
use selkie::rights::{ReadOnly, WriteOnly};
use selkie::typenum::{U20, U64, U67};
use selkie::{Bound, Cap, IoPorts, IrqHandler, Notification};

use crate::messages::{sensor, Sample};
use crate::status::{get, set, Status};
use crate::{SampleQueue, QUEUE_AT};

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
    /// Wakes the filter when a sample is queued.
    pub wake_filter: Cap<Notification<WriteOnly>>,
    /// How many samples to take.
    pub samples: u64,
}

/// The driver process's function.
pub fn driver(p: DriverParams) {
    let status = Status::child();
    if let Err(step) = run(&p, status) {
        set(&status.driver_error, step);
    }
    // Whatever happened: stop the timer (mode 0 without a count: no more edges).
    let _ = p.pit.port::<U67>().out8(0x30);
}

fn run(p: &DriverParams, status: &Status) -> Result<(), u64> {
    // SAFETY: the queue's page is mapped read-write at QUEUE_AT in this process and the filter's, and this is
    // the only producer.
    let mut queue = unsafe { Producer::<Sample, U64>::from_raw_parts(QUEUE_AT as *mut u8, SampleQueue::BYTES) }
        .map_err(|_| 1u64)?;
    // An interrupt that came before the handler was bound left the line masked until an acknowledgement.
    p.irq.ack().map_err(|_| 2u64)?;
    let _ = p.ticks.poll();
    let divisor = PIT_HZ / TICK_HZ;
    // Channel 0, low byte then high byte, mode 2 (rate generator), binary.
    p.pit.port::<U67>().out8(0x34).map_err(|_| 3u64)?;
    p.pit.port::<U64>().out8(divisor as u8).map_err(|_| 3u64)?;
    p.pit.port::<U64>().out8((divisor >> 8) as u8).map_err(|_| 3u64)?;
    for seq in 1..=p.samples {
        p.ticks.wait();
        p.irq.ack().map_err(|_| 4u64)?;
        set(&status.driver_ticks, get(&status.driver_ticks) + 1);
        let mut sample = Sample { seq, raw: sensor(seq) };
        while let Err(back) = queue.push(sample) {
            // Full: let the filter run.
            sample = back;
            // SAFETY: yielding only gives up the rest of the time slice.
            unsafe { selkie::sys::yield_() };
        }
        p.wake_filter.signal();
    }
    Ok(())
}
