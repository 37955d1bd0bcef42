//! A capability's address cannot be changed to point elsewhere.
use selkie::{Cap, Endpoint};

fn demo(mut ep: Cap<Endpoint>) {
    ep.cptr = 42;
}

fn main() {}
