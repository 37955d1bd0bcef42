//! A thread argument must be plain data that can be sent to another thread: a raw pointer cannot.
use selkie::typenum::U100;
use selkie::{Cap, Error, Notification, Priority, Tcb, Thread, ThreadEnv, ThreadStack};

fn use_pointer(_: *const u8) {}

fn demo(
    env: &ThreadEnv<'_>,
    tcb: Cap<Tcb>,
    stack: &'static mut ThreadStack<8192>,
    join: Cap<Notification>,
    p: *const u8,
) -> Result<(), Error> {
    let _t = Thread::spawn(env, tcb, stack, use_pointer, p, Priority::of::<U100>(), join)?;
    Ok(())
}

fn main() {}
