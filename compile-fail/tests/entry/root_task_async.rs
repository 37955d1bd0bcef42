//! A root task's `main` runs on the kernel's first thread: there is no executor for an `async fn`.
#![no_main]
use selkie::bootstrap::BootInfo;

#[selkie::root_task]
async fn main(boot: BootInfo) {
    let _ = boot;
}
