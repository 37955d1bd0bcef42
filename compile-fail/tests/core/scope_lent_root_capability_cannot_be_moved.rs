//! The root task's memory and capabilities lent by `BootInfo::lend` stay in their slots, so the next `lend`
//! finds them: moving an untyped from the allocator into another slot does not compile.
use selkie::bootstrap::BootInfo;
use selkie::typenum::U12;
use selkie::Error;

fn demo(boot: &mut BootInfo) -> Result<(), Error> {
    boot.lend(|res| {
        let mem = res.untyped.alloc::<U12>()?;
        let (_moved, _vacated) = mem.move_to(&res.cspace, res.slots.alloc()?)?;
        Ok::<(), Error>(())
    })
}

fn main() {}
