//! The root task's resources lent by `BootInfo::lend` cannot be moved out of its closure: here the whole
//! slot pool, swapped for an empty one, into a variable outside.
use selkie::bootstrap::BootInfo;
use selkie::typenum::U0;
use selkie::Error;

fn demo(boot: &mut BootInfo) -> Result<(), Error> {
    let mut kept = None;
    boot.lend(|res| {
        let empty = res.slots.alloc::<U0>()?.into_runtime();
        kept = Some(core::mem::replace(&mut res.slots, empty));
        Ok::<(), Error>(())
    })?;
    let _pool = kept;
    Ok(())
}

fn main() {}
