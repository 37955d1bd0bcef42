//! The root task's console: text goes out one character at a time through the kernel's `seL4_DebugPutChar`
//! when the kernel configuration has debug facilities (`debug_build = true`), and otherwise through the
//! user-space COM1 driver in `serial`, on the I/O ports the root task's capability covers, on x86_64, and
//! the user-space i.MX6 UART driver (`rt/arch/aarch32/uart.rs`) on aarch32. Either way it ends up on the
//! runner's output, so
//! [`println!`](crate::println) works with both kinds of kernel.
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

/// The line the runtime writes, unmarked, when its user-space UART console is up on a kernel that cannot
/// print (aarch32's verified configuration): the runner reads it as the hand-over to user space, as it reads
/// the debug kernel's `Booting all finished` line.
pub const CONSOLE_UP: &str =
    "selkie: root task started; it prints through its user-space UART driver (this kernel cannot print)";

/// Writes [`CONSOLE_UP`] on a line of its own, without the user-line mark.
#[cfg(selkie_uart_console)]
#[cfg_attr(feature = "program", allow(dead_code))]
pub(crate) fn announce() {
    CONSOLE_UP.bytes().for_each(put);
    put(b'\n');
    AT_LINE_START.store(true, Ordering::Relaxed);
}

/// Whether the last character the console wrote was a newline (or nothing was written yet).
static AT_LINE_START: AtomicBool = AtomicBool::new(true);

/// A [`fmt::Write`] sink that prints on the serial console. Used by [`print!`](crate::print) and
/// [`println!`](crate::println).
#[derive(Debug, Default, Clone, Copy)]
pub struct Console;

/// One byte out through the kernel's debug console (kernels with debug facilities).
#[cfg(selkie_debug_build)]
fn put(b: u8) {
    // SAFETY: the debug-print system call only reads its register argument.
    unsafe { selkie_sys::debug_put_char(b) };
}

/// One byte out through the user-space COM1 driver (kernels without debug facilities print nothing).
#[cfg(all(not(selkie_debug_build), target_arch = "x86_64"))]
fn put(b: u8) {
    serial::put(b);
}

/// One byte out through the user-space UART driver (kernels without debug facilities print nothing): in the
/// root task once the runtime mapped the UART, in a child process (a function of the root task's image or a
/// separately built program) always, its parent having mapped the UART for it; before the root task's
/// runtime mapped it, through QEMU's semihosting console, which the runner shows after the run.
#[cfg(all(not(selkie_debug_build), target_arch = "arm"))]
fn put(b: u8) {
    #[cfg(selkie_uart_console)]
    if super::arch::uart::put(b) {
        return;
    }
    super::arch::semihosting_put(b);
}

/// A polled driver for the PC's first serial port (a 16550 UART at I/O ports `0x3f8..=0x3ff`), driven
/// through the root task's I/O port capability. Used when the kernel has no debug console; the kernel then
/// leaves the port alone.
#[cfg(target_arch = "x86_64")]
#[cfg_attr(selkie_debug_build, allow(dead_code))]
pub mod serial {
    use core::sync::atomic::{AtomicBool, Ordering};

    /// The UART's first I/O port (COM1).
    pub const COM1: u16 = 0x3f8;
    /// Data register (transmit holding register when written; divisor low byte while `DLAB` is set).
    const DATA: u16 = COM1;
    /// Interrupt enable register (divisor high byte while `DLAB` is set).
    const IER: u16 = COM1 + 1;
    /// FIFO control register.
    const FCR: u16 = COM1 + 2;
    /// Line control register.
    const LCR: u16 = COM1 + 3;
    /// Modem control register.
    const MCR: u16 = COM1 + 4;
    /// Line status register.
    const LSR: u16 = COM1 + 5;
    /// `LSR` bit: the transmit holding register is empty.
    const LSR_THR_EMPTY: u8 = 1 << 5;
    /// How often to poll `LSR` for room before writing anyway (a missing UART must not hang the task).
    const POLLS: usize = 100_000;

    static READY: AtomicBool = AtomicBool::new(false);

    fn out(port: u16, value: u8) {
        // SAFETY: an I/O port write through the root task's I/O port capability; it touches no memory.
        let _ = unsafe { selkie_sys::x86_io_port_out8(selkie_sys::CAP_IO_PORT, port.into(), value.into()) };
    }

    fn input(port: u16) -> Option<u8> {
        // SAFETY: an I/O port read through the root task's I/O port capability; it touches no memory.
        unsafe { selkie_sys::x86_io_port_in8(selkie_sys::CAP_IO_PORT, port) }.ok()
    }

    /// Sets the UART up once: 115200 baud, 8 data bits, no parity, one stop bit, FIFOs on, no interrupts.
    fn init() {
        if READY.swap(true, Ordering::Relaxed) {
            return;
        }
        out(IER, 0x00);
        out(LCR, 0x80); // DLAB: the next two writes set the divisor
        out(DATA, 0x01); // 115200 / 1
        out(IER, 0x00);
        out(LCR, 0x03); // 8N1, DLAB off
        out(FCR, 0xc7); // enable and clear FIFOs
        out(MCR, 0x03); // DTR, RTS

        // The firmware may have left a partial line ("Booting from ROM.."): end it, so the root task's
        // first line starts a line of its own (with the user-line mark first) and is read as the root task's.
        out(DATA, b'\n');
    }

    /// Writes one byte, waiting (a bounded number of polls) for room in the transmitter.
    pub fn put(b: u8) {
        init();
        for _ in 0..POLLS {
            match input(LSR) {
                Some(s) if s & LSR_THR_EMPTY == 0 => core::hint::spin_loop(),
                _ => break,
            }
        }
        out(DATA, b);
    }
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
