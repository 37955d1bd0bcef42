//! A range can only be narrowed: COM1's capability cannot become one for COM1 and COM2's ports.
use selkie::typenum::{U1016, U1023, U760};
use selkie::{Cap, IoPorts};

fn demo(com1: Cap<IoPorts<U1016, U1023>>) -> Cap<IoPorts<U760, U1023>> {
    com1.narrow()
}

fn main() {}
