//! The filter: takes samples from the queue, calibrates them and sends each reading to the logger over the
//! channel. It keeps a journal in the status page (the sample it took from the queue until the logger has it),
//! so that when it faults and the supervisor restarts it, the sample in flight is replayed, not lost.
//!
//! It faults on purpose, once: on sample `fault_at` of its first run, it reads an address nothing maps.

use selkie::{Buffered, Caller, Local, QueueConsumer};

use crate::messages::{calibrate, Logged, Reading, Sample};
use crate::status::{get, set, Status};
use crate::{Filter, QueueLen};

/// An address no process of this system maps (below 4 GiB: this kernel reports fault addresses in 32 bits).
pub const UNMAPPED: selkie::sys::Word = 0x3000_0000;

/// What the filter is given.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct FilterParams {
    /// The consuming end of the queue from the driver (it sleeps on its notification while the queue is empty).
    pub input: QueueConsumer<Sample, QueueLen>,
    /// The calling end of the channel to the logger: set up for the filter, and only the filter can have it.
    pub logger: Caller<Reading, Logged, Buffered, Local, Filter>,
    /// Where the status page is mapped in the filter.
    pub status: selkie::sys::Word,
    /// How many samples the pipeline carries.
    pub samples: u64,
    /// The sample on which the first run faults.
    pub fault_at: u64,
}

/// The filter process's function.
pub fn filter(p: FilterParams) {
    // SAFETY: the root task mapped the status page read-write at `p.status` in this process.
    let status = unsafe { Status::at(p.status) };
    let FilterParams {
        mut input,
        logger,
        samples,
        fault_at,
        ..
    } = p;
    let start = get(&status.filter_starts) + 1;
    set(&status.filter_starts, start);
    let forward = |sample: Sample| -> bool {
        let reading = Reading {
            seq: sample.seq,
            value: calibrate(sample.raw),
        };
        let answer = logger.call(&reading);
        // The logger has it: the journal is clear.
        set(&status.journal_pending, 0);
        // Go on unless that was the last sample, or the logger refused it.
        answer.is_ok() && sample.seq < samples
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
        if !forward(sample) {
            return;
        }
    }
    loop {
        let sample = input.pop();
        // Journal first: from here until the logger answers, the sample lives in the status page too.
        set(&status.journal_seq, sample.seq);
        set(&status.journal_raw, sample.raw);
        set(&status.journal_pending, 1);
        if sample.seq == fault_at && start == 1 {
            // SAFETY: none needed for the outcome: the read faults on purpose, and the supervisor restarts us.
            let _ = unsafe { core::ptr::read_volatile(UNMAPPED as *const u64) };
        }
        if !forward(sample) {
            return;
        }
    }
}
