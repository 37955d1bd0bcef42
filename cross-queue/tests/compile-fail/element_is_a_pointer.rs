//! A raw pointer means nothing in another address space: not a queue element.
use cross_queue::typenum::U4;
use cross_queue::{Producer, RegionError};

fn open(base: *mut u8) -> Result<Producer<'static, *const u8, U4>, RegionError> {
    // SAFETY: (never compiles)
    unsafe { Producer::from_raw_parts(base, 4096) }
}

fn main() {}
