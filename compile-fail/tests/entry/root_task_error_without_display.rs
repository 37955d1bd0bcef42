//! A root task's error must be printable for people: an error type with only `Debug` is refused, with the
//! entry's own message.
#![no_main]
use selkie::bootstrap::BootInfo;

#[derive(Debug)]
struct OnlyDebug;

#[selkie::root_task]
fn main(boot: BootInfo) -> Result<(), OnlyDebug> {
    let _ = boot;
    Err(OnlyDebug)
}
