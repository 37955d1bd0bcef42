//! A root task reports success or failure: `main` returns `()` or `Result<(), E: Display>`.
#![no_main]
use selkie::bootstrap::BootInfo;

#[selkie::root_task]
fn main(boot: BootInfo) -> u32 {
    let _ = boot;
    0
}
