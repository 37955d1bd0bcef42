//! The root-task runtime: entry point, console (the kernel's debug console, or for kernels without debug
//! facilities a user-space serial driver: COM1 on x86_64, the i.MX6 UART on aarch32), the kernel's
//! [`debug`] facilities where they exist, exit through QEMU (its `isa-debug-exit` device on x86_64,
//! semihosting on aarch32), and the panic handler.
//!
//! A root task names its `main` with [`#[selkie::root_task]`](crate::root_task); the runtime's `_start` sets up
//! a stack, records the bootinfo pointer the kernel passes, calls that `main`, and ends the run with its
//! result: success or failure makes QEMU exit with status 33 or 3.
//! A panic prints its message and location on the console, then exits with failure.
//!
//! A separately built program (a child process's own executable, built with this crate's `program`
//! feature) has its own entry instead: the parent starts it at `_start` with the address of its parameters
//! in the first argument register and the stack pointer at the top of a stack it mapped; the runtime calls
//! the `main` named by [`#[selkie::program]`](crate::program). When `main` returns, the program reports
//! its exit to its supervisor, and when it panics (after printing the message), its panic: see [`child`]
//! for both messages. A function of the root task's image running as a child process does the same when it
//! returns or panics.

mod arch;
#[cfg(any(test, selkie_uart_console))]
mod carve;
pub mod child;
mod console;
pub mod debug;

#[cfg(selkie_uart_console)]
pub(crate) use arch::uart;
#[cfg(target_arch = "x86_64")]
pub use console::serial;
pub use console::{start_line, Console, CONSOLE_UP, USER_LINE_MARK};

use core::sync::atomic::{AtomicPtr, Ordering};

use arrayvec::ArrayVec;
use selkie_sys as sys;

use crate::untyped::allocator::FreeUntyped;

/// How many untypeds the runtime can make for the root task (the most a carve leaves, where the runtime
/// carves one).
#[cfg(selkie_uart_console)]
const MAX_PIECES: usize = carve::MAX_STEPS;
#[cfg(not(selkie_uart_console))]
const MAX_PIECES: usize = 0;

/// What the runtime took for itself from the root task's boot resources before `main`: nothing, except for
/// the user-space UART console on aarch32 kernels that cannot print. [`BootInfo`](crate::bootstrap::BootInfo)
/// hands over the rest.
#[derive(Debug, Default)]
pub(crate) struct Reserved {
    /// How many of the last slots of the kernel's free range the runtime uses.
    pub(crate) slots: usize,
    /// The untyped of the bootinfo's list the runtime carved, which is no longer the root task's.
    pub(crate) parent: Option<sys::CPtr>,
    /// The untypeds the runtime made from it and hands to the root task's allocator.
    pub(crate) pieces: ArrayVec<FreeUntyped, MAX_PIECES>,
}

/// What the runtime took from the resources the bootinfo `bi` describes (see [`Reserved`]).
pub(crate) fn reserved(bi: &sys::BootInfo) -> Reserved {
    #[cfg(selkie_uart_console)]
    {
        arch::uart::reserved(bi)
    }
    #[cfg(not(selkie_uart_console))]
    {
        let _ = bi;
        Reserved::default()
    }
}

static BOOTINFO: AtomicPtr<selkie_sys::BootInfo> = AtomicPtr::new(core::ptr::null_mut());

/// The bootinfo pointer the kernel passed to the root task (null before the runtime started, or on the host).
pub fn bootinfo_ptr() -> *const selkie_sys::BootInfo {
    BOOTINFO.load(Ordering::Relaxed)
}

/// Ends the run: on x86_64 QEMU's `isa-debug-exit` device makes QEMU exit with status 33 on success and 3 on
/// failure; on aarch32 a semihosting exit call does the same (see `rt/arch`).
///
/// Where the mechanism is missing (real hardware) the root task suspends itself instead.
pub fn exit(success: bool) -> ! {
    arch::end_run(success);
    loop {
        // SAFETY: suspending the calling thread ends it; nothing runs after this point.
        let _ = unsafe { selkie_sys::tcb_suspend(selkie_sys::CAP_INIT_THREAD_TCB) };
    }
}

/// What a root task's `main` may return: `()` or `Result<(), E>` with an error people can read (`E: Display`,
/// as [`Error`](crate::Error) is): an `Err` is printed as `root task failed: <its Display text>`.
#[diagnostic::on_unimplemented(
    message = "a selkie root task's `main` must return `()` or `Result<(), E>` where `E: Display`, not `{Self}`",
    label = "this return type cannot report success or failure"
)]
pub trait Termination {
    /// Prints a failure, if any, and says whether the run succeeded.
    fn report(self) -> bool;
}

impl Termination for () {
    fn report(self) -> bool {
        true
    }
}

impl<E: core::fmt::Display> Termination for Result<(), E> {
    fn report(self) -> bool {
        match self {
            Ok(()) => true,
            Err(e) => {
                start_line();
                crate::println!("root task failed: {e}");
                false
            }
        }
    }
}

/// Called by `_start` with the kernel's bootinfo pointer: records it and runs the root task's `main`.
#[cfg(not(feature = "program"))]
#[cfg_attr(not(target_os = "none"), allow(dead_code))]
extern "C" fn start(bootinfo: *mut selkie_sys::BootInfo) -> ! {
    BOOTINFO.store(bootinfo, Ordering::Relaxed);
    #[cfg(selkie_uart_console)]
    {
        // SAFETY: the kernel's bootinfo frame, mapped for the program's life; packed, hence the unaligned read.
        let bi = unsafe { bootinfo.read_unaligned() };
        if let Err(e) = arch::uart::setup(&bi) {
            // The console falls back to semihosting, which the runner shows after the run.
            start_line();
            crate::println!("selkie: the root task's console (its user-space UART driver) could not be set up: {e}");
            exit(false);
        }
        console::announce();
    }
    extern "Rust" {
        /// Defined by `#[selkie::root_task]` (or `selkie::test_main!`): runs `main` and reports its result.
        fn __selkie_main() -> bool;
    }
    // SAFETY: `__selkie_main` is the entry the attribute macro generates; the runtime calls it exactly once.
    let ok = unsafe { __selkie_main() };
    exit(ok)
}

/// Called by a program's `_start` with the parameter address its parent passed: runs the program's `main`,
/// then stops the thread (see the module docs).
#[cfg(feature = "program")]
#[cfg_attr(not(target_os = "none"), allow(dead_code))]
extern "C" fn program_start(params: usize) -> ! {
    extern "Rust" {
        /// Defined by `#[selkie::program]`: runs `main` with the parameters at `params`.
        fn __selkie_program_main(params: usize);
    }
    // SAFETY: `__selkie_program_main` is the entry the attribute macro generates; the runtime calls it once,
    // with the address the parent passed.
    unsafe { __selkie_program_main(params) };
    child::exit_child(0)
}

#[cfg(all(target_os = "none", feature = "program"))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    child_panic(info)
}

/// A child process's panic: prints it (on a kernel with a debug console: the serial driver needs the root
/// task's I/O port capability) and reports it to the supervisor.
#[cfg(target_os = "none")]
fn child_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    #[cfg(selkie_debug_build)]
    {
        start_line();
        match info.location() {
            Some(l) => crate::println!(
                "child process panicked at {}:{}:{}:\n{}",
                l.file(),
                l.line(),
                l.column(),
                info.message()
            ),
            None => crate::println!("child process panicked:\n{}", info.message()),
        }
    }
    child::panicked(info.location().map_or(0, |l| l.line()))
}

#[cfg(all(target_os = "none", not(feature = "program")))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    if child::runs_as_child() {
        child_panic(info);
    }
    crate::test_rt::on_panic(info);
    start_line();
    match info.location() {
        Some(l) => crate::println!(
            "root task panicked at {}:{}:{}:\n{}",
            l.file(),
            l.line(),
            l.column(),
            info.message()
        ),
        None => crate::println!("root task panicked:\n{}", info.message()),
    }
    exit(false)
}
