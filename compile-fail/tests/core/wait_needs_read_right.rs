//! Waiting needs the read right; this notification capability may only signal.
use selkie::rights::WriteOnly;
use selkie::{Cap, Notification};

fn demo(n: &Cap<Notification<WriteOnly>>) -> selkie::Signals {
    n.wait()
}

fn main() {}
