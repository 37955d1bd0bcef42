//! The fit check in a where-clause, as a typed layer states it: 256 elements of 16 bytes are 128 + 4096 bytes.
use cross_queue::typenum::{U256, U4096};
use cross_queue::{FitsIn, QueueMemory};

fn one_page<Q: FitsIn<U4096>>() {}

fn main() {
    one_page::<QueueMemory<[u8; 16], U256>>();
}
