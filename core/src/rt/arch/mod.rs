//! The per-architecture entry point. Only the architecture's own file knows its registers.

#[cfg(all(target_os = "none", target_arch = "x86_64"))]
mod x86_64;
#[cfg(all(target_os = "none", target_arch = "x86_64"))]
pub(crate) use x86_64::stop_thread;

/// Off the bare-metal target (host builds: documentation and unit tests) no child thread runs: spin.
#[cfg(not(all(target_os = "none", target_arch = "x86_64")))]
#[allow(dead_code)]
pub(crate) fn stop_thread() -> ! {
    loop {
        core::hint::spin_loop();
    }
}
