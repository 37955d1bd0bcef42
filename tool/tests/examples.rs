//! The example systems of `examples/`, booted as a user boots them (`selkie qemu <example>`), their output
//! checked against what each promises. Each example's root task checks its own tallies and fails the run (a
//! non-zero exit) when they are wrong; these tests also read the values it printed.

use std::process::Command;

/// The architectures an example is booted on: x86_64 with the default configuration, aarch32 (imx6) with its
/// debug kernel or the verified configuration, each named by the `selkie.toml` a user would write.
#[derive(Clone, Copy, Debug)]
enum Kernel {
    X86_64,
    Aarch32,
    Aarch32Verified,
}

/// Boots `examples/<name>` on `kernel`, as a user does (`selkie qemu <name>`, with `SELKIE_CONFIG` naming a
/// `selkie.toml` for aarch32); returns its exit success and its standard output.
fn boot(name: &str, kernel: Kernel) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_selkie"));
    let toml = match kernel {
        Kernel::X86_64 => None,
        Kernel::Aarch32 => Some("[kernel]\narch = \"aarch32\"\n"),
        Kernel::Aarch32Verified => Some("[kernel]\narch = \"aarch32\"\nverified = true\n"),
    };
    match toml {
        None => cmd.env_remove("SELKIE_CONFIG"),
        Some(toml) => {
            let dir = selkie_kernel::workspace_target_dir().join(format!("examples-{name}-{kernel:?}"));
            std::fs::create_dir_all(&dir).unwrap();
            let config = dir.join("selkie.toml");
            std::fs::write(&config, toml).unwrap();
            cmd.env("SELKIE_CONFIG", config)
        }
    };
    let out = cmd.args(["qemu", name]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.success(), format!("{stdout}\n--- stderr ---\n{stderr}"))
}

/// The one line of `text` starting with `prefix` (after the runtime's invisible line marker).
fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    let found: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches("\u{1b}[0m"))
        .filter(|l| l.starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "one line starting with {prefix:?}:\n{text}");
    found[0]
}

/// Checks that every process printed on the board's console, none through QEMU's semihosting console (real
/// hardware has none): on the verified kernel, child processes print through the UART the root task's runtime
/// maps for them. `child_line` is a line a child process printed; it must be in the run's console log.
fn printed_on_the_console(out: &str, child_line: &str) {
    assert!(
        !out.contains(selkie_kernel::qemu::SEMIHOSTING_MARK),
        "no line through semihosting:\n{out}"
    );
    assert!(
        full_log(out).contains(child_line),
        "{child_line:?} on the console:\n{out}"
    );
}

/// Where `needle` is in `text` (it must be there).
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in the output:\n{text}"))
}

/// Boots the sensor pipeline on `kernel` and checks what it promises: the injected fault reached the
/// supervisor as a VM fault at the unmapped address, the filter was restarted and replayed the sample in
/// flight, and every reading arrived, in order, with the checksum computed here.
fn sensor_pipeline_on(kernel: Kernel) {
    // What the pipeline must deliver, computed here independently of the guest: 48 samples of the sensor's
    // wave, calibrated to tenths of a degree Fahrenheit, folded in order.
    let expected = (1..=48u64).fold(0u64, |sum, seq| {
        let raw = 180 + (seq * 37) % 90;
        sum.wrapping_mul(31).wrapping_add(raw * 9 / 5 + 320)
    });
    let (ok, out) = boot("sensor-pipeline", kernel);
    assert!(ok, "the root task's own checks passed:\n{out}");
    // The injected fault reached the supervisor as a VM fault at the unmapped address, on sample 20...
    let fault = line(&out, "supervisor: the filter faulted");
    assert!(
        fault.starts_with("supervisor: the filter faulted (VM fault at 0x30000000, ip 0x")
            && fault.ends_with(") on sample 20; restarting it"),
        "{out}"
    );
    // ...the filter was restarted (its second run) and replayed the sample in flight from its journal...
    let replay = at(
        &out,
        "filter: started again (run 2), replaying sample 20 from its journal",
    );
    assert!(at(&out, "supervisor: the filter faulted") < replay, "{out}");
    // ...and every reading reached the logger, in order: none lost, none duplicated.
    assert!(!out.contains("out of order"), "{out}");
    let tally = format!("logger: tally: 48 readings, 48 in order, last 48, checksum {expected:#x}");
    assert!(replay < at(&out, &tally), "{out}");
    let summary = format!(
        "pipeline: 48 of 48 readings arrived, in order, checksum {expected:#x}; the filter faulted at 0x30000000 \
         and was restarted 1 time(s)"
    );
    assert_eq!(line(&out, "pipeline: 48 of 48"), summary, "{out}");
    // The kernel that ran was the one asked for: the debug kernels print their boot log, the verified one
    // cannot print at all.
    let log = full_log(&out);
    printed_on_the_console(&out, &tally);
    let kernel_printed = log.contains("Booting all finished");
    assert_eq!(
        kernel_printed,
        !matches!(kernel, Kernel::Aarch32Verified),
        "{kernel:?}: {log}"
    );
}

/// The run's whole console log (firmware and kernel included), from the file the summary line names.
fn full_log(out: &str) -> String {
    let path = out
        .split("full log: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("the summary names the log:\n{out}"));
    std::fs::read_to_string(path.trim_end().trim_end_matches(')')).unwrap()
}

#[test]
fn sensor_pipeline_restarts_the_faulted_filter_and_delivers_every_reading_in_order() {
    sensor_pipeline_on(Kernel::X86_64);
}

/// The same system on aarch32's debug kernel: the driver's timer is the i.MX6's EPIT1 (its registers mapped in
/// the driver only), everything else is the same code, with the same output.
#[test]
fn sensor_pipeline_on_aarch32_restarts_the_faulted_filter_and_delivers_every_reading_in_order() {
    sensor_pipeline_on(Kernel::Aarch32);
}

/// The same system on the verified configuration (the kernel built from the tree's own imx6 verification
/// configuration: no kernel printing, no debug calls), with the same checks.
#[test]
fn sensor_pipeline_on_the_verified_imx6_kernel_restarts_the_faulted_filter_and_delivers_every_reading() {
    sensor_pipeline_on(Kernel::Aarch32Verified);
}

/// Boots the client / server / driver system on `kernel` and checks every answer against what is computed
/// here, and that the driver wrote each line to the serial port before the client had its answer. On the
/// verified kernel the driver's UART is UART1 (the runtime's console has UART2), which the runner does not
/// show: there no line of the driver's may appear on the console.
fn client_server_driver_on(kernel: Kernel) {
    let (ok, out) = boot("client-server-driver", kernel);
    assert!(ok, "the root task's own checks passed:\n{out}");
    let driver_uart_shown = !matches!(kernel, Kernel::Aarch32Verified);
    if !driver_uart_shown {
        assert!(!out.contains("serial: "), "{out}");
    }
    for i in 1..=4u64 {
        // The driver wrote the server's upper-cased text to the serial port (COM1 through its own ports, or
        // the UART through its own mapping of the registers)...
        let text = format!("HELLO FROM THE CLIENT, REQUEST {i}");
        // ...and the client got the checksum of that text (computed here, not by the guest), the number of bytes
        // written, and saw the server's change through its own mapping of the shared region.
        let sum: u64 = text.bytes().map(u64::from).sum();
        let answer = format!(
            "client: request {i}: checksum {sum} (region upper-cased: true), {} bytes written",
            text.len()
        );
        assert_eq!(line(&out, &format!("client: request {i}:")), answer, "{out}");
        if driver_uart_shown {
            let serial = at(&out, &format!("serial: {text}\n"));
            assert!(
                serial < at(&out, &answer),
                "the driver wrote before the client got its answer:\n{out}"
            );
        }
    }
    assert_eq!(
        line(&out, "client-server-driver:"),
        "client-server-driver: 4 of 4 requests answered, 4 checksums right, 4 fully written, 4 upper-cased in \
         the shared region",
        "{out}"
    );
    printed_on_the_console(&out, "client: request 4: checksum");
    let kernel_printed = full_log(&out).contains("Booting all finished");
    assert_eq!(kernel_printed, !matches!(kernel, Kernel::Aarch32Verified), "{kernel:?}");
}

#[test]
fn client_server_driver_answers_every_request_through_the_driver_and_the_shared_region() {
    client_server_driver_on(Kernel::X86_64);
}

/// The same system on aarch32: the driver owns the i.MX6's UART2 (its registers mapped in the driver only)
/// instead of COM1's ports.
#[test]
fn client_server_driver_on_aarch32_answers_every_request_through_the_driver_and_the_shared_region() {
    client_server_driver_on(Kernel::Aarch32);
}

/// The same system on the verified imx6 kernel, the driver on UART1 (the runtime's console has UART2).
#[test]
fn client_server_driver_on_the_verified_imx6_kernel_answers_every_request() {
    client_server_driver_on(Kernel::Aarch32Verified);
}
