//! The smallest selkie system: a root task that prints a greeting and a summary of what the kernel handed
//! over, then ends the run successfully. Boot it with `cargo qemu hello`.
#![no_std]
#![no_main]

use selkie::bootstrap::BootInfo;
use selkie::println;

#[selkie::root_task]
fn main(boot: BootInfo) -> Result<(), selkie::Error> {
    println!("Hello from seL4!");
    // The kernel's facts, as handed over...
    let raw = boot.raw();
    let (untyped, empty, ipc_buffer) = (raw.untyped, raw.empty, raw.ipc_buffer);
    let (empty_start, empty_end) = (empty.start, empty.end);
    // Slots the runtime took before `main` (on a kernel that cannot print: its UART console's).
    let runtime_slots = boot.runtime_slots();
    // ...and as typed resources: this is the one hand-over of the root task's capabilities.
    let res = boot.take()?;
    let general = res.untyped.free_bytes();
    println!(
        "  {} untyped capabilities, {} MiB of general memory (largest block 2^{} bytes)",
        untyped.end - untyped.start,
        general >> 20,
        res.untyped.largest_free_bits().unwrap_or(0)
    );
    println!(
        "  free CNode slots {:#x}..{:#x}: {} for the root task from {:#x}, {} kept by the untyped allocator",
        empty_start,
        empty_end,
        res.slots.len(),
        res.slots.start(),
        res.untyped.slots_left()
    );
    if runtime_slots > 0 {
        println!("  {runtime_slots} of them used by the runtime's UART console");
    }
    println!("  IPC buffer at {:#x}", ipc_buffer as usize);
    Ok(())
}
