//! Teardown consumes the process: nothing can use a torn-down process's capabilities (its thread, its CSpace)
//! afterwards.
use selkie::process::RunningProcess;
use selkie::typenum::{U18, U64};
use selkie::Local;

selkie::child_brand!(Worker);

fn demo(p: RunningProcess<Worker, U18, U64, Local>) {
    let _back = p.teardown();
    let _ = p.resume();
}

fn main() {}
