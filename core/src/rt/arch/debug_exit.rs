//! x86_64: ending a run through QEMU's `isa-debug-exit` device, and stopping a thread with `ud2`.

/// The value written to the `isa-debug-exit` port for success; QEMU exits with `(0x10 << 1) | 1 = 33`.
pub const EXIT_SUCCESS: u8 = 0x10;
/// The value written for failure; QEMU exits with `(0x01 << 1) | 1 = 3`.
pub const EXIT_FAILURE: u8 = 0x01;
/// The I/O port of QEMU's `isa-debug-exit` device.
pub const DEBUG_EXIT_PORT: u16 = 0xf4;

/// Asks QEMU to exit with the run's status, through the root task's initial I/O port capability. Returns when
/// the device is missing (real hardware).
pub(crate) fn end_run(success: bool) {
    let code = if success { EXIT_SUCCESS } else { EXIT_FAILURE };
    // SAFETY: an I/O port write to QEMU's debug-exit device through the root task's I/O port capability;
    // it touches no memory of this address space.
    let _ = unsafe { selkie_sys::x86_io_port_out8(selkie_sys::CAP_IO_PORT, DEBUG_EXIT_PORT.into(), code.into()) };
}

/// Stops the calling thread with an invalid-opcode exception.
#[cfg_attr(not(feature = "program"), allow(dead_code))]
pub(crate) fn stop() -> ! {
    loop {
        // SAFETY: `ud2` raises an invalid-opcode exception and touches no memory; the kernel does not resume
        // the thread past it unless its supervisor says so, in which case it stops again.
        unsafe { core::arch::asm!("ud2", options(nomem, nostack)) };
    }
}
