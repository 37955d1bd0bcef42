//! The RTC's capability covers 0x70..=0x71 (U112..=U113); port 0x60 (U96) is below it.
use selkie::typenum::{U112, U113, U96};
use selkie::{Cap, IoPorts};

fn demo(rtc: &Cap<IoPorts<U112, U113>>) -> Result<(), selkie::Error> {
    rtc.port::<U96>().out8(0)
}

fn main() {}
