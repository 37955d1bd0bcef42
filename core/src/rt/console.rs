//! The kernel's debug console: text goes out one character at a time through `seL4_DebugPutChar`.
//!
//! The console keeps two promises the host runner relies on:
//! - every line of user output starts with [`USER_LINE_MARK`], an escape sequence terminals do not show
//!   and the runner strips, so that the runner can tell the root task's lines from the kernel's own (a
//!   kernel fault report counts only when the kernel printed it, never when user code prints the same
//!   words);
//! - it tracks whether the cursor is at the start of a line, so that the test runtime can start its
//!   protocol lines on a fresh line after a test printed without a trailing newline
//!   ([`start_line`]).

use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

/// What the console writes before the first character of every line of user output: `ESC [ 0 m` (select
/// graphic rendition "normal"), invisible on a terminal and removed by the runner, which reads a line that
/// starts with it as the root task's. The kernel never prints escape sequences, so a line without it
/// (after the kernel handed over to user space) is the kernel's.
pub const USER_LINE_MARK: &str = "\x1b[0m";

/// Whether the last character the console wrote was a newline (or nothing was written yet).
static AT_LINE_START: AtomicBool = AtomicBool::new(true);

/// A [`fmt::Write`] sink that prints on the kernel's serial console. Used by [`print!`](crate::print) and
/// [`println!`](crate::println).
#[derive(Debug, Default, Clone, Copy)]
pub struct Console;

fn put(b: u8) {
    // SAFETY: the debug-print system call only reads its register argument.
    unsafe { selkie_sys::debug_put_char(b) };
}

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            if b != b'\n' && AT_LINE_START.load(Ordering::Relaxed) {
                USER_LINE_MARK.bytes().for_each(put);
            }
            put(b);
            AT_LINE_START.store(b == b'\n', Ordering::Relaxed);
        }
        Ok(())
    }
}

/// Ends the current line if something was printed on it, so that what comes next starts a line of its own.
pub fn start_line() {
    if !AT_LINE_START.load(Ordering::Relaxed) {
        put(b'\n');
        AT_LINE_START.store(true, Ordering::Relaxed);
    }
}

/// Prints to the kernel's debug console, like `std::print!`.
///
/// ```no_run
/// selkie::print!("{} untyped capabilities", 12);
/// ```
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {{
        let _ = ::core::fmt::Write::write_fmt(&mut $crate::rt::Console, ::core::format_args!($($arg)*));
    }};
}

/// Prints a line to the kernel's debug console, like `std::println!`.
///
/// ```no_run
/// selkie::println!("Hello from seL4!");
/// ```
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => {{
        $crate::print!($($arg)*);
        $crate::print!("\n");
    }};
}
