//! On the debug kernel: says so, then ends the run through semihosting with the failure status.
#![no_std]
#![no_main]

use selkie_aarch32_smoke::{debug_put_char, host_exit, FAILURE};

#[used]
#[link_section = ".selkie.kconfig"]
static KCONFIG: [u8; 17] = *b"arch = \"aarch32\"\n";

#[no_mangle]
extern "C" fn root_main(_bootinfo: usize) -> ! {
    for &c in b"failing on purpose\n" {
        debug_put_char(c);
    }
    host_exit(FAILURE)
}
