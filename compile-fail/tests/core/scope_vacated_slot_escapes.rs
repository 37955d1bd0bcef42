//! Deleting a capability made in a temporary scope hands back its slot with the scope's brand: the slot is
//! one the scope lent, so it cannot be kept outside.
use selkie::bootstrap::BootInfo;
use selkie::typenum::U4;
use selkie::{CNodeSlot, Cap, Endpoint, Error};

fn demo(boot: &mut BootInfo) -> Result<(), Error> {
    let mut kept: Option<CNodeSlot> = None;
    boot.lend(|res| {
        let ep: Cap<Endpoint, _> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
        kept = Some(ep.delete(&res.cspace)?);
        Ok::<(), Error>(())
    })?;
    let _slot = kept;
    Ok(())
}

fn main() {}
