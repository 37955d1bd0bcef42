//! A thread argument cannot borrow the parent's locals: the thread may outlive them.
use selkie::typenum::U100;
use selkie::{Cap, Error, Notification, Priority, Tcb, Thread, ThreadEnv, ThreadStack};

fn read(_: &u64) {}

fn demo(
    env: &ThreadEnv<'_>,
    tcb: Cap<Tcb>,
    stack: &'static mut ThreadStack<8192>,
    join: Cap<Notification>,
) -> Result<(), Error> {
    let local = 5u64;
    let _t = Thread::spawn(env, tcb, stack, read, &local, Priority::of::<U100>(), join)?;
    Ok(())
}

fn main() {}
