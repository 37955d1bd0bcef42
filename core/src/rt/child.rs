//! A child process's side of its supervisor: how it reports that it ended, by returning or by panicking.
//!
//! A child ends with a message on its fault endpoint (the capability the kernel also sends its faults
//! through, at [`FAULT_ENDPOINT_SLOT`] of its CSpace): label [`PROCESS_EXIT_LABEL`] with the exit code, or
//! [`PROCESS_PANIC_LABEL`] with the line of the panic, one message register each. Its supervisor receives
//! it as [`Fault::Exited`](crate::Fault::Exited) or [`Fault::Panicked`](crate::Fault::Panicked) with the
//! child's badge; the child stays blocked until it is killed, restarted or torn down.
//!
//! A child running a function of the root task's image shares the root task's panic handler. It runs on its
//! own copy of the image's data and bss, so its entry marks that copy ([`mark_child`]) and the panic handler
//! asks [`runs_as_child`] before doing what a root task does (report a test failure, end the run).

use core::sync::atomic::{AtomicBool, Ordering};

use selkie_sys as sys;

use crate::process::{FAULT_ENDPOINT_SLOT, PROCESS_EXIT_LABEL, PROCESS_PANIC_LABEL};

/// Set in a child's own copy of the image's bss by its entry; never in the root task's.
static RUNS_AS_CHILD: AtomicBool = AtomicBool::new(false);

/// Records that this copy of the image runs as a child process (called first thing by a child's entry).
pub(crate) fn mark_child() {
    RUNS_AS_CHILD.store(true, Ordering::Relaxed);
}

/// Whether this copy of the image runs as a child process (see the module docs).
pub fn runs_as_child() -> bool {
    RUNS_AS_CHILD.load(Ordering::Relaxed)
}

/// Ends a child process with exit code `code`: its supervisor receives
/// [`Fault::Exited { code }`](crate::Fault::Exited). Never returns.
pub fn exit_child(code: sys::Word) -> ! {
    report_end(PROCESS_EXIT_LABEL, code)
}

/// Ends a child process after a panic at line `line`: its supervisor receives
/// [`Fault::Panicked { line }`](crate::Fault::Panicked).
#[cfg_attr(not(target_os = "none"), allow(dead_code))]
pub(crate) fn panicked(line: u32) -> ! {
    report_end(PROCESS_PANIC_LABEL, line as sys::Word)
}

/// Sends the one-word message `label`/`word` on the fault endpoint and stays blocked: the supervisor never
/// answers it. If the send fails (no fault endpoint there: a thread started without the process layer), the
/// thread stops ([`stop`](super::arch::stop)).
fn report_end(label: sys::Word, word: sys::Word) -> ! {
    // SAFETY: a register-only call on the child's fault endpoint: no memory is touched, and the kernel
    // checks the capability; the supervisor does not reply, so it blocks for good.
    let _ = unsafe {
        sys::call_with_mrs(
            FAULT_ENDPOINT_SLOT,
            sys::MessageInfo::new(label, 0, 0, 1),
            [word, 0, 0, 0],
        )
    };
    super::arch::stop()
}
