//! Boot time: how far the guest's counter has run when the root task executes its first instruction (under
//! `-icount shift=0`, from the bench image), and the wall-clock time of `hello` from QEMU's start to its exit.

use std::path::Path;
use std::time::Duration;

use selkie_kernel::Config;
use selkie_tool::{build_root_tasks, BuildOptions};

use crate::qemu_cost::Measurement;
use crate::report::Section;

/// How many times `hello` is booted; the median is reported.
pub const HELLO_RUNS: usize = 3;

/// Builds `examples/hello` (release, default configuration) and boots it [`HELLO_RUNS`] times, without
/// `-icount`, as `cargo qemu hello` does; returns each run's wall-clock time, QEMU start to exit.
pub fn hello() -> Result<Vec<Duration>, String> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let target = selkie_kernel::workspace_target_dir();
    let home = selkie_kernel::home_in(&target);
    let built = build_root_tasks(&BuildOptions {
        manifest: &examples.join("Cargo.toml"),
        packages: &["hello"],
        release: true,
        target_dir: &target.join("bare"),
        home: &home,
        config: None,
    })
    .map_err(|e| e.to_string())?;
    let hello = built
        .iter()
        .find(|t| t.name == "hello")
        .ok_or("cargo built no `hello`")?;
    let mut times = Vec::new();
    for _ in 0..HELLO_RUNS {
        let booted =
            selkie_tool::boot(&hello.path, &Config::default(), &home, &mut |_| {}).map_err(|e| e.to_string())?;
        if !booted.report.outcome.is_success() {
            return Err(format!("hello failed: {}", booted.report.outcome));
        }
        times.push(booted.report.elapsed);
    }
    Ok(times)
}

/// The report's section: guest ticks to the root task's first instruction (in each boot of the bench image),
/// and hello's median wall time.
pub fn section(boots: &[Measurement], hello: &[Duration]) -> Section {
    let ticks: Vec<u64> = boots.iter().map(|m| m.boot_ticks).collect();
    let shown: Vec<String> = ticks.iter().map(u64::to_string).collect();
    let mut sorted: Vec<f64> = hello.iter().map(Duration::as_secs_f64).collect();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
    let markdown = format!(
        "| what | figure | how |\n| --- | ---: | --- |\n\
         | machine start to the root task's first instruction | {} ticks | guest `rdtsc` under `-icount shift=0`, \
         one figure per boot (firmware, kernel boot and hand-over; these vary slightly, as the firmware and the \
         kernel wait on emulated devices whose timing follows the host clock) |\n\
         | `hello`, QEMU start to exit | {:.2} s | host wall clock, median of {} runs without `-icount` \
         (this machine, TCG) |\n",
        shown.join(", "),
        median,
        hello.len()
    );
    Section {
        title: "Boot time".into(),
        markdown,
        json: serde_json::json!({
            "root_task_first_instruction_ticks": ticks,
            "hello_wall_secs": sorted,
            "hello_wall_secs_median": median,
        }),
    }
}
