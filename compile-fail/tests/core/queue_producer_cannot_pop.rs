//! The producer end of a queue pushes; it cannot consume.
use selkie::typenum::U64;
use selkie::QueueProducer;

fn demo(producer: &mut QueueProducer<u64, U64>) -> u64 {
    producer.pop()
}

fn main() {}
