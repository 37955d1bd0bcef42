//! selkie's measurements, written as one report by `cargo bench -p selkie-bench`.
//!
//! Each part of the report is a [`report::Section`] made by its own module; `benches/report.rs` runs them in
//! order and writes `target/selkie/bench/report.md` (the text) and `report.json` (the raw numbers).

pub mod boot_time;
pub mod qemu_cost;
pub mod report;
