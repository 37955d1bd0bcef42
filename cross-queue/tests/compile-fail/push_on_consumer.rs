//! The consuming end can only pop.
use cross_queue::typenum::U4;
use cross_queue::QueueMemory;

fn main() {
    let mut memory = QueueMemory::<u32, U4>::new();
    let (_producer, mut consumer) = memory.split();
    consumer.push(1).unwrap();
}
