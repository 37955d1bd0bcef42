//! The consumer end of a queue pops; it cannot produce.
use selkie::typenum::U64;
use selkie::QueueConsumer;

fn demo(consumer: &mut QueueConsumer<u64, U64>) {
    consumer.push(7);
}

fn main() {}
