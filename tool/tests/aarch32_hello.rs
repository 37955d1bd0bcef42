//! `selkie qemu hello` on aarch32: the example root task, built with the `selkie` crate for
//! `armv7a-none-eabi`, boots on the imx6 kernel in `qemu-system-arm -M sabrelite`, prints its greeting and
//! the bootinfo summary on the board's UART (through the kernel's debug console, or on the verified kernel,
//! which cannot print, through the runtime's user-space UART driver), and ends the run with success
//! (semihosting, whose console the runner keeps apart from the UART).

use std::process::Command;

use selkie_kernel::qemu::{CONSOLE_UP, LOADER_ENTERING, SEMIHOSTING_MARK};

/// The hexadecimal or decimal numbers in `line`, in order.
fn numbers(line: &str) -> Vec<u64> {
    line.split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(|w| match w.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => w.parse().ok(),
        })
        .collect()
}

/// Runs `selkie qemu hello` with the `selkie.toml` text `toml`, checks the greeting and the summary, and
/// returns the run's whole log.
fn hello(name: &str, toml: &str) -> String {
    let dir = selkie_kernel::workspace_target_dir().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("selkie.toml");
    std::fs::write(&config, toml).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_selkie"))
        .env("SELKIE_CONFIG", &config)
        .args(["qemu", "hello"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Hello from seL4!"), "{stdout}");
    assert!(stderr.contains("the root task reported success"), "{stderr}");

    // The summary, read back: the untyped count and the free slots as the kernel handed them over.
    let line = |prefix: &str| {
        stdout
            .lines()
            .map(str::trim)
            .find(|l| l.contains(prefix))
            .unwrap_or_else(|| panic!("no line with {prefix:?}: {stdout}"))
    };
    let untyped = numbers(line("untyped capabilities"));
    assert!(
        untyped[0] > 0 && untyped[1] > 0,
        "untyped caps and general memory: {untyped:?}"
    );
    // `free CNode slots S..E: N for the root task from F, K kept by the untyped allocator` (and, on a
    // kernel that cannot print, `R of them used by the runtime's UART console`): the root task's share, the
    // allocator's and the runtime's add up to the kernel's free range, and the range ends at the 4096-slot
    // root CNode's end.
    let slots = numbers(line("free CNode slots"));
    let (start, end, mine, from, kept) = (slots[0], slots[1], slots[2], slots[3], slots[4]);
    let runtime = stdout
        .lines()
        .find(|l| l.contains("used by the runtime's UART console"))
        .map_or(0, |l| numbers(l)[0]);
    assert_eq!(end, 4096, "{slots:?}");
    assert_eq!(
        end - start,
        mine + kept + runtime,
        "{slots:?} and {runtime} for the runtime"
    );
    assert_eq!(from, start + kept, "{slots:?}");
    // The IPC buffer is a 4 KiB page right after the image (linked at 64 KiB), below the kernel's window.
    let ipc = numbers(line("IPC buffer at"))[0];
    assert!(
        ipc.is_multiple_of(4096) && ipc > 0x1_0000 && ipc < 0xe000_0000,
        "{ipc:#x}"
    );
    let log = stderr.split("full log: ").nth(1).expect("the summary names the log");
    let log = std::fs::read_to_string(log.trim_end().trim_end_matches(')')).unwrap();
    // The loader says when it enters the kernel, on the UART.
    assert!(log.contains(LOADER_ENTERING), "{log}");
    // Every line came through the UART: nothing was printed on the semihosting console, which only ends
    // the run.
    assert!(!log.contains(SEMIHOSTING_MARK), "{log}");
    assert!(log.lines().any(|l| l.trim() == "Hello from seL4!"), "{log}");
    log
}

#[test]
fn qemu_hello_on_aarch32_prints_the_greeting_and_the_bootinfo_summary() {
    let log = hello("aarch32-hello", "[kernel]\narch = \"aarch32\"\n");
    // The kernel that ran was the ARM debug one: its boot log is in the run's log.
    assert!(
        log.contains("Bootstrapping kernel") && log.contains("Booting all finished"),
        "{log}"
    );
}

#[test]
fn qemu_hello_on_the_verified_imx6_kernel_prints_through_the_user_space_uart() {
    let log = hello(
        "aarch32-hello-verified",
        "[kernel]\narch = \"aarch32\"\nverified = true\n",
    );
    // The verified kernel cannot print: after the loader's line, every line came from the root task,
    // through the runtime's UART driver, which announced itself first (the runner's hand-over line for
    // such kernels).
    assert!(!log.contains("Booting all finished"), "{log}");
    let lines: Vec<&str> = log.lines().collect();
    let up = lines
        .iter()
        .position(|l| *l == CONSOLE_UP)
        .unwrap_or_else(|| panic!("no {CONSOLE_UP:?}: {log}"));
    let hello = lines.iter().position(|l| l.trim() == "Hello from seL4!").unwrap();
    assert!(up < hello, "{log}");
    // The driver's own resources: UART2's device untyped is 16 KiB, carved into the registers' frame and two
    // untypeds (4 KiB and 8 KiB) for the root task's allocator: three slots, the last of the free range.
    assert!(log.contains("  3 of them used by the runtime's UART console"), "{log}");
}
