//! Booting a kernel and root task in QEMU and telling how the run ended.
//!
//! On x86_64, QEMU runs under TCG with the kernel as the multiboot image and the root task as its first
//! module, the serial console on stdout and an `isa-debug-exit` device through which the root task ends the
//! run: writing `v` to port `0xf4` makes QEMU exit with status `(v << 1) | 1`, so the runtime's success value
//! `0x10` gives 33 and its failure value `0x01` gives 3.
//!
//! On aarch32, `qemu-system-arm -M sabrelite` boots the loader image (see [`crate::loader`]) with 1 GiB of
//! RAM (the imx6 kernel assumes it); the console is the board's UART2, QEMU's second serial port, on stdout:
//! the loader's line, the kernel's messages, and the root task's output (through the kernel on a debug
//! kernel, through the runtime's user-space UART driver on a kernel that cannot print). The root task ends the
//! run through semihosting (`svc 0x123456` in ARM state, allowed from user mode by `userspace=on`; seL4 never
//! sees these calls): `SYS_EXIT_EXTENDED` with an application exit and a status makes QEMU exit with that
//! status, and the statuses are the same as on x86_64 (33 success, 3 failure). QEMU's semihosting console is
//! kept apart from the UART, in a file of its own: what a program prints there (a child process without the
//! UART, or the runtime reporting that its UART console could not be set up) is passed on after the run,
//! each line marked [`SEMIHOSTING_MARK`].
//!
//! Every line of console output is handed to a callback as it arrives.
//! The run is stopped (QEMU killed by its own pid) when it exceeds the overall timeout, when the kernel does
//! not report reaching user space within the boot timeout (a kernel built for a CPU feature QEMU lacks hangs
//! silently), when the kernel reports a failed boot, or shortly after the kernel reports a thread fault that
//! nothing handles. On aarch32 a kernel that cannot print has no hand-over line of its own: there the
//! runtime's [`CONSOLE_UP`] line counts as the hand-over, and the loader's [`LOADER_ENTERING`] line tells a
//! kernel that was entered and hung from a loader that never ran ([`Outcome::BootHang`] says which).
//!
//! The kernel and the root task share the serial console, so the runner only believes kernel messages the
//! kernel can have printed:
//! - boot-failure messages count only before the kernel's hand-over to user space ([`BOOT_DONE`]); after
//!   it, user code may print any text;
//! - the root-task runtime's console starts every line of user output with [`USER_LINE_MARK`] (an escape
//!   sequence terminals do not show, removed before lines are passed on), and the kernel never prints
//!   escape sequences. A fault report counts only when its second line, `while trying to handle:`, arrives
//!   on a line without the mark, right after the line with `Caught `: user code printing the same words has
//!   its lines marked. (The `Caught ` line itself may carry the mark: the kernel prints wherever the
//!   cursor is, for example after a partial line the faulting thread printed without a newline.)

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{prereq, Arch, Error, QemuConfig};

/// QEMU's exit status when the root task reported success.
pub const EXIT_SUCCESS_STATUS: i32 = 33;
/// QEMU's exit status when the root task reported failure (or panicked).
pub const EXIT_FAILURE_STATUS: i32 = 3;
/// The I/O port of the `isa-debug-exit` device.
pub const DEBUG_EXIT_PORT: u16 = 0xf4;

/// Kernel messages that mean the boot failed; the kernel halts silently after them.
const BOOT_FAILURES: &[&str] = &[
    "Kernel init fail",
    "boot_sys failed",
    "Boot module does not contain",
    "Invalid boot module size",
    "Boot loader did not provide",
    "Boot loader not multiboot",
    "Userland image entry point does not lie",
    "ELF image in boot module does not contain",
    "Userland image virtual end address too high",
    LOADER_FAILURE,
];
/// What selkie's aarch32 loader prints when it cannot place the kernel and root task (before the kernel runs).
pub const LOADER_FAILURE: &str = "selkie-loader: cannot boot";
/// What the kernel prints when it hands over to the root task (debug builds with printing).
pub const BOOT_DONE: &str = "Booting all finished, dropped to user space";
/// What the root-task runtime prints, unmarked, when its user-space UART console is up on an aarch32 kernel
/// that cannot print: the hand-over for such kernels; must equal `selkie::rt::CONSOLE_UP`.
pub const CONSOLE_UP: &str =
    "selkie: root task started; it prints through its user-space UART driver (this kernel cannot print)";
/// What selkie's aarch32 loader prints just before it enters the kernel.
pub const LOADER_ENTERING: &str = "selkie-loader: entering the kernel";
/// What starts each line of QEMU's semihosting console when the runner passes it on after an aarch32 run.
pub const SEMIHOSTING_MARK: &str = "[semihosting] ";
/// What the root-task runtime's console writes at the start of every line of user output (`ESC [ 0 m`,
/// "normal rendition", invisible on a terminal); must equal `selkie::rt::USER_LINE_MARK`.
pub const USER_LINE_MARK: &str = "\x1b[0m";
/// The start of the kernel's report of a fault nothing handles.
const FAULT_START: &str = "Caught ";
/// The line that follows [`FAULT_START`]'s line in the kernel's fault report.
const FAULT_SECOND_LINE: &str = "while trying to handle:";
/// How long the console may stay silent after the kernel reported an unhandled thread fault.
pub const FAULT_GRACE: Duration = Duration::from_secs(2);

/// What to boot and how.
#[derive(Debug, Clone)]
pub struct Boot<'a> {
    /// What QEMU boots: the kernel as ELF32 on x86_64; on aarch32 the loader image, which holds the kernel
    /// and the root task ([`crate::loader::boot_image`] gives the right one).
    pub kernel: &'a Path,
    /// The root task ELF (on aarch32 already inside the loader image).
    pub root_task: &'a Path,
    /// The architecture, which picks the QEMU binary.
    pub arch: Arch,
    /// QEMU settings and timeouts.
    pub qemu: &'a QemuConfig,
    /// Whether the kernel prints (`kernel.printing`): then a boot that does not reach user space within the
    /// boot timeout is reported as a hang. On aarch32 a kernel that cannot print is watched too, through the
    /// runtime's [`CONSOLE_UP`] line.
    pub kernel_printing: bool,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The root task reported success.
    Success,
    /// The root task reported failure (or panicked): QEMU's exit status.
    Failure(i32),
    /// The run exceeded the overall timeout.
    Timeout(Duration),
    /// The kernel did not reach user space within the boot timeout (the last line printed, if any, and which
    /// kernel it was, for what to check).
    BootHang(Duration, Option<String>, HungKernel),
    /// The kernel reported a failed boot (the line it printed).
    BootFailed(String),
    /// A thread faulted with no fault handler and the system went silent (the kernel's report).
    UnhandledFault(String),
    /// QEMU ended in some other way (its exit status, if any).
    QemuExited(Option<i32>),
}

impl Outcome {
    /// Whether the run succeeded.
    pub fn is_success(&self) -> bool {
        *self == Outcome::Success
    }

    /// The process exit status that reports this outcome (0 only for success).
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Success => 0,
            Outcome::Failure(_) => 1,
            Outcome::Timeout(_) | Outcome::BootHang(..) => 124,
            Outcome::BootFailed(_) | Outcome::UnhandledFault(_) | Outcome::QemuExited(_) => 2,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Success => write!(f, "the root task reported success"),
            Outcome::Failure(s) => write!(f, "the root task reported failure (QEMU exit status {s})"),
            Outcome::Timeout(d) => write!(f, "timed out after {:.1} s; QEMU was killed", d.as_secs_f64()),
            Outcome::BootHang(d, last, kernel) => {
                let secs = d.as_secs_f64();
                let entered = last.as_deref().is_some_and(|l| l.contains(LOADER_ENTERING));
                match (kernel.arch, kernel.printing) {
                    (Arch::X86_64, _) => write!(
                        f,
                        "the kernel did not reach user space within {secs:.1} s: it hangs at boot, which usually \
                         means it was configured for a CPU feature QEMU does not emulate (see kernel.apic, \
                         kernel.support_pcid and qemu.cpu_features in selkie.toml)"
                    )?,
                    (Arch::Aarch32, _) if last.is_none() => write!(
                        f,
                        "nothing arrived on the UART within {secs:.1} s: the loader did not run (check that QEMU \
                         boots selkie's loader image on `-M sabrelite` and that the console is its second serial \
                         port)"
                    )?,
                    (Arch::Aarch32, true) => write!(
                        f,
                        "the kernel did not reach user space within {secs:.1} s: it hangs at boot (check the \
                         kernel's last message below; if the loader's line is the last one, the kernel was \
                         entered and printed nothing: check the kernel window and the loader's placement)"
                    )?,
                    (Arch::Aarch32, false) if entered => write!(
                        f,
                        "the loader entered the kernel, but the root task's console did not come up within \
                         {secs:.1} s: this kernel cannot print, so its boot messages are not visible; boot the \
                         same system without `verified = true` (the debug kernel) to see where it stops"
                    )?,
                    (Arch::Aarch32, false) => write!(
                        f,
                        "the loader did not enter the kernel within {secs:.1} s (its last line is below)"
                    )?,
                }
                match last {
                    Some(l) => write!(f, "; its last line was: {l}"),
                    None => write!(f, "; it printed nothing"),
                }
            }
            Outcome::BootFailed(l) => write!(f, "the kernel failed to boot: {l}"),
            Outcome::UnhandledFault(l) => write!(f, "a thread faulted with no fault handler: {l}"),
            Outcome::QemuExited(Some(s)) => write!(f, "QEMU exited with unexpected status {s}"),
            Outcome::QemuExited(None) => write!(f, "QEMU was killed by a signal"),
        }
    }
}

/// Which kernel a boot hang happened on: what to check differs by architecture and by whether the kernel
/// can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HungKernel {
    /// The kernel's architecture.
    pub arch: Arch,
    /// Whether it prints (a debug kernel) or not (release, verified).
    pub printing: bool,
}

/// The result of a run: how it ended, everything it printed, and how long it took.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the run ended.
    pub outcome: Outcome,
    /// The whole console output.
    pub log: String,
    /// Wall-clock time from QEMU's start to its end.
    pub elapsed: Duration,
}

/// The UART's QEMU character device on aarch32 (stdout).
const ARM_CONSOLE: &str = "console";
/// The semihosting console's QEMU character device on aarch32 (a file of its own).
const ARM_SEMIHOSTING: &str = "semihosting";

/// The QEMU command line for `boot`; on aarch32, QEMU writes its semihosting console to the file
/// `semihosting` (unused on x86_64).
pub fn command(boot: &Boot<'_>, semihosting: &Path) -> Command {
    match boot.arch {
        Arch::X86_64 => command_x86_64(boot),
        Arch::Aarch32 => command_aarch32(boot, semihosting),
    }
}

fn command_aarch32(boot: &Boot<'_>, semihosting: &Path) -> Command {
    let q = boot.qemu;
    let mut cmd = Command::new(boot.arch.qemu_binary());
    cmd.args(["-machine", "sabrelite", "-smp", "1", "-m", crate::config::IMX6_MEMORY])
        .args(["-display", "none", "-monitor", "none", "-no-reboot", "-net", "none"])
        .args(["-chardev", &format!("stdio,id={ARM_CONSOLE}")])
        .args([
            "-chardev",
            &format!("file,id={ARM_SEMIHOSTING},path={}", semihosting.display()),
        ])
        // UART1 goes nowhere; UART2, the kernel's console, is stdout; semihosting goes to its own file.
        .args(["-serial", "null", "-serial", &format!("chardev:{ARM_CONSOLE}")])
        .args([
            "-semihosting-config",
            &format!("enable=on,userspace=on,chardev={ARM_SEMIHOSTING}"),
        ])
        .arg("-kernel")
        .arg(boot.kernel);
    if q.icount {
        cmd.args(["-icount", "shift=0"]);
    }
    cmd.args(&q.extra_args);
    cmd
}

fn command_x86_64(boot: &Boot<'_>) -> Command {
    let q = boot.qemu;
    let mut cmd = Command::new(boot.arch.qemu_binary());
    cmd.args(["-machine", "pc", "-cpu", &q.cpu_arg(), "-m", &q.memory])
        .args(["-nographic", "-no-reboot", "-net", "none"])
        .arg("-kernel")
        .arg(boot.kernel)
        .arg("-initrd")
        .arg(boot.root_task)
        .args([
            "-device",
            &format!("isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04"),
        ]);
    if q.icount {
        cmd.args(["-icount", "shift=0"]);
    }
    cmd.args(&q.extra_args);
    cmd
}

/// Boots `boot` and watches it to the end, handing every console line to `on_line` as it arrives.
pub fn run(boot: &Boot<'_>, on_line: &mut dyn FnMut(&str)) -> Result<Report, Error> {
    run_marked(boot, &mut |line, _| on_line(line))
}

/// Where a console line came from, as far as the runner can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The root task's console (the line carried [`USER_LINE_MARK`], after the hand-over).
    User,
    /// The firmware, the kernel, or anything else without the mark.
    System,
}

/// [`run`], also telling for each line whether the root task printed it ([`Source`]), so that a runner can
/// show the root task's output and keep the firmware's and kernel's for when something goes wrong.
pub fn run_marked(boot: &Boot<'_>, on_line: &mut dyn FnMut(&str, Source)) -> Result<Report, Error> {
    let printing = boot.kernel_printing;
    prereq::ensure(prereq::qemu_for(boot.arch))?;
    for (what, p) in [("kernel", boot.kernel), ("root task", boot.root_task)] {
        if !p.is_file() {
            return Err(Error::Image {
                path: PathBuf::from(p),
                message: format!("the {what} image does not exist"),
            });
        }
    }
    let semihosting = semihosting_file();
    let mut child = command(boot, &semihosting)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Error::io(format!("starting {}", boot.arch.qemu_binary())))?;
    let start = Instant::now();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    let timeout = Duration::from_secs(boot.qemu.timeout_secs);
    let boot_timeout = Duration::from_secs(boot.qemu.boot_timeout_secs);
    let mut log = String::new();
    let mut pending = Vec::<u8>::new();
    // Without kernel printing there is no hand-over line to wait for on x86_64; only the overall timeout
    // applies. On aarch32 the runtime's console announces itself.
    let mut watch = Watch::new(!printing && boot.arch == Arch::X86_64);
    let mut stop: Option<Outcome> = None;
    let mut eof = false;
    while stop.is_none() && !eof {
        let now = Instant::now();
        let mut deadline = start + timeout;
        if !watch.booted {
            deadline = deadline.min(start + boot_timeout);
        }
        if let Some((_, at)) = &watch.fault {
            deadline = deadline.min(*at + FAULT_GRACE);
        }
        match rx.recv_timeout(deadline.saturating_duration_since(now)) {
            Ok(chunk) => {
                pending.extend_from_slice(&chunk);
                while let Some(i) = pending.iter().position(|b| *b == b'\n') {
                    let raw: Vec<u8> = pending.drain(..=i).collect();
                    let raw = String::from_utf8_lossy(&raw);
                    let source = watch.source(&raw);
                    let (line, ends) = watch.line(&raw, Instant::now());
                    on_line(&line, source);
                    log.push_str(&line);
                    log.push('\n');
                    stop = stop.or(ends);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let elapsed = start.elapsed();
                stop = Some(if let Some((text, _)) = watch.fault.take() {
                    Outcome::UnhandledFault(text)
                } else if !watch.booted {
                    Outcome::BootHang(
                        elapsed,
                        watch.last_line.take(),
                        HungKernel {
                            arch: boot.arch,
                            printing,
                        },
                    )
                } else {
                    Outcome::Timeout(elapsed)
                });
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => eof = true,
        }
    }
    let raw_rest = String::from_utf8_lossy(&pending).into_owned();
    let rest = strip_escapes(raw_rest.trim_matches(['\n', '\r']));
    if !rest.is_empty() {
        on_line(&rest, watch.source(&raw_rest));
        log.push_str(&rest);
        log.push('\n');
    }
    let outcome = match stop {
        Some(o) => {
            // Kill QEMU by its own pid (Child::kill targets exactly this process).
            let _ = child.kill();
            let _ = child.wait();
            o
        }
        None => {
            let remaining = (start + timeout).saturating_duration_since(Instant::now());
            use wait_timeout::ChildExt;
            match child
                .wait_timeout(remaining.max(Duration::from_secs(1)))
                .map_err(Error::io("waiting for QEMU"))?
            {
                Some(status) => match status.code() {
                    Some(EXIT_SUCCESS_STATUS) => Outcome::Success,
                    Some(EXIT_FAILURE_STATUS) => Outcome::Failure(EXIT_FAILURE_STATUS),
                    Some(c) if c & 1 == 1 && c > 1 => Outcome::Failure(c),
                    other => Outcome::QemuExited(other),
                },
                None => {
                    let _ = child.kill();
                    let _ = child.wait();
                    Outcome::Timeout(start.elapsed())
                }
            }
        }
    };
    let _ = reader.join();
    // The semihosting console, after the UART's (QEMU has ended, so the file is complete).
    if let Ok(text) = std::fs::read(&semihosting) {
        for raw in String::from_utf8_lossy(&text).lines() {
            let line = format!("{SEMIHOSTING_MARK}{}", strip_escapes(raw.trim_matches('\r')));
            on_line(&line, Source::User);
            log.push_str(&line);
            log.push('\n');
        }
        let _ = std::fs::remove_file(&semihosting);
    }
    let qemu_err = err_reader.join().unwrap_or_default();
    if let Outcome::QemuExited(_) = outcome {
        if !qemu_err.trim().is_empty() {
            log.push_str("[qemu stderr] ");
            log.push_str(qemu_err.trim());
            log.push('\n');
        }
    }
    Ok(Report {
        outcome,
        log,
        elapsed: start.elapsed(),
    })
}

/// A fresh path for one run's semihosting console (in the system's temporary directory; removed after the
/// run).
fn semihosting_file() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("selkie-semihosting-{}-{n}.txt", std::process::id()))
}

/// Reads the console line by line and tells what the kernel said (see the module documentation for which
/// lines count as the kernel's).
#[derive(Debug)]
struct Watch {
    /// Whether the kernel has handed over to user space.
    booted: bool,
    /// The last non-empty line, and the one before it.
    last_line: Option<String>,
    previous: Option<String>,
    /// The text from `Caught ` on the previous line: the start of a fault report, if the kernel's second line
    /// follows.
    caught: Option<String>,
    /// A fault report the kernel printed, and when its last line arrived.
    fault: Option<(String, Instant)>,
}

impl Watch {
    fn new(booted: bool) -> Self {
        Watch {
            booted,
            last_line: None,
            previous: None,
            caught: None,
            fault: None,
        }
    }

    /// Whether a raw line (before [`Watch::line`] takes it) is the root task's.
    fn source(&self, raw: &str) -> Source {
        if self.booted && raw.trim_start_matches(['\n', '\r']).starts_with(USER_LINE_MARK) {
            Source::User
        } else {
            Source::System
        }
    }

    /// Takes one raw console line (its line end included or not) that arrived at `now`; returns it as shown
    /// to people (no line end, no escape sequences) and, if the kernel reported a failed boot, that outcome.
    fn line(&mut self, raw: &str, now: Instant) -> (String, Option<Outcome>) {
        // The kernel's serial driver ends lines with "\n\r": strip carriage returns on both sides, and the
        // firmware's terminal escape sequences (and the runtime's user-line mark).
        let raw = raw.trim_matches(['\n', '\r']);
        let user = self.booted && raw.starts_with(USER_LINE_MARK);
        let line = strip_escapes(raw);
        let mut ends = None;
        if !self.booted && (line.contains(BOOT_DONE) || line == CONSOLE_UP) {
            self.booted = true;
        }
        if !line.trim().is_empty() {
            self.previous = self.last_line.replace(line.clone());
        }
        if !self.booted && BOOT_FAILURES.iter().any(|m| line.contains(*m)) {
            // The kernel's reason is often on the line before its generic failure message.
            let reason = match &self.previous {
                Some(p) if !BOOT_FAILURES.iter().any(|m| p.contains(*m)) => format!("{p} / {line}"),
                _ => line.clone(),
            };
            ends = Some(Outcome::BootFailed(reason));
        } else if let Some((text, at)) = &mut self.fault {
            if text.len() < 400 {
                text.push(' ');
                text.push_str(&line);
            }
            *at = now;
        } else if let (Some(first), false, FAULT_SECOND_LINE) = (&self.caught, user, line.as_str()) {
            self.fault = Some((format!("{first} {line}"), now));
        }
        self.caught = match line.find(FAULT_START) {
            Some(i) if self.booted && self.fault.is_none() => Some(line[i..].to_string()),
            _ => None,
        };
        (line, ends)
    }
}

/// `line` without terminal escape sequences (`ESC [ ... final-byte`, or `ESC` and one character), which the
/// PC firmware prints before the kernel starts.
fn strip_escapes(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() || c == '~' {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `lines` to a watch that has seen the kernel's hand-over; returns what each line ended.
    fn after_boot(lines: &[&str]) -> (Watch, Vec<Option<Outcome>>) {
        let mut w = Watch::new(false);
        assert_eq!(w.line(&format!("{BOOT_DONE}\n\r"), Instant::now()).1, None);
        assert!(w.booted);
        let ends = lines.iter().map(|l| w.line(l, Instant::now()).1).collect();
        (w, ends)
    }

    fn user(text: &str) -> String {
        format!("{USER_LINE_MARK}{text}\n")
    }

    #[test]
    fn boot_failure_text_counts_only_before_the_hand_over() {
        let mut w = Watch::new(false);
        let (_, ends) = w.line("Kernel init failed: no memory\n", Instant::now());
        assert!(matches!(ends, Some(Outcome::BootFailed(r)) if r.contains("Kernel init failed")));
        let (_, ends) = after_boot(&["Kernel init failed: printed later\n", &user("boot_sys failed")]);
        assert_eq!(ends, [None, None]);
    }

    #[test]
    fn a_fault_report_counts_only_when_the_kernel_printed_its_second_line() {
        let kernel = [
            "Caught cap fault in send phase at address 0x0\n",
            "\rwhile trying to handle:\n",
            "user exception 0x6 code 0x0\n",
        ];
        let (w, _) = after_boot(&kernel);
        let (text, _) = w.fault.expect("the kernel's report");
        assert!(
            text.starts_with("Caught cap fault") && text.contains("user exception 0x6"),
            "{text}"
        );

        let forged: Vec<String> = kernel.iter().map(|l| user(l.trim())).collect();
        let forged: Vec<&str> = forged.iter().map(String::as_str).collect();
        assert!(
            after_boot(&forged).0.fault.is_none(),
            "user lines are never the kernel's"
        );

        // The kernel may start its report after half a line the faulting thread printed.
        let half = user("half a line: Caught cap fault in send phase at address 0x0");
        let (w, _) = after_boot(&[half.trim_end(), kernel[1]]);
        assert!(w.fault.expect("the kernel's report").0.starts_with("Caught cap fault"));

        // Without its second line, `Caught ` is only text.
        let (w, _) = after_boot(&["Caught nothing\n", "something else\n", kernel[1]]);
        assert!(w.fault.is_none());
    }

    #[test]
    fn only_marked_lines_after_the_hand_over_are_the_root_tasks() {
        let w = Watch::new(false);
        assert_eq!(w.source(&user("before the hand-over")), Source::System);
        let (w, _) = after_boot(&[]);
        assert_eq!(w.source(&user("Hello")), Source::User);
        assert_eq!(w.source("Caught cap fault\n"), Source::System);
        // Without kernel printing the runner starts out booted: the root task's lines are known at once.
        let w = Watch::new(true);
        assert_eq!(w.source(&user("Hello")), Source::User);
        assert_eq!(w.source("SeaBIOS (version 1.16)\n"), Source::System);
    }

    #[test]
    fn lines_are_passed_on_without_the_mark_or_line_ends() {
        let (mut w, _) = after_boot(&[]);
        assert_eq!(w.line(&user("Hello from seL4!"), Instant::now()).0, "Hello from seL4!");
    }

    fn args(arch: Arch) -> Vec<String> {
        let q = QemuConfig::default();
        let boot = Boot {
            kernel: Path::new("k.elf"),
            root_task: Path::new("r.elf"),
            arch,
            qemu: &q,
            kernel_printing: true,
        };
        let cmd = command(&boot, Path::new("s.txt"));
        assert_eq!(cmd.get_program(), arch.qemu_binary());
        cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn each_architecture_gets_its_machine_console_and_exit_path() {
        let x86 = args(Arch::X86_64).join(" ");
        assert!(
            x86.contains("-machine pc -cpu qemu64 -m 512M") && x86.contains("-initrd r.elf"),
            "{x86}"
        );
        assert!(x86.contains("isa-debug-exit,iobase=0xf4"), "{x86}");
        let arm = args(Arch::Aarch32).join(" ");
        assert!(arm.contains("-machine sabrelite -smp 1 -m 1G"), "{arm}");
        // The kernel's console is the second serial port, on stdout; semihosting has a file of its own.
        assert!(
            arm.contains("-chardev stdio,id=console -chardev file,id=semihosting,path=s.txt"),
            "{arm}"
        );
        assert!(arm.contains("-serial null -serial chardev:console"), "{arm}");
        assert!(
            arm.contains("-semihosting-config enable=on,userspace=on,chardev=semihosting"),
            "{arm}"
        );
        assert!(arm.ends_with("-kernel k.elf") && !arm.contains("-initrd"), "{arm}");
    }

    #[test]
    fn a_loader_refusal_is_a_boot_failure() {
        let mut w = Watch::new(false);
        let (_, ends) = w.line(
            "selkie-loader: cannot boot: EntryOutsideImage { entry: 9437184 }\r\n",
            Instant::now(),
        );
        assert!(matches!(ends, Some(Outcome::BootFailed(l)) if l.contains("EntryOutsideImage")));
    }

    #[test]
    fn the_runtimes_console_line_is_the_hand_over_on_a_kernel_that_cannot_print() {
        let mut w = Watch::new(false);
        w.line(&format!("{LOADER_ENTERING} at 0xe0000000\r\n"), Instant::now());
        assert!(!w.booted, "the loader's line is not the hand-over");
        w.line(&format!("{CONSOLE_UP}\n"), Instant::now());
        assert!(w.booted);
        // Only the runtime's line as it prints it, not text that contains it.
        let mut w = Watch::new(false);
        w.line(&format!("echo: {CONSOLE_UP}\n"), Instant::now());
        assert!(!w.booted);
    }

    #[test]
    fn a_boot_hang_says_what_to_check_on_each_architecture() {
        let hang = |arch, printing, last: Option<&str>| {
            Outcome::BootHang(
                Duration::from_secs(10),
                last.map(str::to_string),
                HungKernel { arch, printing },
            )
            .to_string()
        };
        let x86 = hang(Arch::X86_64, true, None);
        assert!(
            x86.contains("CPU feature") && x86.contains("qemu.cpu_features"),
            "{x86}"
        );
        let entered = format!("{LOADER_ENTERING} at 0xe0000000");
        for m in [
            hang(Arch::Aarch32, true, Some("Bootstrapping kernel")),
            hang(Arch::Aarch32, false, Some(&entered)),
            hang(Arch::Aarch32, false, None),
        ] {
            assert!(!m.contains("CPU feature"), "{m}");
        }
        let verified = hang(Arch::Aarch32, false, Some(&entered));
        assert!(
            verified.contains("entered the kernel") && verified.contains("without `verified = true`"),
            "{verified}"
        );
        assert!(hang(Arch::Aarch32, false, None).contains("the loader did not run"));
    }

    #[test]
    fn firmware_escape_sequences_are_removed() {
        assert_eq!(
            strip_escapes("\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16)"),
            "SeaBIOS (version 1.16)"
        );
        assert_eq!(strip_escapes("plain"), "plain");
    }
}
