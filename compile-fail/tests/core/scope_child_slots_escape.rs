//! A CNode made from lent memory, and the child slots it has, cannot leave the temporary scope: the CNode is
//! revoked when the scope ends, so its slots would name nothing.
use selkie::bootstrap::BootInfo;
use selkie::typenum::{U12, U6};
use selkie::Error;

fn demo(boot: &mut BootInfo) -> Result<(), Error> {
    let mut child_slots = None;
    boot.lend(|res| {
        let mem = res.untyped.alloc::<U12>()?;
        let (_cnode, slots) = mem.retype_cnode::<U6>(res.slots.alloc()?)?;
        child_slots = Some(slots);
        Ok::<(), Error>(())
    })?;
    let _slots = child_slots;
    Ok(())
}

fn main() {}
