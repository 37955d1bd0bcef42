//! The logger: serves the channel from the filter, checks that the readings arrive complete and in order
//! (each must carry the next sequence number), keeps a checksum over them and prints a final tally.

use selkie::{Cap, Endpoint};

use crate::link;
use crate::messages::{checksum, Logged, Reading};
use crate::status::{get, set, Status};

/// What the logger is given.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct LoggerParams {
    /// The serving end of the channel from the filter.
    pub requests: Cap<Endpoint>,
    /// How many readings to expect.
    pub samples: u64,
}

/// The logger process's function.
pub fn logger(p: LoggerParams) {
    let status = Status::child();
    let mut next = 1;
    link::serve(&p.requests, Logged { count: u64::MAX }, |reading: Reading| {
        let count = get(&status.logged) + 1;
        set(&status.logged, count);
        if reading.seq == next {
            set(&status.in_order, get(&status.in_order) + 1);
            next += 1;
        } else {
            selkie::println!("logger: reading {} out of order (expected {next})", reading.seq);
        }
        set(&status.last_seq, reading.seq);
        set(&status.checksum, checksum(get(&status.checksum), reading.value));
        if reading.seq.is_multiple_of(16) {
            selkie::println!(
                "logger: reading {:>3}: {}.{} F",
                reading.seq,
                reading.value / 10,
                reading.value % 10
            );
        }
        // The last sample ends the run, whether or not every one before it arrived (the tally says).
        (Logged { count }, reading.seq >= p.samples)
    });
    selkie::println!(
        "logger: tally: {} readings, {} in order, last {}, checksum {:#x}",
        get(&status.logged),
        get(&status.in_order),
        get(&status.last_seq),
        get(&status.checksum)
    );
}
