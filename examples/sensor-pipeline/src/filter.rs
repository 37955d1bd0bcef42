//! The filter: takes samples from the queue, calibrates them and sends each reading to the logger over the
//! channel. It keeps a journal in the status page (the sample it took from the queue until the logger has it),
//! so that when it faults and the supervisor restarts it, the sample in flight is replayed, not lost.
//!
//! It faults on purpose, once: on sample `fault_at` of its first run, it reads an address nothing maps.

use selkie::cross_queue::Consumer;
use selkie::rights::ReadOnly;
use selkie::typenum::U64;
use selkie::{Cap, Endpoint, Notification};

use crate::link;
use crate::messages::{calibrate, Logged, Reading, Sample};
use crate::status::{get, set, Status};
use crate::{SampleQueue, QUEUE_AT};

/// An address no process of this system maps (below 4 GiB: this kernel reports fault addresses in 32 bits).
pub const UNMAPPED: u64 = 0x3000_0000;

/// What the filter is given.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct FilterParams {
    /// Where the driver's wake-ups arrive.
    pub wake: Cap<Notification<ReadOnly>>,
    /// The calling end of the channel to the logger.
    pub logger: Cap<Endpoint>,
    /// How many samples the pipeline carries.
    pub samples: u64,
    /// The sample on which the first run faults.
    pub fault_at: u64,
}

/// The filter process's function.
pub fn filter(p: FilterParams) {
    let status = Status::child();
    let start = get(&status.filter_starts) + 1;
    set(&status.filter_starts, start);
    // SAFETY: the queue's page is mapped read-write at QUEUE_AT here and in the driver, and this is the only
    // consumer (a restarted filter opens it again; the one before is gone).
    let Ok(mut queue) = (unsafe { Consumer::<Sample, U64>::from_raw_parts(QUEUE_AT as *mut u8, SampleQueue::BYTES) })
    else {
        return;
    };
    // A restarted filter first finishes the sample its last run took from the queue.
    if get(&status.journal_pending) == 1 {
        let sample = Sample {
            seq: get(&status.journal_seq),
            raw: get(&status.journal_raw),
        };
        selkie::println!(
            "filter: started again (run {start}), replaying sample {} from its journal",
            sample.seq
        );
        set(&status.replayed, get(&status.replayed) + 1);
        if !forward(&p, status, sample) {
            return;
        }
    }
    loop {
        let sample = loop {
            if let Some(s) = queue.pop() {
                break s;
            }
            p.wake.wait();
        };
        // Journal first: from here until the logger answers, the sample lives in the status page too.
        set(&status.journal_seq, sample.seq);
        set(&status.journal_raw, sample.raw);
        set(&status.journal_pending, 1);
        if sample.seq == p.fault_at && start == 1 {
            // SAFETY: none needed for the outcome: the read faults on purpose, and the supervisor restarts us.
            let _ = unsafe { core::ptr::read_volatile(UNMAPPED as *const u64) };
        }
        if !forward(&p, status, sample) {
            return;
        }
    }
}

/// Calibrates `sample` and sends it to the logger; clears the journal when the logger has it. Returns whether
/// to go on (false after the last sample, or if the logger refused the reading).
fn forward(p: &FilterParams, status: &Status, sample: Sample) -> bool {
    let reading = Reading {
        seq: sample.seq,
        value: calibrate(sample.raw),
    };
    let answer: Option<Logged> = link::call(&p.logger, &reading);
    set(&status.journal_pending, 0);
    answer.is_some_and(|logged| logged.count != u64::MAX) && sample.seq < p.samples
}
