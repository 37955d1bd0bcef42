//! Binding a notification to a thread needs the read right: the thread waits on it.
use selkie::rights::WriteOnly;
use selkie::{Cap, Error, Notification, Tcb};

fn demo(tcb: Cap<Tcb>, signal_only: Cap<Notification<WriteOnly>>) -> Result<(), Error> {
    tcb.bind_notification(&signal_only)
}

fn main() {}
