//! Run-time cost inside QEMU: the bench image (`bench/images`) measures each operation three ways in one boot
//! (selkie's typed API, the raw `selkie-sys` calls, libsel4's own C stubs) as guest `rdtsc` deltas under
//! `-icount shift=0`, where the counter advances with executed instructions and the figures repeat exactly.
//!
//! [`measure`] builds the image, boots it twice and refuses numbers that differ between the two boots;
//! [`section`] turns them into the report's table with the typed/raw and typed/C ratios.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use selkie_kernel::{Config, Error};
use selkie_tool::{build_root_tasks, BuildOptions, RootTask};

use crate::report::Section;

/// The three implementations of every operation, in the image's words.
pub const VARIANTS: [&str; 3] = ["typed", "raw", "c"];

/// What each operation does, in report order (the image's names).
pub const OPERATIONS: [(&str, &str); 7] = [
    (
        "ipc_call",
        "IPC call + reply-receive, one word (fast path), root task to a server process",
    ),
    (
        "ipc_long",
        "IPC call + reply-receive, 16 words (IPC buffer), root task to a server process",
    ),
    ("signal_wait", "notification signal + wait"),
    (
        "retype",
        "untyped retype of an endpoint, memory reused (typed: `with_closed`, retype + revoke; raw and C: retype + delete)",
    ),
    ("copy_delete", "CNode copy + delete of an endpoint capability"),
    (
        "map_unmap",
        "frame map + unmap, 4 KiB in the root task's own address space (typed: `VSpace::map`, `Region::unmap`)",
    ),
    (
        "queue",
        "queue push (signalling the consumer) + pop, one thread (C: a hand-written ring)",
    ),
];

/// Why an operation's typed variant costs more than libsel4's C (shown for each typed/C above 1.02): which
/// instructions, and why they stay.
pub const EXPLANATIONS: [(&str, &str); 5] = [
    (
        "ipc_long",
        "the 16 words are copied between the IPC buffer and a `Long` value on both sides, and the responder's \
         handler takes the request and returns the response by value (two more 128-byte copies); the raw and C \
         loops work in the IPC buffer in place. Typed messages are values the caller owns, so one copy in and one \
         out per side stay; the per-word cost was cut from the first measurement (typed/C 1.663: a 960-byte \
         staging buffer zeroed on every receive, and `memcpy` calls per word).",
    ),
    (
        "retype",
        "`with_closed` makes the two kernel calls the raw loop makes, a retype and a revoke of the untyped where \
         the raw loop deletes its one slot: the kernel's revoke walks the untyped's children, which costs a little \
         more than deleting one known slot (typed/raw 1.08; typed/C below 1). The revoke stays because the scope \
         promises that nothing made from the memory survives it, wherever the kernel keeps a copy (a TCB's slots, \
         another CSpace), without knowing which slots the closure used. `with_temporary`, which also lets \
         outside capabilities into its slots, adds one delete per lent slot (3013 ticks here).",
    ),
    (
        "map_unmap",
        "`VSpace::map` checks the address's alignment and range and that it overlaps no mapping it made, finds the \
         page table in its list of paging structures, records the mapping and hands the unused paging memory and \
         slots back; `Region::unmap` checks that the region is mapped in that address space and forgets the \
         record. This bookkeeping is what turns a misplaced mapping into an error with the addresses instead of \
         the kernel's `DeleteFirst`, and what lets a region's type say where it is mapped.",
    ),
    (
        "queue",
        "`cross-queue` keeps offsets, not pointers (each party may map the region at its own address), and checks \
         its indices against the capacity on every push and pop; the C ring is a minimal one on static memory. \
         Typed against raw (the same `cross-queue` calls) the cost is the push's retry loop and the pop's loop \
         structure.",
    ),
    (
        "ipc_call",
        "the reply's label and length are checked (and a responder's error reply recognised) before the words \
         become a `Ping`: a compare and two branches more than the raw loop, which trusts the server.",
    ),
];

/// One operation's figures: ticks per iteration of each variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    /// The typed API.
    pub typed: f64,
    /// The raw `selkie-sys` calls.
    pub raw: f64,
    /// libsel4's C stubs.
    pub c: f64,
}

impl Cost {
    /// typed / raw.
    pub fn typed_over_raw(&self) -> f64 {
        self.typed / self.raw
    }

    /// typed / C.
    pub fn typed_over_c(&self) -> f64 {
        self.typed / self.c
    }
}

/// What one boot of the bench image measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Iterations of each operation in each variant.
    pub iterations: u64,
    /// Ticks per iteration by operation, in report order.
    pub costs: Vec<(String, Cost)>,
    /// The guest's counter at the root task's first instruction (ticks since QEMU started the machine). Unlike
    /// the costs, it varies a little from boot to boot: the firmware and the kernel's boot wait on devices whose
    /// timing follows the host's clock.
    pub boot_ticks: u64,
    /// QEMU's wall-clock time for the whole run.
    pub wall_secs: f64,
}

/// Which of the image's binaries to run: the benchmark, or one iteration of each operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Image {
    /// `qemu_cost`: many iterations, for the report.
    Full,
    /// `qemu_cost_smoke`: one iteration of each, for the smoke test.
    Smoke,
}

impl Image {
    fn name(self) -> &'static str {
        match self {
            Image::Full => "qemu_cost",
            Image::Smoke => "qemu_cost_smoke",
        }
    }
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The configuration the image is built and booted with (`bench/selkie.toml`: `icount = true`).
pub fn config_path() -> PathBuf {
    bench_dir().join("selkie.toml")
}

/// Builds the bench image (release profile, the examples' opt-level "s") and returns the binary asked for.
pub fn build(image: Image) -> Result<RootTask, Error> {
    let target = selkie_kernel::workspace_target_dir();
    let home = selkie_kernel::home_in(&target);
    let tasks = build_root_tasks(&BuildOptions {
        manifest: &bench_dir().join("images").join("Cargo.toml"),
        packages: &[],
        release: true,
        target_dir: &target.join("bare"),
        home: &home,
        config: Some(&config_path()),
    })?;
    tasks
        .into_iter()
        .find(|t| t.name == image.name())
        .ok_or_else(|| Error::Config(format!("the bench image `{}` was not built", image.name())))
}

/// Boots `task` once under `-icount shift=0` and reads its figures.
pub fn boot(task: &RootTask) -> Result<Measurement, String> {
    let config = Config::load(&config_path()).map_err(|e| e.to_string())?;
    if !config.qemu.icount {
        return Err(format!("{} must set `icount = true`", config_path().display()));
    }
    let target = selkie_kernel::workspace_target_dir();
    let home = selkie_kernel::home_in(&target);
    let booted = selkie_tool::boot(&task.path, &config, &home, &mut |_| {}).map_err(|e| e.to_string())?;
    let r = booted.report;
    if !r.outcome.is_success() {
        return Err(format!("the bench image failed: {}\n{}", r.outcome, r.log));
    }
    parse(&r.log, r.elapsed.as_secs_f64())
}

/// Reads the image's `selkie-bench` lines from a console log.
pub fn parse(log: &str, wall_secs: f64) -> Result<Measurement, String> {
    let mut raw: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    let mut boot_ticks = None;
    let mut done = false;
    for line in log.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["selkie-bench", op, variant, n, t] => {
                let n: u64 = n.parse().map_err(|_| format!("bad line: {line}"))?;
                let t: u64 = t.parse().map_err(|_| format!("bad line: {line}"))?;
                raw.insert((op.to_string(), variant.to_string()), (n, t));
            }
            ["selkie-bench-boot", t] => boot_ticks = Some(t.parse().map_err(|_| format!("bad line: {line}"))?),
            ["selkie-bench-done"] => done = true,
            _ => {}
        }
    }
    if !done {
        return Err("the bench image did not finish (no `selkie-bench-done`)".into());
    }
    let mut iterations = None;
    let mut costs = Vec::new();
    for (op, _) in OPERATIONS {
        let mut per = [0f64; 3];
        for (i, v) in VARIANTS.iter().enumerate() {
            let (n, t) = raw
                .get(&(op.to_string(), v.to_string()))
                .ok_or_else(|| format!("no figure for {op} ({v})"))?;
            if *n == 0 || iterations.is_some_and(|m| m != *n) {
                return Err(format!("{op} ({v}) ran {n} iterations"));
            }
            iterations = Some(*n);
            per[i] = *t as f64 / *n as f64;
        }
        costs.push((
            op.to_string(),
            Cost {
                typed: per[0],
                raw: per[1],
                c: per[2],
            },
        ));
    }
    Ok(Measurement {
        iterations: iterations.unwrap_or(0),
        costs,
        boot_ticks: boot_ticks.ok_or("no `selkie-bench-boot` line")?,
        wall_secs,
    })
}

/// Builds the full image and boots it twice; an error if the two boots' in-QEMU costs differ. Returns both
/// boots' measurements.
pub fn measure() -> Result<[Measurement; 2], String> {
    let task = build(Image::Full).map_err(|e| e.to_string())?;
    let first = boot(&task)?;
    let second = boot(&task)?;
    if first.costs != second.costs {
        return Err(format!(
            "the in-QEMU figures differ between two boots under -icount:\n{:?}\n{:?}",
            first.costs, second.costs
        ));
    }
    Ok([first, second])
}

/// The report's section: ticks per iteration, the ratios, and that two boots agreed.
pub fn section(m: &Measurement) -> Section {
    let mut md = format!(
        "Guest `rdtsc` ticks per iteration under `qemu -icount shift=0` (the counter advances with executed \
         instructions), {} iterations of each, all in one boot of `bench/images` built with the examples' profile \
         (opt-level \"s\", LTO). `c` is libsel4's own inline stubs from the embedded kernel tree, compiled into the \
         same image. Two boots gave identical figures (checked by the bench). The IPC server is a process of its \
         own (its own address space and CSpace, started from the same image) at the root task's priority; the \
         typed one holds its channel ends as typed process parameters, the raw and C ones their endpoints.\n\n\
         | operation | typed | raw | C (libsel4) | typed/raw | typed/C |\n| --- | ---: | ---: | ---: | ---: | ---: |\n",
        m.iterations
    );
    let mut rows = Vec::new();
    for (op, c) in &m.costs {
        let what = OPERATIONS.iter().find(|(o, _)| o == op).map_or("", |(_, w)| *w);
        md.push_str(&format!(
            "| {what} | {:.1} | {:.1} | {:.1} | {:.3} | {:.3} |\n",
            c.typed,
            c.raw,
            c.c,
            c.typed_over_raw(),
            c.typed_over_c()
        ));
        rows.push(serde_json::json!({
            "operation": op, "typed": c.typed, "raw": c.raw, "c": c.c,
            "typed_over_raw": c.typed_over_raw(), "typed_over_c": c.typed_over_c(),
        }));
    }
    let mut notes = String::new();
    for (op, c) in &m.costs {
        if c.typed_over_c() > 1.02 {
            let why = EXPLANATIONS
                .iter()
                .find(|(o, _)| o == op)
                .map_or("not explained yet", |(_, w)| *w);
            notes.push_str(&format!("- **{op}** (typed/C {:.3}): {why}\n", c.typed_over_c()));
        }
    }
    if !notes.is_empty() {
        md.push_str("\nWhere typed/C is above 1.02:\n\n");
        md.push_str(&notes);
    }
    Section {
        title: "Run-time cost in QEMU".into(),
        markdown: md,
        json: serde_json::json!({
            "iterations": m.iterations, "identical_across_two_boots": true, "operations": rows,
        }),
    }
}
