//! The kernel's debug console: text goes out one character at a time through `seL4_DebugPutChar`.

use core::fmt;

/// A [`fmt::Write`] sink that prints on the kernel's serial console. Used by [`print!`](crate::print) and
/// [`println!`](crate::println).
#[derive(Debug, Default, Clone, Copy)]
pub struct Console;

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            // SAFETY: the debug-print system call only reads its register argument.
            unsafe { selkie_sys::debug_put_char(b) };
        }
        Ok(())
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
