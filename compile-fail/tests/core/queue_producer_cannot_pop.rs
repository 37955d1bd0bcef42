//! The producer end of a queue pushes; it cannot consume.
use selkie::rights::AllRights;
use selkie::typenum::U64;
use selkie::{Local, QueueProducer};

fn demo(producer: &mut QueueProducer<'_, u64, U64, AllRights, Local>) -> u64 {
    producer.pop()
}

fn main() {}
