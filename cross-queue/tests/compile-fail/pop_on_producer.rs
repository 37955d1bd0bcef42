//! The producing end can only push.
use cross_queue::typenum::U4;
use cross_queue::QueueMemory;

fn main() {
    let mut memory = QueueMemory::<u32, U4>::new();
    let (mut producer, _consumer) = memory.split();
    let _ = producer.pop();
}
