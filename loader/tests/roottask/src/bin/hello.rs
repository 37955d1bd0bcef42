//! On the debug kernel: prints through the kernel's console what it found in its bootinfo, and ends the run
//! through semihosting with success.
#![no_std]
#![no_main]

use core::fmt::Write;

use selkie_aarch32_smoke::{debug_put_char, host_exit, tpidrurw, BootInfo, Line, SUCCESS};

#[used]
#[link_section = ".selkie.kconfig"]
static KCONFIG: [u8; 17] = *b"arch = \"aarch32\"\n";

fn say(line: &Line) {
    for &c in line.text() {
        debug_put_char(c);
    }
    debug_put_char(b'\n');
}

#[no_mangle]
extern "C" fn root_main(bootinfo: usize) -> ! {
    // SAFETY: the kernel passed the bootinfo's address in r0.
    let bi = unsafe { BootInfo::read(bootinfo) };
    let mut l = Line::default();
    let _ = write!(l, "Hello from seL4 on aarch32!");
    say(&l);
    let mut l = Line::default();
    let _ = write!(
        l,
        "bootinfo: untyped [{}, {}) empty [{}, {}) image frames [{}, {}) ipc buffer {:#x} tpidrurw {:#x}",
        bi.untyped.start,
        bi.untyped.end,
        bi.empty.start,
        bi.empty.end,
        bi.user_image_frames.start,
        bi.user_image_frames.end,
        bi.ipc_buffer,
        tpidrurw()
    );
    say(&l);
    host_exit(SUCCESS)
}
