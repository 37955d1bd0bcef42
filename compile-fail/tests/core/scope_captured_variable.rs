//! A capability made in a temporary scope cannot leave it through a variable the closure captured: the
//! scope's lifetime exists only inside the closure.
use selkie::bootstrap::BootInfo;
use selkie::typenum::U4;
use selkie::{Cap, Endpoint, Error};

fn demo(boot: &mut BootInfo) -> Result<(), Error> {
    let mut outside = None;
    boot.lend(|res| {
        let ep: Cap<Endpoint, _> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
        outside = Some(ep);
        Ok::<(), Error>(())
    })?;
    let _still_here = outside;
    Ok(())
}

fn main() {}
