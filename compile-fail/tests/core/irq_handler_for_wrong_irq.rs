//! A handler typed for IRQ 21 is not a handler for IRQ 20.
use selkie::typenum::{U20, U21};
use selkie::{Bound, Cap, IrqHandler};

fn service_pit(handler: &Cap<IrqHandler<U20, Bound>>) -> Result<(), selkie::Error> {
    handler.ack()
}

fn demo(other: &Cap<IrqHandler<U21, Bound>>) -> Result<(), selkie::Error> {
    service_pit(other)
}

fn main() {}
