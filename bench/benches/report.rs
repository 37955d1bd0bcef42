//! `cargo bench -p selkie-bench`: runs every measurement and writes the report.
//!
//! `SELKIE_BENCH_SIZES=1,8` and `SELKIE_BENCH_RUNS=1` make the compile-time measurement smaller (the default
//! is 1, 8, 32 and 128 processes, 3 runs); `SELKIE_BENCH_CORE=/other/checkout/core` builds the generated systems
//! with another version of selkie, to compare before and after a change.

use selkie_bench::report::{self, Section};
use selkie_bench::{compile_scaling, queue_host, size};

/// Items per queue run, and runs per queue and element size.
const QUEUE_ITEMS: u64 = 200_000;
const QUEUE_RUNS: usize = 3;

fn run() -> Result<Vec<Section>, String> {
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored: the report is always whole.
    let mut sections: Vec<Section> = Vec::new();
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
    let sections = match run() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("measuring failed: {e}");
            std::process::exit(1);
        }
    };
    match report::write(&report::out_dir(), &sections) {
        Ok(path) => println!("report written to {}", path.display()),
        Err(e) => {
            eprintln!("writing the report failed: {e}");
            std::process::exit(1);
        }
    }
}
