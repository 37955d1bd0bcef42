//! `cargo bench -p selkie-bench`: runs every measurement and writes the report.
//!
//! `SELKIE_BENCH_SIZES=1,8` and `SELKIE_BENCH_RUNS=1` make the compile-time measurement smaller (the default
//! is 1, 8, 32 and 128 processes, 3 runs); `SELKIE_BENCH_CORE=/other/checkout/core` builds the generated systems
//! with another version of selkie, to compare before and after a change.

use selkie_bench::report::{self, Section};
use selkie_bench::{boot_time, compile_scaling, qemu_cost, queue_host, size};

/// Items per queue run, and runs per queue and element size.
const QUEUE_ITEMS: u64 = 200_000;
const QUEUE_RUNS: usize = 3;

fn run() -> Result<Vec<Section>, String> {
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored: the report is always whole.
    let mut sections: Vec<Section> = Vec::new();
    let cost = qemu_cost::measure()?;
    sections.push(qemu_cost::section(&cost[0]));
    sections.push(boot_time::section(&cost, &boot_time::hello()?));
    let scaling = compile_scaling::measure(&compile_scaling::Options::from_env()?)?;
    sections.push(compile_scaling::section(&scaling));
    sections.push(queue_host::section(
        &queue_host::measure(QUEUE_ITEMS, QUEUE_RUNS)?,
        QUEUE_ITEMS,
    ));
    sections.push(size::section(&scaling));
    Ok(sections)
}

fn main() {
    let sections = run().unwrap_or_else(|e| fail(&format!("measuring failed: {e}")));
    match report::write(&report::out_dir(), &sections) {
        Ok(path) => println!("report written to {}", path.display()),
        Err(e) => fail(&format!("writing the report failed: {e}")),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
