//! What travels between the processes: plain old data, declared once with its size and, for channel messages,
//! its label.

use selkie::bytemuck::{Pod, Zeroable};
use selkie::typenum::{U16, U8};

/// One raw sample, from the driver to the filter through the shared queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Sample {
    /// Sequence number, from 1.
    pub seq: u64,
    /// The sensor's raw reading: tenths of a degree Celsius.
    pub raw: u64,
}
// SAFETY: `repr(C)`, two `u64`s, no padding: every bit pattern is a valid `Sample`.
unsafe impl Zeroable for Sample {}
// SAFETY: as above.
unsafe impl Pod for Sample {}
selkie::cross_queue::element!(Sample: U16);

/// A calibrated reading, from the filter to the logger over the channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Reading {
    /// The sample's sequence number.
    pub seq: u64,
    /// Tenths of a degree Fahrenheit.
    pub value: u64,
}
// SAFETY: `repr(C)`, two `u64`s, no padding.
unsafe impl Zeroable for Reading {}
// SAFETY: as above.
unsafe impl Pod for Reading {}

/// The logger's answer to a reading: how many readings it has logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Logged {
    /// Readings logged so far.
    pub count: u64,
}
// SAFETY: `repr(C)`, one `u64`.
unsafe impl Zeroable for Logged {}
// SAFETY: as above.
unsafe impl Pod for Logged {}

selkie::message!(Reading: U16 = 1, Logged: U8 = 2);

/// The sensor the driver reads on each tick: a deterministic wave between 18.0 and 26.9 degrees Celsius, so
/// the root task can check every value that arrives.
pub fn sensor(seq: u64) -> u64 {
    180 + (seq * 37) % 90
}

/// The filter's calibration: tenths of a degree Celsius to tenths of a degree Fahrenheit (plus 320).
pub fn calibrate(raw: u64) -> u64 {
    raw * 9 / 5 + 320
}

/// The logger's running checksum over the values in the order they arrived (order matters).
pub fn checksum(sum: u64, value: u64) -> u64 {
    sum.wrapping_mul(31).wrapping_add(value)
}
