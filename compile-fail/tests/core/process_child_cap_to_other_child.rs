//! A capability placed in child A's CSpace belongs to A: child B cannot be given it (here: B deleting it from
//! its CSpace as if it were B's).
use selkie::process::{ChildCap, RunningProcess};
use selkie::typenum::{U18, U64};
use selkie::{Forever, Local, Notification};

selkie::child_brand!(A, B);

fn demo(b: RunningProcess<B, U18, U64, Local>, in_a: ChildCap<'_, Notification, A, Forever>) {
    let _ = b.delete_in(in_a);
}

fn main() {}
