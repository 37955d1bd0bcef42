//! A root task whose `main` panics: the runner must print the panic message and location and exit non-zero.
#![no_std]
#![no_main]

#[selkie::root_task]
fn main() {
    selkie::println!("about to panic");
    panic!("deliberate root-task panic");
}
