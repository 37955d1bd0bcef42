//! Issue 4 on the real kernel: `take` hands the root task's resources over (a second `take` does not compile:
//! see compile-fail `bootstrap_taken_twice`), with the kernel types the typed layer claims and every free slot
//! accounted for. In an image of its own, since `take` consumes the bootstrap token.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use selkie::bootstrap::BootInfo;
use support::{expect_eq, expect_type, Fail};

selkie::test_main!();

#[selkie::test]
fn resources_are_handed_over_once(boot: BootInfo) -> Result<(), Fail> {
    let bi = boot.raw();
    let res = boot.take()?;
    expect_type("root CNode", &res.cspace)?;
    expect_type("root TCB", &res.tcb)?;
    expect_type("root VSpace", &res.vspace)?;
    expect_type("IRQ control", &res.irq_control)?;
    expect_type("ASID control", &res.asid_control)?;
    expect_type("ASID pool", &res.asid_pool)?;
    #[cfg(target_arch = "x86_64")]
    expect_type("I/O ports", &res.io_ports)?;
    expect_type("domain", &res.domain)?;
    // A machine word: u32 on aarch32.
    #[allow(clippy::useless_conversion)]
    let free: u64 = (bi.empty.end - bi.empty.start).into();
    expect_eq(
        "free slots handed over",
        free,
        (res.slots.len() + res.untyped.slots_left()) as u64,
    )?;
    Ok(())
}
