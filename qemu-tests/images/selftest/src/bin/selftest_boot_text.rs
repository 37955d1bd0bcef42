//! Tests that print the kernel's boot-failure and fault-report text after the kernel handed over to user
//! space, then go silent for longer than the runner waits after a real fault report. None of it is the
//! kernel's: every test passes, and so does the image.
#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn prints_boot_failure_text() {
    selkie::println!("Kernel init failed for some reason");
    selkie::println!("boot_sys failed for some reason");
    selkie::println!("Boot loader did not provide information");
}

/// Stays silent for a few seconds.
#[cfg(target_arch = "x86_64")]
fn stay_silent() {
    /// Cycles of the time-stamp counter the test stays silent for: about 4 s at 3 GHz; QEMU without
    /// `-icount` runs the guest's counter at the host's rate.
    const SILENT_CYCLES: u64 = 12_000_000_000;
    fn tsc() -> u64 {
        // SAFETY: `rdtsc` reads the time-stamp counter; it touches no memory.
        unsafe { core::arch::x86_64::_rdtsc() }
    }
    let start = tsc();
    while tsc().wrapping_sub(start) < SILENT_CYCLES {
        core::hint::spin_loop();
    }
}

/// Stays silent for a few seconds: the Cortex-A9 has no counter user code may read, so this counts loop
/// turns (a few seconds under QEMU's TCG).
#[cfg(target_arch = "arm")]
fn stay_silent() {
    for i in 0..400_000_000u32 {
        core::hint::black_box(i);
    }
}

#[selkie::test]
fn prints_a_fault_report_then_stays_silent() {
    selkie::println!("Caught cap fault in send phase at address 0x0");
    selkie::println!("while trying to handle:");
    selkie::println!("vm fault on data at address 0x0 with status 0x4");
    selkie::println!("in thread 0xffffff801fe0c400 \"rootserver\" at address 0x401000");
    selkie::println!("With stack:");
    stay_silent();
}

#[selkie::test]
fn passes() {}
