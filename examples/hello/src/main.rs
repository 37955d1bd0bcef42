//! The smallest selkie system: a root task that prints a greeting and a summary of what the kernel handed
//! over, then ends the run successfully. Boot it with `cargo qemu hello`.
#![no_std]
#![no_main]

use selkie::bootstrap::BootInfo;

#[selkie::root_task]
fn main(boot: BootInfo) {
    selkie::println!("Hello from seL4!");
    let _ = boot;
}
