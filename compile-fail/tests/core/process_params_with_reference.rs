//! A reference names the caller's memory, which the child cannot see: it cannot be a parameter field.
use selkie::{Cap, Notification};

#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Params {
    done: Cap<Notification>,
    name: &'static str,
}

fn main() {}
