//! The boot token is linear: it cannot be duplicated to bootstrap twice.
use selkie::bootstrap::BootInfo;

fn demo(boot: BootInfo) {
    let _second = boot.clone();
}

fn main() {}
