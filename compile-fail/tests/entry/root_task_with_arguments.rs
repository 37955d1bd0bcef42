//! `#[selkie::root_task]` takes no arguments.
#![no_main]

#[selkie::root_task(stack = 4096)]
fn main() {}
