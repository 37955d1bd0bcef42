//! Issue 4 on the real kernel: the root task's resources are handed over once, their capabilities have the
//! kernel types the typed layer claims, and running out of memory or slots is an error with the numbers,
//! after which the root task goes on.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use selkie::bootstrap::BootInfo;
use selkie::sys;
use selkie::typenum::{U12, U4096, U47};
use selkie::{Cap, Error, Notification};
use support::{expect_eq, expect_type, Fail};

selkie::test_main!();

#[selkie::test]
fn running_out_is_an_error_with_numbers_and_the_root_task_goes_on(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let largest = res.untyped.largest_free_bits().ok_or(Fail::Missing("general untyped memory"))?;
        match res.untyped.alloc::<U47>() {
            Err(Error::UntypedExhausted { requested_bits, largest_bits }) => {
                expect_eq("requested size in the error", 47, requested_bits.into())?;
                expect_eq("largest size in the error", largest.into(), largest_bits.map_or(0, u64::from))?;
                selkie::println!("as expected: {}", Error::UntypedExhausted { requested_bits, largest_bits });
            }
            Err(e) => return Err(Fail::Selkie(e)),
            Ok(_) => return Err(Fail::Succeeded("allocating 2^47 bytes")),
        }
        let available = res.slots.len();
        match res.slots.alloc::<U4096>() {
            Err(e @ Error::SlotsExhausted { requested: 4096, available: left }) => {
                expect_eq("slots left in the error", available as u64, left as u64)?;
                selkie::println!("as expected: {e}");
            }
            Err(e) => return Err(Fail::Selkie(e)),
            Ok(_) => return Err(Fail::Succeeded("taking 4096 slots from a 4096-slot CNode")),
        }
        expect_eq("slots left after the failed request", available as u64, res.slots.len() as u64)?;
        // The allocator and the slot pool still work.
        let n: Cap<Notification> = res.untyped.alloc::<U12>()?.retype(res.slots.alloc()?)?;
        expect_type("notification made after the errors", &n)
    })
}

#[selkie::test]
fn resources_are_handed_over_once(boot: &mut BootInfo) -> Result<(), Fail> {
    let res = boot.take()?;
    expect_type("root CNode", &res.cspace)?;
    expect_type("root TCB", &res.tcb)?;
    expect_type("root VSpace", &res.vspace)?;
    expect_type("IRQ control", &res.irq_control)?;
    expect_type("ASID control", &res.asid_control)?;
    expect_type("ASID pool", &res.asid_pool)?;
    expect_type("I/O ports", &res.io_ports)?;
    expect_type("domain", &res.domain)?;
    let bi = boot.raw();
    let free = bi.empty.end - bi.empty.start;
    expect_eq("free slots handed over", free, (res.slots.len() + res.untyped.slots_left()) as u64)?;
    match boot.take() {
        Err(Error::AlreadyTaken) => {}
        Err(e) => return Err(Fail::Selkie(e)),
        Ok(_) => return Err(Fail::Succeeded("a second take")),
    }
    match boot.lend(|_| Ok::<(), Error>(())) {
        Err(Error::AlreadyTaken) => Ok(()),
        Err(e) => Err(Fail::Selkie(e)),
        Ok(()) => Err(Fail::Succeeded("lending after take")),
    }?;
    let _ = sys::CAP_NULL;
    Ok(())
}
