//! The consumer end of a queue pops; it cannot produce.
use selkie::rights::AllRights;
use selkie::typenum::U64;
use selkie::{Local, QueueConsumer};

fn demo(consumer: &mut QueueConsumer<'_, u64, U64, AllRights, Local>) {
    consumer.push(7);
}

fn main() {}
