//! COM1's capability covers 0x3f8..=0x3ff; port 0x400 (U1024) is outside it.
use selkie::typenum::{U1016, U1023, U1024};
use selkie::{Cap, IoPorts};

fn demo(com1: &Cap<IoPorts<U1016, U1023>>) -> Result<u8, selkie::Error> {
    com1.port::<U1024>().in8()
}

fn main() {}
