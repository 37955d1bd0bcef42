//! aarch32: QEMU's semihosting calls (reachable from user mode when QEMU runs with
//! `-semihosting-config enable=on,userspace=on`, as selkie's runner starts it): the run's exit status and a
//! console for kernels without debug facilities; and stopping a thread with an undefined instruction.
//!
//! A semihosting call is `svc 0x123456` in ARM state with the operation in `r0` and its argument in `r1`; QEMU
//! handles it before the kernel sees an exception.

/// The exit status QEMU reports for a successful run (the same as x86_64's `isa-debug-exit` gives).
pub const EXIT_SUCCESS_STATUS: u32 = 33;
/// The exit status QEMU reports for a failed run.
pub const EXIT_FAILURE_STATUS: u32 = 3;

/// `SYS_WRITEC`: writes the byte `r1` points to.
const SYS_WRITEC: u32 = 0x03;
/// `SYS_EXIT_EXTENDED`: ends the program with the reason and status in the block `r1` points to.
const SYS_EXIT_EXTENDED: u32 = 0x20;
/// `ADP_Stopped_ApplicationExit`: the reason of a normal program end.
const APPLICATION_EXIT: u32 = 0x2_0026;

/// One semihosting call: operation `op`, argument `arg` (an address); returns `r0`.
fn call(op: u32, arg: usize) -> u32 {
    let r: u32;
    // SAFETY: QEMU intercepts `svc 0x123456` as a semihosting call; the operations used here only read the
    // memory `arg` names, which the caller keeps alive across the call.
    unsafe {
        core::arch::asm!("svc #0x123456", inlateout("r0") op => r, in("r1") arg, options(nostack, readonly));
    }
    r
}

/// Asks QEMU to exit with status 33 (success) or 3 (failure). Returns only without semihosting.
pub(crate) fn end_run(success: bool) {
    let status = if success {
        EXIT_SUCCESS_STATUS
    } else {
        EXIT_FAILURE_STATUS
    };
    let block = [APPLICATION_EXIT, status];
    call(SYS_EXIT_EXTENDED, block.as_ptr() as usize);
}

/// Writes one byte to QEMU's semihosting console.
#[cfg_attr(selkie_debug_build, allow(dead_code))]
pub(crate) fn semihosting_put(b: u8) {
    call(SYS_WRITEC, &b as *const u8 as usize);
}

/// Stops the calling thread with an undefined-instruction exception.
#[cfg_attr(not(feature = "program"), allow(dead_code))]
pub(crate) fn stop() -> ! {
    loop {
        // SAFETY: `udf` raises an undefined-instruction exception and touches no memory; the kernel does not
        // resume the thread past it unless its supervisor says so, in which case it stops again.
        unsafe { core::arch::asm!("udf #0", options(nomem, nostack)) };
    }
}
