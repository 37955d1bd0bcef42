//! A priority above the kernel's highest does not compile (this configuration has 256: 0 to 255).
use selkie::typenum::U256;
use selkie::Priority;

fn main() {
    let _p = Priority::of::<U256>();
}
