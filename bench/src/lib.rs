//! selkie's measurements, written as one report by `cargo bench -p selkie-bench`.
//!
//! Each part of the report is a [`report::Section`] made by its own module; `benches/report.rs` runs them in
//! order and writes `target/selkie/bench/report.md` (the text) and `report.json` (the raw numbers).

#![warn(missing_docs)]

pub mod boot_time;
pub mod compile_scaling;
pub mod qemu_cost;
pub mod queue_host;
pub mod report;
pub mod size;
pub mod stats;

/// The bare-metal target root tasks are built for.
pub const BARE_TARGET: &str = "x86_64-unknown-none";
