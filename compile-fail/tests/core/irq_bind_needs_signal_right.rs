//! The kernel delivers an interrupt by signalling: the notification given to a handler needs the write right.
use selkie::rights::ReadOnly;
use selkie::typenum::U20;
use selkie::{Cap, IrqHandler, Notification};

fn demo(handler: Cap<IrqHandler<U20>>, wait_end: &Cap<Notification<ReadOnly>>) {
    let _ = handler.set_notification(wait_end);
}

fn main() {}
