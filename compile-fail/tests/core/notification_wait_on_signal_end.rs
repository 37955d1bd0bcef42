//! A minted signal end (write only) cannot wait: only the wait end learns which badges signalled.
use selkie::rights::WriteOnly;
use selkie::{Badge, CNodeSlot, Cap, LocalCNode, Notification};

fn demo(n: &Cap<Notification>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), selkie::Error> {
    let signal_end: Cap<Notification<WriteOnly>> = n.mint(cspace, slot, Badge::new(0b01)?)?;
    let _ = signal_end.wait();
    Ok(())
}

fn main() {}
