//! A struct with padding is not plain old data (its padding bytes are uninitialised): not a queue element.
use cross_queue::typenum::{U4, U16};
use cross_queue::{bytemuck, Element, QueueMemory};

#[derive(Clone, Copy)]
#[repr(C)]
struct Padded {
    small: u8,
    large: u64,
}
unsafe impl bytemuck::Zeroable for Padded {}
impl Element for Padded {
    type Size = U16;
}

fn main() {
    let _memory = QueueMemory::<Padded, U4>::new();
}
