//! A TCB capability in a child's CSpace cannot be invoked by the parent.
use selkie::{Cap, Child, Error, Tcb};

fn demo(tcb: Cap<Tcb, Child>) -> Result<(), Error> {
    tcb.resume()
}

fn main() {}
