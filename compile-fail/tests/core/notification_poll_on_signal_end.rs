//! Polling reads the notification's word: a write-only signal end cannot.
use selkie::rights::WriteOnly;
use selkie::{Cap, Notification};

fn demo(signal_end: &Cap<Notification<WriteOnly>>) -> bool {
    signal_end.poll().is_empty()
}

fn main() {}
