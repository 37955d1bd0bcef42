//! A capability is a linear token: duplicating it takes a kernel copy into a free slot.
use selkie::{Cap, Endpoint};

fn demo(ep: Cap<Endpoint>) {
    let _twin = ep.clone();
}

fn main() {}
