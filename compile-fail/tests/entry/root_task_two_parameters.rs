//! A root task's `main` takes the bootstrap token and nothing else.
#![no_main]
use selkie::bootstrap::BootInfo;

#[selkie::root_task]
fn main(boot: BootInfo, extra: u32) {
    let _ = (boot, extra);
}
