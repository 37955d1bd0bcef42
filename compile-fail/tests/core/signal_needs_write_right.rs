//! Signalling needs the write right; this notification capability is read-only.
use selkie::rights::ReadOnly;
use selkie::{Cap, Notification};

fn demo(n: &Cap<Notification<ReadOnly>>) {
    n.signal();
}

fn main() {}
