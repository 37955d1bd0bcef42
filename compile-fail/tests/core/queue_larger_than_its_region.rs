//! A queue must fit its region: 1024 eight-byte elements (8 KiB + 128) in one 4 KiB page do not compile.
use selkie::rights::AllRights;
use selkie::typenum::{U1, U1024};
use selkie::{Cap, Error, Local, Mapped, Notification, Own, QueueProducer, Region, Shared};

fn demo<'a>(
    region: &'a Region<U1, Mapped<Own>, Shared>,
    wake: &'a Cap<Notification>,
) -> Result<QueueProducer<'a, u64, U1024, AllRights, Local>, Error> {
    // SAFETY: the only producer of this region.
    unsafe { QueueProducer::new(region, wake) }
}

fn main() {}
