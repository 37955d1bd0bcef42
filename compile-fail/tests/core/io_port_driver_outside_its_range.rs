//! A driver process given COM1's ports (0x3f8..=0x3ff) cannot name the PIT's command port (0x43) through them.
use selkie::typenum::{U1016, U1023, U67};
use selkie::{Cap, Forever, IoPorts, Local, Scope};

#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Driver<S: Scope = Forever> {
    com1: Cap<IoPorts<U1016, U1023>, Local<S>>,
}

fn driver(p: Driver) {
    let _ = p.com1.port::<U67>().out8(0x30);
}

fn main() {
    let _ = driver;
}
