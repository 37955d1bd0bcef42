//! `selkie qemu hello` on aarch32: the example root task, built with the `selkie` crate for
//! `armv7a-none-eabi`, boots on the imx6 kernel in `qemu-system-arm -M sabrelite`, prints its greeting and
//! the bootinfo summary (through the kernel's debug console, or QEMU's semihosting console on the verified
//! kernel, which cannot print), and ends the run with success (semihosting).

use std::process::Command;

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
    // `free CNode slots S..E: N for the root task from F, K kept by the untyped allocator`: the root task's
    // share and the allocator's add up to the kernel's free range, and the range ends at the 4096-slot root
    // CNode's end.
    let slots = numbers(line("free CNode slots"));
    let (start, end, mine, from, kept) = (slots[0], slots[1], slots[2], slots[3], slots[4]);
    assert_eq!(end, 4096, "{slots:?}");
    assert_eq!(end - start, mine + kept, "{slots:?}");
    assert_eq!(from, start + kept, "{slots:?}");
    // The IPC buffer is a 4 KiB page right after the image (linked at 64 KiB), below the kernel's window.
    let ipc = numbers(line("IPC buffer at"))[0];
    assert!(
        ipc.is_multiple_of(4096) && ipc > 0x1_0000 && ipc < 0xe000_0000,
        "{ipc:#x}"
    );
    let log = stderr.split("full log: ").nth(1).expect("the summary names the log");
    std::fs::read_to_string(log.trim_end().trim_end_matches(')')).unwrap()
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
fn qemu_hello_on_the_verified_imx6_kernel_prints_through_semihosting() {
    let log = hello(
        "aarch32-hello-verified",
        "[kernel]\narch = \"aarch32\"\nverified = true\n",
    );
    // The verified kernel cannot print: every line came from the root task, through QEMU's semihosting
    // console (the runtime's console on kernels without debug facilities).
    assert!(!log.contains("Booting all finished"), "{log}");
    assert!(log.contains("Hello from seL4!"), "{log}");
}
