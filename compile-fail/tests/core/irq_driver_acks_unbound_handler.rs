//! A driver process given an IRQ handler that was never bound to a notification cannot acknowledge it:
//! the root task binds the handler before handing it over.
use selkie::typenum::U20;
use selkie::{Cap, Forever, IrqHandler, Local, Scope, Unbound};

#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Driver<S: Scope = Forever> {
    irq: Cap<IrqHandler<U20, Unbound>, Local<S>>,
}

fn driver(p: Driver) {
    let _ = p.irq.ack();
}

fn main() {
    let _ = driver;
}
