//! A capability copied into a running child's CSpace is a token borrowing the process: tearing the process
//! down (which empties that CSpace) while the token is still used does not compile.
use selkie::process::RunningProcess;
use selkie::typenum::{U18, U64};
use selkie::{Cap, Local, Notification};

selkie::child_brand!(Worker);

fn demo(p: RunningProcess<Worker, U18, U64, Local>, n: &Cap<Notification, Local>) -> Result<(), selkie::Error> {
    let in_child = p.copy_in(n)?;
    let _back = p.teardown();
    let _slot = in_child.cptr();
    Ok(())
}

fn main() {}
