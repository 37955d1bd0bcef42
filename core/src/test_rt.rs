//! The in-kernel test runtime behind `#[selkie::test]` and `selkie::test_main!`.
//!
//! Each `#[selkie::test]` function gets a [`TestCase`] in the `selkie_test_cases` link section and its name in
//! the `.selkie.tests` section, from which the host harness learns what the image holds without running it.
//! [`run_all`] runs every case in order in one boot and prints a line protocol the harness reads:
//!
//! ```text
//! SELKIE-TEST <token> PLAN <count>
//! SELKIE-TEST <token> START <name>
//! SELKIE-TEST <token> PASS <name>
//! SELKIE-TEST <token> FAIL <name>: <reason>
//! SELKIE-TEST <token> DONE <passed> <failed>
//! ```
//!
//! `<token>` is this boot's secret: [`TOKEN_LEN`] characters that the harness writes into the copy of the
//! image it boots (the [`TOKEN_SECTION`] section) and expects on every protocol line. Tests share the console
//! with the protocol, so without it any text a test prints (an error's `Debug` text, a log it echoes) could
//! look like a verdict; a fresh random token per boot cannot be printed by accident, even by copying an
//! earlier boot's output. A separate output channel (a second serial port) would need its own device in QEMU
//! and would lose the order between protocol lines and the kernel's and the tests' output, which the harness
//! uses to say what a test was doing when the run stopped; one ordered stream with a token keeps it.
//!
//! Protocol lines always start on a fresh line ([`rt::start_line`](crate::rt::start_line)), so a test that
//! prints without a trailing newline cannot hide the next one, and a `FAIL` reason is kept on one line
//! (newlines in it are written as `\n`).
//!
//! A panic inside a test prints that test's `FAIL` line (with the panic message and location) before the
//! panic handler ends the run; the harness reports the tests that did not run as failures too.

use core::fmt::{self, Debug, Write};
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::bootstrap::BootInfo;
use crate::rt::Console;

/// The ELF section holding the protocol token, which the harness overwrites in the copy of the image it boots.
pub const TOKEN_SECTION: &str = ".selkie.token";
/// The token's length in bytes (ASCII characters).
pub const TOKEN_LEN: usize = 32;
/// The token of an image no harness patched (booted with `selkie run`, say): no harness accepts it.
pub const UNPATCHED_TOKEN: [u8; TOKEN_LEN] = *b"not-set-boot-with-selkie-harness";
/// What every protocol line starts with, before the token.
pub const PROTOCOL_PREFIX: &str = "SELKIE-TEST ";

/// This boot's protocol token, written into the image by the harness.
#[used]
#[unsafe(link_section = ".selkie.token")]
static TOKEN: [u8; TOKEN_LEN] = UNPATCHED_TOKEN;

/// The token as the harness wrote it.
fn token() -> [u8; TOKEN_LEN] {
    // SAFETY: `TOKEN` is a valid, aligned static that nothing writes at run time. The read is volatile
    // because the harness changes its bytes in the ELF file after compilation: the compiler must not fold in
    // the value it was compiled with.
    unsafe { core::ptr::read_volatile(core::ptr::addr_of!(TOKEN)) }
}

/// Writes through to the console with newlines and carriage returns escaped, so one protocol line stays one
/// line whatever text it carries.
struct OneLine;

impl Write for OneLine {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for part in s.split_inclusive(['\n', '\r']) {
            let (text, escaped) = match part.as_bytes().last() {
                Some(b'\n') => (&part[..part.len() - 1], "\\n"),
                Some(b'\r') => (&part[..part.len() - 1], "\\r"),
                _ => (part, ""),
            };
            Console.write_str(text)?;
            Console.write_str(escaped)?;
        }
        Ok(())
    }
}

/// Prints one protocol line: on a line of its own, with this boot's token, and on one line.
fn protocol(args: fmt::Arguments<'_>) {
    crate::rt::start_line();
    let token = token();
    let _ = Console.write_str(PROTOCOL_PREFIX);
    for b in token {
        // The harness writes ASCII letters and digits; anything else would be a broken patch, shown as `?`.
        let c = if b.is_ascii_graphic() { b as char } else { '?' };
        let _ = Console.write_char(c);
    }
    let _ = Console.write_char(' ');
    let _ = OneLine.write_fmt(args);
    let _ = Console.write_char('\n');
}

/// One in-kernel test, as registered by `#[selkie::test]`.
#[derive(Debug)]
pub struct TestCase {
    /// The test's full name: `<image>::<module path>::<function>`.
    pub name: &'static str,
    /// The source file and line of the test, which order the run (source order within a file).
    pub position: (&'static str, u32),
    /// Runs the test with the image's bootstrap token (`None` once a test took it by value); prints the
    /// failure reason and returns `false` if it failed.
    pub run: fn(&mut Option<BootInfo>, &'static str) -> bool,
}

/// What a test function may return: `()` or `Result<(), E>` with `E: Debug`.
#[diagnostic::on_unimplemented(
    message = "a `#[selkie::test]` function must return `()` or `Result<(), E>` where `E: Debug`, not `{Self}`",
    label = "this return type cannot report a test result"
)]
pub trait TestResult {
    /// Prints the protocol's `FAIL` line with the reason if the test failed, and says whether it passed.
    fn passed(self, name: &str) -> bool;
}

impl TestResult for () {
    fn passed(self, _: &str) -> bool {
        true
    }
}

impl<E: Debug> TestResult for Result<(), E> {
    fn passed(self, name: &str) -> bool {
        match self {
            Ok(()) => true,
            Err(e) => {
                protocol(format_args!("FAIL {name}: {e:?}"));
                false
            }
        }
    }
}

/// The address of the running test's case, for the panic handler (0 when no test runs).
static CURRENT_NAME: AtomicUsize = AtomicUsize::new(0);

fn cases() -> &'static [TestCase] {
    #[cfg(target_os = "none")]
    {
        extern "C" {
            // Linker-script symbols: their addresses delimit the case table; they are declared as bytes
            // because only their addresses are used.
            static __start_selkie_test_cases: u8;
            static __stop_selkie_test_cases: u8;
        }
        // SAFETY: the linker script places every `TestCase` static of the image contiguously between these two
        // symbols, all of the same type and alignment, and nothing writes to them.
        unsafe {
            let start = core::ptr::addr_of!(__start_selkie_test_cases).cast::<TestCase>();
            let stop = core::ptr::addr_of!(__stop_selkie_test_cases).cast::<TestCase>();
            let len = (stop as usize - start as usize) / core::mem::size_of::<TestCase>();
            core::slice::from_raw_parts(start, len)
        }
    }
    #[cfg(not(target_os = "none"))]
    {
        &[]
    }
}

/// The case that comes first after `after` in source order (by file, then line), if any. The linker keeps
/// no particular order, and sorting in place is impossible in a read-only table without a heap, so the run
/// walks the table once per test (the tables are small).
fn next_case(cases: &'static [TestCase], after: Option<&TestCase>) -> Option<&'static TestCase> {
    cases
        .iter()
        .filter(|c| after.is_none_or(|a| c.position > a.position))
        .min_by_key(|c| c.position)
}

/// Runs every registered test in source order, lending each the same bootstrap token (or handing it over to a
/// test that takes it by value); returns whether all passed.
pub fn run_all(boot: BootInfo) -> bool {
    let mut boot = Some(boot);
    let boot = &mut boot;
    let cases = cases();
    protocol(format_args!("PLAN {}", cases.len()));
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut current = next_case(cases, None);
    while let Some(case) = current {
        protocol(format_args!("START {}", case.name));
        CURRENT_NAME.store(case as *const TestCase as usize, Ordering::Relaxed);
        let ok = (case.run)(boot, case.name);
        CURRENT_NAME.store(0, Ordering::Relaxed);
        if ok {
            passed += 1;
            protocol(format_args!("PASS {}", case.name));
        } else {
            failed += 1;
        }
        current = next_case(cases, Some(case));
    }
    protocol(format_args!("DONE {passed} {failed}"));
    failed == 0
}

/// Called by the panic handler: reports the running test, if any, as failed with the panic's message.
#[cfg_attr(not(target_os = "none"), allow(dead_code))]
pub(crate) fn on_panic(info: &core::panic::PanicInfo<'_>) {
    let case = CURRENT_NAME.swap(0, Ordering::Relaxed) as *const TestCase;
    if case.is_null() {
        return;
    }
    // SAFETY: `CURRENT_NAME` only ever holds null or the address of a `TestCase` in the static case table.
    let name = unsafe { (*case).name };
    match info.location() {
        Some(l) => protocol(format_args!(
            "FAIL {name}: panicked at {}:{}:{}: {}",
            l.file(),
            l.line(),
            l.column(),
            info.message()
        )),
        None => protocol(format_args!("FAIL {name}: panicked: {}", info.message())),
    }
}

/// Fails a test that needs the bootstrap token after an earlier test took it by value.
pub fn token_gone(name: &str) -> bool {
    protocol(format_args!(
        "FAIL {name}: an earlier test of this image took the bootstrap token by value"
    ));
    false
}

/// `s` followed by a NUL byte, as a fixed-size array (`N` must be `s.len() + 1`), for the `.selkie.tests`
/// section.
pub const fn nul_terminated<const N: usize>(s: &str) -> [u8; N] {
    let b = s.as_bytes();
    assert!(b.len() + 1 == N, "N must be the name's length plus one");
    let mut out = [0u8; N];
    let mut i = 0;
    while i < b.len() {
        out[i] = b[i];
        i += 1;
    }
    out
}

/// The root task of a test image: bootstraps once and runs every `#[selkie::test]` of the image in order.
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// selkie::test_main!();
/// ```
#[macro_export]
macro_rules! test_main {
    () => {
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub fn __selkie_main() -> bool {
            // SAFETY: the runtime calls this entry exactly once, with the bootinfo pointer the kernel passed.
            let boot = unsafe { $crate::bootstrap::BootInfo::from_raw($crate::rt::bootinfo_ptr()) };
            $crate::test_rt::run_all(boot)
        }
    };
}
