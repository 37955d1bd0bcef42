//! A process given the consumer end of a queue can only consume: pushing through it in the child does not
//! compile.
use selkie::typenum::U64;
use selkie::{Forever, QueueConsumer, Scope};

#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Sink<S: Scope = Forever> {
    input: QueueConsumer<u64, U64, S>,
}

fn sink(p: Sink) {
    let mut input = p.input;
    input.push(1);
}

fn main() {
    let _ = sink;
}
