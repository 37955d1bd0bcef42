//! The logger: serves the channel from the filter, checks that the readings arrive complete and in order
//! (each must carry the next sequence number), keeps a checksum over them and prints a final tally.

use selkie::{Buffered, Local, Responder, Served};

use crate::messages::{checksum, Logged, Reading};
use crate::status::{get, set, Status};
use crate::Logger;

/// What the logger is given.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct LoggerParams {
    /// The serving end of the channel from the filter: set up for the logger, and only the logger can have it.
    pub requests: Responder<Reading, Logged, Buffered, Local, Logger>,
    /// Where the status page is mapped in the logger.
    pub status: selkie::sys::Word,
    /// How many readings to expect.
    pub samples: u64,
}

/// The logger process's function.
pub fn logger(p: LoggerParams) {
    // SAFETY: the root task mapped the status page read-write at `p.status` in this process.
    let status = unsafe { Status::at(p.status) };
    let mut next = 1;
    // Each request is a decoded `Reading` (a message that is not one is refused before it gets here).
    p.requests.serve(|_badge, reading| {
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
        if reading.seq >= p.samples {
            Served::ReplyAndStop(Logged { count })
        } else {
            Served::Reply(Logged { count })
        }
    });
    selkie::println!(
        "logger: tally: {} readings, {} in order, last {}, checksum {:#x}",
        get(&status.logged),
        get(&status.in_order),
        get(&status.last_seq),
        get(&status.checksum)
    );
}
