//! The example systems of `examples/`, booted as a user boots them (`selkie qemu <example>`), their output
//! checked against what each promises. Each example's root task checks its own tallies and fails the run (a
//! non-zero exit) when they are wrong; these tests also read the values it printed.

use std::process::Command;

/// Boots `examples/<name>`; returns its exit success and its standard output.
fn boot(name: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_selkie"))
        .env_remove("SELKIE_CONFIG")
        .args(["qemu", name])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.success(), format!("{stdout}\n--- stderr ---\n{stderr}"))
}

/// The one line of `text` starting with `prefix` (after the runtime's invisible line marker, if any).
fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    let found: Vec<&str> = text
        .lines()
        .map(|l| l.trim_start_matches("\u{1b}[0m"))
        .filter(|l| l.starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "one line starting with {prefix:?}:\n{text}");
    found[0]
}

/// Where `needle` is in `text` (it must be there).
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in the output:\n{text}"))
}

#[test]
fn sensor_pipeline_restarts_the_faulted_filter_and_delivers_every_reading_in_order() {
    // What the pipeline must deliver, computed here independently of the guest: 48 samples of the sensor's
    // wave, calibrated to tenths of a degree Fahrenheit, folded in order.
    let expected = (1..=48u64).fold(0u64, |sum, seq| {
        let raw = 180 + (seq * 37) % 90;
        sum.wrapping_mul(31).wrapping_add(raw * 9 / 5 + 320)
    });
    let (ok, out) = boot("sensor-pipeline");
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
}

#[test]
fn client_server_driver_answers_every_request_through_the_driver_and_the_shared_region() {
    let (ok, out) = boot("client-server-driver");
    assert!(ok, "the root task's own checks passed:\n{out}");
    for i in 1..=4u64 {
        // The driver wrote the server's upper-cased text to COM1 through its own ports...
        let text = format!("HELLO FROM THE CLIENT, REQUEST {i}");
        let serial = at(&out, &format!("serial: {text}\n"));
        // ...and the client got the checksum of that text (computed here, not by the guest), the number of bytes
        // written, and saw the server's change through its own mapping of the shared region.
        let sum: u64 = text.bytes().map(u64::from).sum();
        let answer = format!(
            "client: request {i}: checksum {sum} (region upper-cased: true), {} bytes written",
            text.len()
        );
        assert_eq!(line(&out, &format!("client: request {i}:")), answer, "{out}");
        assert!(
            serial < at(&out, &answer),
            "the driver wrote before the client got its answer:\n{out}"
        );
    }
    assert_eq!(
        line(&out, "client-server-driver:"),
        "client-server-driver: 4 of 4 requests answered, 4 checksums right, 4 fully written, 4 upper-cased in \
         the shared region",
        "{out}"
    );
}
