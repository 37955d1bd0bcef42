//! A thread starts once: `start` consumes the `Thread`.
use selkie::{Error, Thread};

fn demo(t: Thread) -> Result<(), Error> {
    let _running = t.start()?;
    let _again = t.start()?;
    Ok(())
}

fn main() {}
