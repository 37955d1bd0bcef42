//! This kernel delivers faults only through an endpoint capability with write and grant rights; a send-only
//! one would leave every fault unhandled.
use selkie::rights::WriteOnly;
use selkie::{Cap, Endpoint, ThreadEnv};

fn demo<'a>(env: ThreadEnv<'a>, ep: &'a Cap<Endpoint<WriteOnly>>) -> ThreadEnv<'a> {
    env.with_fault_endpoint(ep)
}

fn main() {}
