//! Clearing unbinds a bound handler; an unbound handler has nothing to clear.
use selkie::typenum::U20;
use selkie::{Cap, IrqHandler, Unbound};

fn demo(handler: Cap<IrqHandler<U20, Unbound>>) {
    let _ = handler.clear();
}

fn main() {}
