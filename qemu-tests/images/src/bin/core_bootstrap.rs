//! Issue 4 on the real kernel: running out of memory or slots is an error with the numbers, after which the
//! root task goes on.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use selkie::bootstrap::BootInfo;
use selkie::typenum::{U12, U4096, U47};
use selkie::{Cap, Error, Notification};
use support::{expect_eq, expect_type, Fail};

selkie::test_main!();

#[selkie::test]
fn running_out_is_an_error_with_numbers_and_the_root_task_goes_on(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let largest = res
            .untyped
            .largest_free_bits()
            .ok_or(Fail::Missing("general untyped memory"))?;
        match res.untyped.alloc::<U47>() {
            Err(Error::UntypedExhausted {
                requested_bits,
                largest_bits,
            }) => {
                expect_eq("requested size in the error", 47, requested_bits.into())?;
                expect_eq(
                    "largest size in the error",
                    largest.into(),
                    largest_bits.map_or(0, u64::from),
                )?;
                selkie::println!(
                    "as expected: {}",
                    Error::UntypedExhausted {
                        requested_bits,
                        largest_bits
                    }
                );
            }
            Err(e) => return Err(Fail::Selkie(e)),
            Ok(_) => return Err(Fail::Succeeded("allocating 2^47 bytes")),
        }
        let available = res.slots.len();
        match res.slots.alloc::<U4096>() {
            Err(
                e @ Error::SlotsExhausted {
                    requested: 4096,
                    available: left,
                },
            ) => {
                expect_eq("slots left in the error", available as u64, left as u64)?;
                selkie::println!("as expected: {e}");
            }
            Err(e) => return Err(Fail::Selkie(e)),
            Ok(_) => return Err(Fail::Succeeded("taking 4096 slots from a 4096-slot CNode")),
        }
        expect_eq(
            "slots left after the failed request",
            available as u64,
            res.slots.len() as u64,
        )?;
        // The allocator and the slot pool still work.
        let n: Cap<Notification, _> = res.untyped.alloc::<U12>()?.retype(res.slots.alloc()?)?;
        expect_type("notification made after the errors", &n)
    })
}
