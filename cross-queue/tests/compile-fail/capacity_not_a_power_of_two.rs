//! Capacities are powers of two (an index becomes a slot by masking).
use cross_queue::typenum::U6;
use cross_queue::QueueMemory;

fn main() {
    let _memory = QueueMemory::<u32, U6>::new();
}
