//! The root task's resources are handed over once: `take` consumes the bootstrap token, so a second `take`
//! (or a `lend` after it) does not compile.
use selkie::bootstrap::BootInfo;

fn main_task(boot: BootInfo) -> Result<(), selkie::Error> {
    let _res = boot.take()?;
    let _again = boot.take()?;
    Ok(())
}

fn main() {}
