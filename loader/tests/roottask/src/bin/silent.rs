//! On the verified kernel: never prints and never ends the run, as a root task that hangs before its console
//! comes up would. The runner must report a boot hang within its boot timeout, saying that the loader entered
//! the kernel.
#![no_std]
#![no_main]

// Linked in for its entry point (`_start` calls `root_main`) and panic handler.
use selkie_aarch32_smoke as _;

#[used]
#[link_section = ".selkie.kconfig"]
static KCONFIG: [u8; 33] = *b"arch = \"aarch32\"\nverified = true\n";

#[no_mangle]
extern "C" fn root_main(_bootinfo: usize) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
