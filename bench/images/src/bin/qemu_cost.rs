//! The in-QEMU cost benchmark, 1000 iteration(s) of each operation in each variant (see the library).
#![no_std]
#![no_main]

#[selkie::root_task]
fn main(boot: selkie::bootstrap::BootInfo) -> Result<(), selkie_bench_images::BenchError> {
    let first = selkie_bench_images::ticks();
    selkie_bench_images::run(boot, 1000, first)
}
