//! A capability placed in child A's CSpace belongs to A: child B cannot be given it (here: B deleting it from
//! its CSpace as if it were B's).
use selkie::process::RunningProcess;
use selkie::typenum::{U18, U64};
use selkie::{Cap, ChildOf, Local, Notification};

selkie::child_brand!(A, B);

fn demo(mut b: RunningProcess<B, U18, U64, Local>, in_a: Cap<Notification, ChildOf<A>>) {
    let _ = b.delete_in(in_a);
}

fn main() {}
