//! `cargo bench -p selkie-bench`: runs every measurement and writes the report.

use selkie_bench::report::{self, Section};

fn main() {
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored: the report is always whole.
    let mut sections: Vec<Section> = Vec::new();
    let cost = selkie_bench::qemu_cost::measure().unwrap_or_else(|e| fail(&e));
    sections.push(selkie_bench::qemu_cost::section(&cost[0]));
    sections.push(selkie_bench::boot_time::section(
        &cost,
        &selkie_bench::boot_time::hello().unwrap_or_else(|e| fail(&e)),
    ));
    match report::write(&report::out_dir(), &sections) {
        Ok(path) => println!("report written to {}", path.display()),
        Err(e) => fail(&format!("writing the report failed: {e}")),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
