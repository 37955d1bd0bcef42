//! 1024 elements of 8 bytes need 128 + 8192 bytes: more than one 4 KiB page.
use cross_queue::typenum::{U1024, U4096};
use cross_queue::{Producer, RegionError};

fn open(page: *mut u8) -> Result<Producer<'static, u64, U1024>, RegionError> {
    // SAFETY: (never compiles)
    unsafe { Producer::from_region::<U4096>(page) }
}

fn main() {}
