//! Starting consumes the unstarted process: a process starts once.
use selkie::process::Process;
use selkie::typenum::{U18, U64};
use selkie::Local;

selkie::child_brand!(Worker);

fn demo(p: Process<Worker, U18, U64, Local>) {
    let _first = p.start();
    let _second = p.start();
}

fn main() {}
