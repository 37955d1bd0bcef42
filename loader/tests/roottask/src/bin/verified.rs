//! On the verified kernel (no debug system calls, no kernel printing): writes what it found in its bootinfo
//! through QEMU's semihosting console, and ends the run through semihosting with success.
#![no_std]
#![no_main]

use core::fmt::Write;

use selkie_aarch32_smoke::{host_exit, host_write, tpidrurw, BootInfo, Line, SUCCESS};

#[used]
#[link_section = ".selkie.kconfig"]
static KCONFIG: [u8; 33] = *b"arch = \"aarch32\"\nverified = true\n";

#[no_mangle]
extern "C" fn root_main(bootinfo: usize) -> ! {
    // SAFETY: the kernel passed the bootinfo's address in r0.
    let bi = unsafe { BootInfo::read(bootinfo) };
    let mut l = Line::default();
    let _ = writeln!(
        l,
        "verified kernel handed over: untyped [{}, {}) empty [{}, {}) image frames [{}, {}) ipc buffer {:#x} tpidrurw {:#x}",
        bi.untyped.start,
        bi.untyped.end,
        bi.empty.start,
        bi.empty.end,
        bi.user_image_frames.start,
        bi.user_image_frames.end,
        bi.ipc_buffer,
        tpidrurw()
    );
    host_write(l.with_nul());
    host_exit(SUCCESS)
}
