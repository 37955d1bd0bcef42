//! Issue 4 on the real kernel: untyped memory split, quartered and retyped into every object type, checked
//! with the kernel's debug cap-identify call; temporary scopes give memory back for reuse; a refused retype
//! hands its memory and slot back.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use selkie::bootstrap::{BootInfo, Resources};
use selkie::sys;
use selkie::typenum::{Sum, U1, U1024, U11, U12, U13, U16, U2, U20, U4, U6, U8};
use selkie::{
    smart_alloc, CNodeSlot, CNodeSlots, Cap, Endpoint, Error, Frame, FrameSize, KernelObject, LargePage, Local,
    Notification, Operation, PageDirectory, PageTable, Refused, Scope, Tcb, TcbBits, Untyped,
};
use support::{expect_eq, expect_slot, expect_type, expect_word, Fail};

/// The depth of a capability address that names a slot of the root CNode: one machine word.
const DEPTH: u8 = sys::WORD_BITS as u8;

selkie::test_main!();

/// Retypes fresh memory of exactly the object's size into a `T` and checks the kernel agrees on its type.
fn retype_one<T: KernelObject, S: Scope>(res: &mut Resources<S>, what: &'static str) -> Result<(), Fail>
where
    Untyped<T::SizeBits>: selkie::RetypeInto<T>,
    T::SizeBits: selkie::typenum::Unsigned,
{
    let mem = res.untyped.alloc::<T::SizeBits>()?;
    expect_type("fresh untyped", &mem)?;
    let cap: Cap<T, Local<S>> = mem.retype(res.slots.alloc()?)?;
    expect_type(what, &cap)
}

#[selkie::test]
fn every_object_type_retypes_and_the_kernel_agrees(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        retype_one::<Tcb, _>(res, "TCB")?;
        retype_one::<Endpoint, _>(res, "endpoint")?;
        retype_one::<Notification, _>(res, "notification")?;
        retype_one::<Frame, _>(res, "4 KiB frame")?;
        retype_one::<Frame<LargePage>, _>(res, "large frame")?;
        retype_one::<PageTable, _>(res, "page table")?;
        retype_one::<PageDirectory, _>(res, "page directory")?;
        arch::retype_the_others(res)?;
        let mem = res.untyped.alloc::<U12>()?;
        let (cnode, child_slots) = mem.retype_cnode::<U6>(res.slots.alloc()?)?;
        expect_type("CNode", &cnode)?;
        expect_eq("child CNode slots", 64, child_slots.len() as u64)?;
        // A TCB (2^11 bytes on x86_64, 2^9 on aarch32) also fits in a larger untyped: the rest is simply used up.
        let big = res.untyped.alloc::<U16>()?;
        let tcb: Cap<Tcb, _> = big.retype(res.slots.alloc()?)?;
        expect_type("TCB from 2^16 bytes", &tcb)
    })
}

#[selkie::test]
fn split_and_quarter_reach_the_smallest_untyped(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mem = res.untyped.alloc::<U8>()?;
        let base = mem.paddr();
        let (low, high) = mem.split(res.slots.alloc::<U2>()?)?;
        expect_type("low half", &low)?;
        expect_type("high half", &high)?;
        expect_word("low half address", base, low.paddr())?;
        expect_word("high half address", base + 128, high.paddr())?;
        let (a, b, c, d) = low.quarter(res.slots.alloc::<U4>()?)?; // four 2^5 quarters
        expect_word("last quarter address", base + 96, d.paddr())?;
        let (tiny, _) = a.split(res.slots.alloc::<U2>()?)?; // 2^4: the kernel's smallest untyped
        expect_type("2^4 untyped", &tiny)?;
        expect_eq("smallest size", 4, tiny.size_bits() as u64)?;
        let ep: Cap<Endpoint, _> = tiny.retype(res.slots.alloc()?)?; // an endpoint is 2^4 bytes
        expect_type("endpoint from the smallest untyped", &ep)?;
        let n: Cap<Notification, _> = b.retype(res.slots.alloc()?)?; // a notification is 2^5 bytes or less
        expect_type("notification from a quarter", &n)?;
        let (q0, q1, q2, q3) = high.quarter(res.slots.alloc::<U4>()?)?;
        for q in [&q0, &q1, &q2, &q3] {
            expect_type("quarter of the high half", q)?;
        }
        let _ = (c, q0, q1, q2, q3);
        Ok(())
    })
}

#[selkie::test]
fn retype_multi_makes_consecutive_objects(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mem = res.untyped.alloc::<U8>()?;
        let slots: CNodeSlots<U16, _> = res.slots.alloc()?;
        let first = slots.start();
        let eps = mem.retype_multi::<Endpoint, U16, _>(slots)?; // 16 x 2^4 = 2^8 bytes exactly
        expect_eq("objects made", 16, eps.len() as u64)?;
        for (i, ep) in eps.enumerate() {
            expect_word("slot of each object", first + i as sys::Word, ep.cptr())?;
            expect_type("endpoint of a batch", &ep)?;
        }
        Ok(())
    })
}

#[selkie::test]
fn device_memory_becomes_a_frame(boot: &mut BootInfo) -> Result<(), Fail> {
    let bi = boot.raw();
    let (list, count) = (bi.untyped_list, bi.untyped.end - bi.untyped.start);
    let device = list
        .iter()
        .take(count as usize)
        .find(|u| u.is_device != 0 && u.size_bits >= 12);
    let Some(desc) = device else {
        return Err(Fail::Missing(
            "a device untyped of 4 KiB or more in this machine's bootinfo",
        ));
    };
    let paddr = desc.paddr;
    boot.lend(|res| {
        let mem = res.untyped.alloc_device::<U12>(paddr)?;
        expect_word("device memory address", paddr, mem.paddr())?;
        let frame: Cap<Frame, _> = mem.retype(res.slots.alloc()?)?;
        expect_type("device frame", &frame)?;
        expect_word("device frame address in the token", paddr, frame.object().paddr())?;
        expect_word("device frame address the kernel reports", paddr, kernel_paddr(&frame)?)
    })
}

#[selkie::test]
fn revoked_memory_can_be_retyped_again(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let cspace = &res.cspace;
        let mut mem = res.untyped.alloc::<Sum<TcbBits, U2>>()?;
        let mut lent: CNodeSlots<U4, _> = res.slots.alloc()?;
        let first = lent.start();
        // Four times a TCB's size holds exactly four TCBs. Without the revoke at the end of each scope the second round
        // would fail with the kernel's NotEnoughMemory.
        for _ in 0..3 {
            mem.with_temporary(cspace, &mut lent, |mem, slots| {
                let tcbs = mem.retype_multi::<Tcb, U4, _>(slots)?;
                for tcb in tcbs {
                    expect_type("TCB in a temporary scope", &tcb)?;
                }
                Ok::<(), Fail>(())
            })?;
            for i in 0..4 {
                expect_slot("lent slot after the scope", first + i, sys::cap_tag::NULL)?;
            }
        }
        // And the memory splits as if new.
        let (a, _b) = mem.split(res.slots.alloc()?)?;
        expect_type("half of the reused untyped", &a)
    })
}

#[selkie::test]
fn a_closed_scope_reuses_memory_and_slots_with_one_revoke(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let cspace = &res.cspace;
        let mut mem = res.untyped.alloc::<U13>()?;
        let mut lent: CNodeSlots<U4, _> = res.slots.alloc()?;
        let first = lent.start();
        // Each round splits the whole 2^13 bytes, makes a TCB from one half and copies its capability into a
        // fourth slot. The scope's only clean-up is one revoke of the memory: had it left the copy, the TCB or
        // a half behind, the next round's split would fail (the kernel resets only memory without children,
        // and the slots must be empty).
        for _round in 0..3 {
            let tcb_slot = mem.with_closed(cspace, &mut lent, |mem, slots| {
                let (halves, slots) = slots.alloc::<U2>();
                let (a, b) = mem.split(halves)?;
                expect_type("half made in a closed scope", &b)?;
                let (slot, slots) = slots.alloc::<U1>();
                let tcb: Cap<Tcb, _> = a.retype(slot)?;
                let (slot, _) = slots.alloc::<U1>();
                let copy = tcb.copy(cspace, slot)?;
                expect_type("copy made in a closed scope", &copy)?;
                Ok::<sys::Word, Fail>(tcb.cptr())
            })?;
            expect_word("the TCB's slot (third lent slot)", first + 2, tcb_slot)?;
            for i in 0..4 {
                expect_slot("lent slot after the closed scope", first + i, sys::cap_tag::NULL)?;
            }
        }

        // What the scope's type forbids (an outside capability copied into a lent slot: the copy does not
        // compile there), done behind its back with a raw call: the revoke does not remove it, and the next use
        // of that slot is refused by the kernel. This is why a closed scope takes nothing in.
        let outside: Cap<Endpoint, _> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
        mem.with_closed(cspace, &mut lent, |_mem, _slots| {
            // SAFETY: a copy into the fourth lent slot, which is empty; the test deletes it below.
            unsafe {
                sys::cnode_copy(
                    cspace.cptr(),
                    first + 3,
                    DEPTH,
                    cspace.cptr(),
                    outside.cptr(),
                    DEPTH,
                    sys::CapRights::ALL,
                )
            }
            .map_err(|code| Fail::Raw("seL4_CNode_Copy", code))
        })?;
        expect_slot(
            "the smuggled copy outlives the revoke",
            first + 3,
            sys::cap_tag::ENDPOINT,
        )?;
        let refused = mem.with_closed(cspace, &mut lent, |mem, slots| {
            let (slot, slots) = slots.alloc::<U1>();
            let ep: Cap<Endpoint, _> = mem.retype(slot)?;
            let (_, slots) = slots.alloc::<U2>();
            let (fourth, _) = slots.alloc::<U1>();
            match ep.copy::<Endpoint, _>(cspace, fourth) {
                Err(Refused {
                    error: Error::Kernel { code, .. },
                    ..
                }) => Ok::<u64, Fail>(code as u64),
                Err(refused) => Err(Fail::Selkie(refused.error)),
                Ok(_) => Err(Fail::Succeeded("a copy into the slot holding the smuggled capability")),
            }
        })?;
        expect_eq(
            "kernel error for the occupied lent slot",
            sys::Error::DeleteFirst as u64,
            refused,
        )?;
        // SAFETY: deletes the copy the test smuggled in; no token names it.
        unsafe { sys::cnode_delete(cspace.cptr(), first + 3, DEPTH) }
            .map_err(|code| Fail::Raw("seL4_CNode_Delete", code))?;
        // And the memory splits as if new.
        let (a, _b) = mem.split(res.slots.alloc()?)?;
        expect_type("half of the reused untyped", &a)
    })
}

#[selkie::test]
fn a_refused_retype_hands_back_memory_and_slot_for_reuse(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let cspace = &res.cspace;
        // Exactly one TCB's size: had the refused retype used any of it, the retry would fail.
        let mem = res.untyped.alloc::<TcbBits>()?;
        let slot: CNodeSlot<_> = res.slots.alloc()?;
        let index = slot.start();
        // Occupy the slot behind the typed layer's back: a copy of the root task's own TCB capability.
        // SAFETY: a copy into a slot of the root CNode that the test owns.
        unsafe {
            sys::cnode_copy(
                cspace.cptr(),
                index,
                DEPTH,
                cspace.cptr(),
                sys::CAP_INIT_THREAD_TCB,
                DEPTH,
                sys::CapRights::ALL,
            )
        }
        .map_err(|code| Fail::Raw("seL4_CNode_Copy", code))?;
        let (mem, slot) = match mem.retype::<Tcb, _>(slot) {
            Err(Refused {
                error:
                    Error::Kernel {
                        op: Operation::UntypedRetype,
                        code,
                    },
                inputs,
            }) => {
                expect_eq("kernel error code", sys::Error::DeleteFirst as u64, code as u64)?;
                inputs
            }
            Err(refused) => return Err(Fail::Selkie(refused.error)),
            Ok(_) => return Err(Fail::Succeeded("a retype into an occupied slot")),
        };
        expect_type("handed-back untyped", &mem)?;
        expect_word("handed-back slot", index, slot.start())?;
        // The same memory, whole, becomes a TCB in a fresh slot.
        let tcb: Cap<Tcb, _> = mem.retype(res.slots.alloc()?)?;
        expect_type("TCB from the handed-back untyped", &tcb)?;
        // Emptied, the handed-back slot takes a new object.
        // SAFETY: deletes the copy the test put there; no token names it.
        unsafe { sys::cnode_delete(cspace.cptr(), index, DEPTH) }
            .map_err(|code| Fail::Raw("seL4_CNode_Delete", code))?;
        let ep: Cap<Endpoint, _> = res.untyped.alloc::<U4>()?.retype(slot)?;
        expect_word("endpoint's slot", index, ep.cptr())?;
        expect_type("endpoint in the handed-back slot", &ep)
    })
}

/// The physical address the kernel reports for a frame (the architecture's page get-address call).
fn kernel_paddr<S: FrameSize, R: selkie::Invocable>(frame: &Cap<Frame<S>, R>) -> Result<sys::Word, Fail> {
    Ok(frame.get_address()?)
}

/// A large frame's worth of memory from the allocator, made into a frame: the address selkie recorded and the
/// one the kernel reports.
fn large_frame_addresses<S: Scope>(res: &mut Resources<S>) -> Result<(sys::Word, sys::Word), Fail> {
    let mem = res.untyped.alloc::<<LargePage as FrameSize>::Bits>()?;
    let recorded = mem.paddr();
    let frame: Cap<Frame<LargePage>, Local<S>> = mem.retype(res.slots.alloc()?)?;
    Ok((recorded, kernel_paddr(&frame)?))
}

#[selkie::test]
// The closures are needed: `lend` wants a function of every scope, and a generic function's item is one
// function per scope.
#[allow(clippy::redundant_closure)]
fn lend_gives_the_same_memory_back_to_the_next_test(boot: &mut BootInfo) -> Result<(), Fail> {
    let (recorded, first) = boot.lend(|res| large_frame_addresses(res))?;
    expect_word("kernel's address of the frame = selkie's", recorded, first)?;
    // The kernel makes the same memory a frame again only if the first lend's objects are gone.
    let (_, second) = boot.lend(|res| large_frame_addresses(res))?;
    expect_word("kernel's address of the same-sized frame after lend", first, second)?;
    let free = boot.lend(|res| Ok::<_, Fail>(res.untyped.free_bytes() as u64))?;
    let again = boot.lend(|res| Ok::<_, Fail>(res.untyped.free_bytes() as u64))?;
    expect_eq("free memory after lend", free, again)?;
    Ok(())
}

#[selkie::test]
fn allocating_until_memory_runs_out_ends_with_untyped_exhausted(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let (mut blocks, mut refills) = (0u64, 0u64);
        let last = loop {
            match res.untyped.alloc::<U20>() {
                Ok(mem) => {
                    blocks += 1;
                    // Every 64th block, check the kernel agrees it is untyped memory.
                    if blocks % 64 == 1 {
                        expect_type("1 MiB block", &mem)?;
                    }
                }
                // The allocator's own slots run out before the memory does: it says so, and takes more.
                Err(e @ Error::AllocatorSlotsExhausted { left, .. }) => {
                    expect_eq(
                        "allocator slots left when it asks for more",
                        left as u64,
                        res.untyped.slots_left() as u64,
                    )?;
                    if refills == 0 {
                        selkie::println!("as expected: {e}");
                    }
                    res.untyped.add_slots(res.slots.alloc::<U1024>()?)?;
                    refills += 1;
                }
                Err(e) => break e,
            }
        };
        match last {
            Error::UntypedExhausted {
                requested_bits: 20,
                largest_bits,
            } => {
                selkie::println!("{blocks} blocks of 1 MiB, then as expected: {last}");
                if largest_bits.is_some_and(|bits| bits >= 20) {
                    return Err(Fail::Succeeded("running out while a 1 MiB block is still free"));
                }
            }
            e => return Err(Fail::Selkie(e)),
        }
        // More than the ~200 MiB the allocator's own 512 slots can split off: more slots were given and used.
        if blocks < 256 || refills == 0 {
            return Err(Fail::Mismatch {
                what: "1 MiB blocks allocated (at least 256, with more slots given)",
                expected: 256,
                found: blocks,
            });
        }
        Ok(())
    })
}

#[selkie::test]
fn smart_alloc_takes_slots_and_memory_for_straight_line_code(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let slots = res.slots.alloc::<U16>()?;
        let first = slots.start();
        smart_alloc!(|slot from slots, mem from &mut res.untyped| {
            let tcb: Cap<Tcb, _> = mem::<U11>.retype(slot)?;
            let ep: Cap<Endpoint, _> = mem::<U4>.retype(slot)?;
            let (low, high) = mem::<U8>.split(slot)?;
        });
        expect_type("TCB made in smart_alloc!", &tcb)?;
        expect_type("endpoint made in smart_alloc!", &ep)?;
        expect_type("low half made in smart_alloc!", &low)?;
        expect_type("high half made in smart_alloc!", &high)?;
        expect_word("first slot used", first, tcb.cptr())?;
        // The pool was rebound to what is left, with the count in its type.
        let rest: CNodeSlots<U12, _> = slots;
        expect_word("first slot left", first + 4, rest.start())?;
        Ok(())
    })
}

/// The paging objects only one architecture has.
#[cfg(target_arch = "x86_64")]
mod arch {
    use super::*;
    use selkie::{Pdpt, Pml4};

    /// A PDPT and a PML4 (the root of an address space).
    pub fn retype_the_others<S: Scope>(res: &mut Resources<S>) -> Result<(), Fail> {
        retype_one::<Pdpt, _>(res, "PDPT")?;
        retype_one::<Pml4, _>(res, "PML4")
    }
}

/// The paging objects only one architecture has.
#[cfg(target_arch = "arm")]
mod arch {
    use super::*;
    use selkie::{Section, SuperSection};

    /// A section (1 MiB) and a super-section (16 MiB) frame, which the page directory maps itself.
    pub fn retype_the_others<S: Scope>(res: &mut Resources<S>) -> Result<(), Fail> {
        retype_one::<Frame<Section>, _>(res, "section frame")?;
        retype_one::<Frame<SuperSection>, _>(res, "super-section frame")
    }
}
