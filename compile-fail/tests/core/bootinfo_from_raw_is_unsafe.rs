//! Only the runtime may create the boot token, once; user code cannot call `from_raw` without `unsafe`.
use selkie::bootstrap::BootInfo;

fn demo() {
    let _boot = BootInfo::from_raw(selkie::rt::bootinfo_ptr());
}

fn main() {}
