//! Only the typed layer creates capability tokens.
use selkie::{Cap, Tcb};

fn demo() {
    let _forged: Cap<Tcb> = Cap::new(1, todo!());
}

fn main() {}
