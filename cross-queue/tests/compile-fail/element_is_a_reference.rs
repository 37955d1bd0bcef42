//! A reference means nothing in another address space: not a queue element.
use cross_queue::typenum::U4;
use cross_queue::QueueMemory;

fn main() {
    let mut memory = QueueMemory::<&'static u8, U4>::new();
    let _ends = memory.split();
}
