//! Issue 4 on the real kernel: copy, mint, move, mutate, delete and revoke, checked slot by slot with the
//! kernel's debug cap-identify call; minted badges seen on a received message and on a signal; kernel error
//! codes reported with the operation that failed.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::sync::atomic::{AtomicUsize, Ordering};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::rights::{ReadOnly, WriteOnly};
use selkie::sys;
use selkie::typenum::{U1, U11, U12, U4, U5, U6};
use selkie::{
    Badge, Badgeable, CNodeGuard, CNodeSlot, Cap, Child, Endpoint, Error, Local, Notification, Operation, Refused,
    Scope, Tcb,
};
use support::{expect_eq, expect_slot, expect_type, expect_word, Fail};

/// The depth of a capability address that names a slot of the root CNode: one machine word.
const DEPTH: u8 = sys::WORD_BITS as u8;

selkie::test_main!();

fn endpoint<S: Scope>(res: &mut Resources<S>) -> Result<Cap<Endpoint, Local<S>>, Fail> {
    Ok(res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?)
}

fn notification<S: Scope>(res: &mut Resources<S>) -> Result<Cap<Notification, Local<S>>, Fail> {
    Ok(res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?)
}

#[selkie::test]
fn copy_move_and_delete_change_the_slots_they_name(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let ep = endpoint(res)?;
        let cspace = &res.cspace;
        let copy: Cap<Endpoint<ReadOnly>, _> = ep.copy(cspace, res.slots.alloc()?)?;
        expect_type("copy", &copy)?;
        expect_type("original after copy", &ep)?;
        let dest: CNodeSlot<_> = res.slots.alloc()?;
        let dest_index = dest.start();
        let old = copy.cptr();
        let (moved, vacated) = copy.move_to(cspace, dest)?;
        expect_word("moved capability's slot", dest_index, moved.cptr())?;
        expect_type("moved capability", &moved)?;
        expect_slot("source slot after move", old, sys::cap_tag::NULL)?;
        expect_word("vacated slot", old, vacated.start())?;
        // The vacated slot can be filled again.
        let again: Cap<Endpoint, _> = ep.copy(cspace, vacated)?;
        expect_type("copy into the vacated slot", &again)?;
        let freed = again.delete(cspace)?;
        expect_slot("slot after delete", freed.start(), sys::cap_tag::NULL)?;
        Ok(())
    })
}

#[selkie::test]
fn revoke_deletes_every_copy_and_stale_tokens_report_the_kernel_error(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mut ep = endpoint(res)?;
        let cspace = &res.cspace;
        let a: Cap<Endpoint, _> = ep.copy(cspace, res.slots.alloc()?)?;
        let b: Cap<Endpoint<WriteOnly>, _> = ep.mint(cspace, res.slots.alloc()?, Badge::new(3)?)?;
        ep.revoke(cspace)?;
        expect_type("revoked capability itself", &ep)?;
        expect_slot("copy after revoke", a.cptr(), sys::cap_tag::NULL)?;
        expect_slot("mint after revoke", b.cptr(), sys::cap_tag::NULL)?;
        // Copying from the emptied slot: the kernel's error comes back with the operation, no panic.
        // The slot comes back empty and takes a copy of the live capability.
        match a.copy::<Endpoint, _>(cspace, res.slots.alloc()?) {
            Err(Refused {
                error:
                    Error::Kernel {
                        op: Operation::CNodeCopy,
                        code,
                    },
                inputs: slot,
            }) => {
                expect_eq("kernel error code", sys::Error::FailedLookup as u64, code as u64)?;
                expect_slot("handed-back slot", slot.start(), sys::cap_tag::NULL)?;
                let again: Cap<Endpoint, _> = ep.copy(cspace, slot)?;
                expect_type("copy into the handed-back slot", &again)
            }
            Err(refused) => Err(Fail::Selkie(refused.error)),
            Ok(_) => Err(Fail::Succeeded("copy from a revoked slot")),
        }
    })
}

#[selkie::test]
fn a_minted_badge_arrives_with_a_signal(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let n = notification(res)?;
        let cspace = &res.cspace;
        let five: Cap<Notification<WriteOnly>, _> = n.mint(cspace, res.slots.alloc()?, Badge::new(0b0101)?)?;
        let eight: Cap<Notification<WriteOnly>, _> = n.mint(cspace, res.slots.alloc()?, Badge::new(0b1000)?)?;
        expect_word("badge in the token", 0b0101, five.object().badge().value())?;
        five.signal();
        eight.signal();
        expect_word("signalled badges", 0b1101, n.wait().value())
    })
}

#[selkie::test]
fn mutate_sets_a_cnode_guard_while_moving(boot: &mut BootInfo) -> Result<(), Fail> {
    /// The guard value: not zero, so that a lookup that ignored the guard would be caught.
    const GUARD: sys::Word = 0x2a;
    boot.lend(|res| {
        let ep = endpoint(res)?;
        let cspace = &res.cspace;
        let mem = res.untyped.alloc::<U12>()?;
        let (cnode, child_slots) = mem.retype_cnode::<U6>(res.slots.alloc()?)?;
        // An endpoint in slot 5 of the new CNode, to look up through it.
        let (_, rest) = child_slots.alloc::<U5>();
        let (slot5, _) = rest.alloc::<U1>();
        let in_cnode: Cap<Endpoint, Child<_>> = ep.copy(cspace, slot5)?;
        expect_word("endpoint's index in the CNode", 5, in_cnode.cptr())?;
        let old = cnode.cptr();
        let (guarded, vacated) = cnode.mutate(cspace, res.slots.alloc()?, CNodeGuard::new(GUARD, DEPTH - 6)?)?;
        expect_slot("source slot after mutate", old, sys::cap_tag::NULL)?;
        expect_word("vacated slot", old, vacated.start())?;
        expect_type("mutated CNode", &guarded)?;
        // The kernel resolves a one-word address through the mutated CNode: its top bits must equal the guard,
        // the low 6 pick the slot. A copy whose source is looked up that way finds the endpoint...
        let dest: CNodeSlot<_> = res.slots.alloc()?;
        let through_guard = (GUARD << 6) | 5;
        // SAFETY: a copy into a slot the test owns, from a CNode the test owns.
        unsafe {
            sys::cnode_copy(
                cspace.cptr(),
                dest.start(),
                DEPTH,
                guarded.cptr(),
                through_guard,
                DEPTH,
                sys::CapRights::ALL,
            )
        }
        .map_err(|code| Fail::Raw("seL4_CNode_Copy through the new guard", code))?;
        expect_slot(
            "capability found through the guard",
            dest.start(),
            sys::cap_tag::ENDPOINT,
        )?;
        // ... and an address with another guard value fails the kernel's lookup.
        let dest: CNodeSlot<_> = res.slots.alloc()?;
        let wrong_guard = ((GUARD + 1) << 6) | 5;
        // SAFETY: as above; the kernel refuses the lookup and changes nothing.
        let refused = unsafe {
            sys::cnode_copy(
                cspace.cptr(),
                dest.start(),
                DEPTH,
                guarded.cptr(),
                wrong_guard,
                DEPTH,
                sys::CapRights::ALL,
            )
        };
        expect_eq(
            "kernel error for a lookup with the wrong guard",
            sys::Error::FailedLookup as u64,
            refused.err().map_or(0, |e| e as u64),
        )?;
        expect_slot("destination after the failed lookup", dest.start(), sys::cap_tag::NULL)?;
        // A guard that, with the radix, is longer than a word is refused by the kernel.
        // Both tokens come back as they were: the CNode still moves into the slot with a guard that fits.
        match guarded.mutate(cspace, vacated, CNodeGuard::new(0, DEPTH - 1)?) {
            Err(Refused {
                error:
                    Error::Kernel {
                        op: Operation::CNodeMutate,
                        code: sys::Error::IllegalOperation,
                    },
                inputs: (cnode, slot),
            }) => {
                expect_type("CNode after a refused mutate", &cnode)?;
                let (moved, _) = cnode.move_to(cspace, slot)?;
                expect_type("CNode moved after a refused mutate", &moved)
            }
            Err(refused) => Err(Fail::Selkie(refused.error)),
            Ok(_) => Err(Fail::Succeeded("a word-wide guard on a 64-slot CNode")),
        }
    })
}

/// The badged endpoint the sender thread sends on.
static SEND_CAP: AtomicUsize = AtomicUsize::new(0);

/// The second thread: one message on `SEND_CAP`, then it yields forever (the test's clean-up destroys it).
extern "C" fn sender() -> ! {
    let info = sys::MessageInfo::new(0x77, 0, 0, 1);
    // SAFETY: a register-only send on a capability the root task prepared; this thread has no IPC buffer
    // and this call does not touch one.
    unsafe { sys::send_with_mrs(SEND_CAP.load(Ordering::Relaxed) as sys::CPtr, info, [0xfeed, 0, 0, 0]) };
    loop {
        // SAFETY: yielding has no effect on memory.
        unsafe { sys::yield_() };
    }
}

#[repr(C, align(16))]
struct Stack([u8; 16 * 1024]);
static mut SENDER_STACK: Stack = Stack([0; 16 * 1024]);

#[selkie::test]
fn a_minted_badge_arrives_with_a_message(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let ep = endpoint(res)?;
        let cspace = &res.cspace;
        let badged: Cap<Endpoint<WriteOnly>, _> = ep.mint(cspace, res.slots.alloc()?, Badge::new(0xb1e)?)?;
        SEND_CAP.store(badged.cptr() as usize, Ordering::Relaxed);
        let tcb: Cap<Tcb, _> = res.untyped.alloc::<U11>()?.retype(res.slots.alloc()?)?;
        let stack_top = core::ptr::addr_of_mut!(SENDER_STACK) as usize + core::mem::size_of::<Stack>();
        // The first two registers of the context are the instruction and stack pointers on every architecture.
        let regs = selkie::entry_context(sender as *const () as usize, stack_top, [0; 4]);
        // SAFETY: a new thread in the root task's own CSpace and VSpace, on a stack only it uses, running
        // code that only makes register-only system calls.
        unsafe {
            sys::tcb_configure(
                tcb.cptr(),
                0,
                (254 << 8) | 254,
                res.cspace.cptr(),
                0,
                res.vspace.cptr(),
                0,
                0,
                sys::CAP_NULL,
            )
            .map_err(|code| Fail::Raw("seL4_TCB_Configure", code))?;
            sys::tcb_write_registers(tcb.cptr(), true, 0, 2, &regs)
                .map_err(|code| Fail::Raw("seL4_TCB_WriteRegisters", code))?;
        }
        // SAFETY: a register-only receive on an endpoint the root task owns.
        let (info, badge, mrs) = unsafe { sys::recv_with_mrs(ep.cptr()) };
        expect_word("badge on the received message", 0xb1e, badge)?;
        expect_word("message label", 0x77, info.label())?;
        expect_word("message word", 0xfeed, mrs[0])?;
        Ok(())
    })
}

#[selkie::test]
fn capabilities_go_into_a_child_cnode(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let ep = endpoint(res)?;
        let cspace = &res.cspace;
        let mem = res.untyped.alloc::<U12>()?;
        let (cnode, child_slots) = mem.retype_cnode::<U6>(res.slots.alloc()?)?;
        expect_type("child CNode", &cnode)?;
        let (slot, rest) = child_slots.alloc::<selkie::typenum::U1>();
        let in_child: Cap<Endpoint, Child<_>> = ep.copy(cspace, slot)?;
        expect_word("address in the child's CSpace", 0, in_child.cptr())?;
        // The slot is taken now: the kernel refuses a second copy into it (the types prevent it; the raw
        // call shows the kernel agrees).
        // SAFETY: a copy into a slot of a CNode the test owns.
        let again =
            unsafe { sys::cnode_copy(cnode.cptr(), 0, 6, cspace.cptr(), ep.cptr(), DEPTH, sys::CapRights::ALL) };
        expect_eq(
            "kernel error for an occupied slot",
            sys::Error::DeleteFirst as u64,
            again.err().map_or(0, |e| e as u64),
        )?;
        let _ = rest;
        Ok(())
    })
}
