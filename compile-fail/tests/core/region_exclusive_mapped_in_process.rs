//! A region the root task maps as exclusive (so it may hold a `&mut` to its memory) cannot also be mapped in a
//! process: sharing it first (`Region::share`) is what gives up the `&mut`.
use selkie::process::Process;
use selkie::rights::ReadWrite;
use selkie::typenum::{U1, U18, U64};
use selkie::{Exclusive, Local, Mapped, Own, Page4K, Region};

selkie::child_brand!(Worker);

fn demo(
    process: &mut Process<Worker, U18, U64, Local>,
    mut region: Region<U1, Mapped<Own>, Exclusive, ReadWrite, Page4K>,
) -> Result<(), selkie::Error> {
    process.map_region(&region)?;
    region.as_mut_slice()[0] = 1;
    Ok(())
}

fn main() {}
