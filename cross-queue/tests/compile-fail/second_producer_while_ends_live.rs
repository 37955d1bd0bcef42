//! One producer and one consumer at a time: the memory stays borrowed while its ends live.
use cross_queue::typenum::U4;
use cross_queue::QueueMemory;

fn main() {
    let mut memory = QueueMemory::<u32, U4>::new();
    let (mut producer, _consumer) = memory.split();
    let (mut second, _) = memory.split();
    producer.push(1).unwrap();
    second.push(2).unwrap();
}
