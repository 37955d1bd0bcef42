//! Deleting a capability consumes its token.
use selkie::{Cap, Error, LocalCNode, Notification};

fn demo(n: Cap<Notification>, cspace: &Cap<LocalCNode>) -> Result<(), Error> {
    let _slot = n.delete(cspace)?;
    n.signal();
    Ok(())
}

fn main() {}
