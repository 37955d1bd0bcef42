//! A capability lent to a temporary scope cannot be copied into a slot outside it: the copy would outlive
//! the scope's clean-up.
use selkie::bootstrap::BootInfo;
use selkie::typenum::U4;
use selkie::{CNodeSlot, Cap, Endpoint, Error};

fn demo(boot: &mut BootInfo, outside: CNodeSlot) -> Result<(), Error> {
    boot.lend(|res| {
        let ep: Cap<Endpoint, _> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
        let _copy: Cap<Endpoint> = ep.copy(&res.cspace, outside)?;
        Ok::<(), Error>(())
    })
}

fn main() {}
