//! A capability made in a temporary scope cannot be moved into a slot outside it: the scope revokes it when
//! it ends, and the outside slot's token would live on.
use selkie::bootstrap::BootInfo;
use selkie::typenum::U4;
use selkie::{CNodeSlot, Cap, Endpoint, Error};

fn demo(boot: &mut BootInfo, outside: CNodeSlot) -> Result<(), Error> {
    boot.lend(|res| {
        let ep: Cap<Endpoint, _> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
        let (_moved, _vacated) = ep.move_to(&res.cspace, outside)?;
        Ok::<(), Error>(())
    })
}

fn main() {}
