//! A process's parameters are read by the child at a known address with the same layout: the struct must be
//! `#[repr(C)]`.
#[derive(selkie::ProcessParams)]
struct Params {
    count: u64,
    flag: bool,
}

fn main() {}
