//! The driver: owns the timer (what of it the architecture's module gives it: the PIT's ports on x86_64,
//! EPIT1's registers on aarch32) and its interrupt, bound to a notification; on each tick it reads the sensor
//! and pushes a `Sample` into the queue it shares with the filter.

use selkie::rights::ReadOnly;
use selkie::{Bound, Cap, IrqHandler, Notification, QueueProducer};

use crate::messages::{sensor, Sample};
use crate::status::{get, set, Status};
use crate::timer::{self, step, Timer, TimerIrq};
use crate::QueueLen;

/// What the driver is given.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct DriverParams {
    /// The timer's interrupt, already bound to the notification `ticks` waits on.
    pub irq: Cap<IrqHandler<TimerIrq, Bound>>,
    /// Where the interrupts arrive.
    pub ticks: Cap<Notification<ReadOnly>>,
    /// The timer device, and no other.
    pub timer: timer::Device,
    /// The producing end of the queue to the filter (it wakes the filter when a sample is queued).
    pub out: QueueProducer<Sample, QueueLen>,
    /// Where the status page is mapped in the driver.
    pub status: selkie::sys::Word,
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
        timer,
        mut out,
        samples,
        ..
    } = p;
    let timer = Timer::new(&timer);
    if let Err(step) = run(&irq, &ticks, &timer, &mut out, samples, status) {
        set(&status.driver_error, step);
    }
    // Whatever happened: stop the timer.
    timer.stop();
}

fn run(
    irq: &Cap<IrqHandler<TimerIrq, Bound>>,
    ticks: &Cap<Notification<ReadOnly>>,
    timer: &Timer,
    out: &mut QueueProducer<Sample, QueueLen>,
    samples: u64,
    status: &Status,
) -> Result<(), u64> {
    // An interrupt that came before the handler was bound left the line masked until an acknowledgement.
    irq.ack().map_err(|_| step::FIRST_ACK)?;
    let _ = ticks.poll();
    timer.start()?;
    for seq in 1..=samples {
        ticks.wait();
        timer.clear()?;
        irq.ack().map_err(|_| step::ACK)?;
        set(&status.driver_ticks, get(&status.driver_ticks) + 1);
        // Waits (yielding) while the queue is full; wakes the filter if it was empty.
        out.push(Sample { seq, raw: sensor(seq) });
    }
    Ok(())
}
