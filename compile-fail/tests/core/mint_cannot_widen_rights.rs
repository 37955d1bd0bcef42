//! Minting a send-only notification into one that may also wait does not compile.
use selkie::rights::{AllRights, WriteOnly};
use selkie::{Badge, CNodeSlot, Cap, Error, LocalCNode, Notification};

fn demo(n: &Cap<Notification<WriteOnly>>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), Error> {
    let _wider: Cap<Notification<AllRights>> = n.mint(cspace, slot, Badge::new(1)?)?;
    Ok(())
}

fn main() {}
