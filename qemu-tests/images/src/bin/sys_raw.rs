//! In-kernel tests of the raw bindings (`selkie-sys`) alone, without the typed layer: every call goes through
//! the generated invocation functions and the hand-written syscall stubs, and every answer of the kernel is
//! checked (error codes, capability types through `debug_cap_identify`, message contents).
//!
//! Each test borrows the largest RAM untyped and a run of empty slots through [`scratch`], which revokes the
//! untyped afterwards: every object (and every capability to it) the test made is deleted, so the next test
//! starts from the same state.
#![no_std]
#![no_main]

use core::cell::UnsafeCell;
use core::panic::Location;
use core::sync::atomic::{AtomicU64, Ordering};

use selkie_sys as sys;
use sys::{cap_tag, CPtr, CapRights, MessageInfo, ObjectType, Word};

selkie::test_main!();

/// A failed check: where, what, and the value or error seen.
#[derive(Debug)]
#[allow(dead_code)] // Read through `Debug` when the runtime prints a failure.
struct Fail {
    line: u32,
    what: &'static str,
    seen: Seen,
}

#[derive(Debug)]
#[allow(dead_code)]
enum Seen {
    Error(sys::Error),
    Value(Word),
    Nothing,
}

type R<T = ()> = Result<T, Fail>;

trait Check<T> {
    /// Turns a kernel error into a [`Fail`] naming the caller's line.
    fn or_fail(self, what: &'static str) -> R<T>;
}

impl<T> Check<T> for Result<T, sys::Error> {
    #[track_caller]
    fn or_fail(self, what: &'static str) -> R<T> {
        let line = Location::caller().line();
        self.map_err(|e| Fail {
            line,
            what,
            seen: Seen::Error(e),
        })
    }
}

/// Fails unless `cond`, reporting `seen`.
#[track_caller]
fn ensure(cond: bool, what: &'static str, seen: Word) -> R {
    if cond {
        Ok(())
    } else {
        Err(Fail {
            line: Location::caller().line(),
            what,
            seen: Seen::Value(seen),
        })
    }
}

/// Expects the kernel to refuse with exactly `expected`.
#[track_caller]
fn expect_err<T>(r: Result<T, sys::Error>, expected: sys::Error, what: &'static str) -> R {
    let line = Location::caller().line();
    match r {
        Err(e) if e == expected => Ok(()),
        Err(e) => Err(Fail {
            line,
            what,
            seen: Seen::Error(e),
        }),
        Ok(_) => Err(Fail {
            line,
            what,
            seen: Seen::Nothing,
        }),
    }
}

/// Expects the capability at `slot` to have type `tag`.
#[track_caller]
fn expect_tag(slot: CPtr, tag: Word, what: &'static str) -> R {
    // SAFETY: a debug syscall without memory effects.
    let got = unsafe { sys::debug_cap_identify(slot) };
    ensure(got == tag, what, got)
}

/// Depth of a full cap pointer in the root task's CSpace.
const DEPTH: Word = 64;
const ROOT: CPtr = sys::CAP_INIT_THREAD_CNODE;

/// A test's borrowed resources: the RAM untyped, the next free slot, and paging structures made so far.
struct Scratch {
    untyped: CPtr,
    untyped_bits: u8,
    next_slot: CPtr,
    end_slot: CPtr,
    /// Virtual address (1 GiB aligned) whose PDPT entry has a page directory, and 2 MiB ranges with tables.
    pd_for: Option<Word>,
    pt_for: [Word; 8],
    pts: usize,
}

impl Scratch {
    /// A free slot.
    fn slot(&mut self) -> R<CPtr> {
        ensure(self.next_slot < self.end_slot, "out of empty slots", self.next_slot)?;
        self.next_slot += 1;
        Ok(self.next_slot - 1)
    }

    /// Retypes one object of `ty` (size `bits` for variable-sized types) into a new slot.
    fn make(&mut self, ty: ObjectType, bits: usize) -> R<CPtr> {
        let slot = self.slot()?;
        // SAFETY: creates a new object from the borrowed untyped into an empty slot of our CNode.
        unsafe { sys::untyped_retype(self.untyped, ty.word(), bits as Word, ROOT, 0, 0, slot, 1) }.or_fail("retype")?;
        Ok(slot)
    }

    /// Maps a fresh read-write 4 KiB frame at `vaddr` (inside 0x4000_0000..0x8000_0000) in our own address
    /// space, creating the page directory and page table it needs; returns the frame cap.
    fn map_page(&mut self, vaddr: Word) -> R<CPtr> {
        let gib = vaddr & !((1 << 30) - 1);
        if self.pd_for != Some(gib) {
            let pd = self.make(ObjectType::X86PageDirectory, 0)?;
            // SAFETY: maps a new, empty page directory into an unused 1 GiB range of our address space.
            unsafe { sys::x86_page_directory_map(pd, sys::CAP_INIT_THREAD_VSPACE, gib, 0) }
                .or_fail("map page directory")?;
            self.pd_for = Some(gib);
        }
        let mib2 = vaddr & !((1 << 21) - 1);
        if !self.pt_for[..self.pts].contains(&mib2) {
            ensure(self.pts < self.pt_for.len(), "too many page tables", self.pts as Word)?;
            let pt = self.make(ObjectType::X86PageTable, 0)?;
            // SAFETY: maps a new, empty page table into an unused 2 MiB range.
            unsafe { sys::x86_page_table_map(pt, sys::CAP_INIT_THREAD_VSPACE, mib2, 0) }.or_fail("map page table")?;
            self.pt_for[self.pts] = mib2;
            self.pts += 1;
        }
        let frame = self.make(ObjectType::X86_4K, 0)?;
        // SAFETY: maps a new frame at an unused address; only this test touches it.
        unsafe { sys::x86_page_map(frame, sys::CAP_INIT_THREAD_VSPACE, vaddr, CapRights::ALL, 0) }
            .or_fail("map frame")?;
        Ok(frame)
    }
}

/// Runs `f` with the largest RAM untyped and the empty slots, then revokes the untyped (deleting everything
/// made from it) so the next test starts afresh.
fn scratch(f: impl FnOnce(&mut Scratch) -> R) -> R {
    // SAFETY: the runtime recorded the kernel's bootinfo pointer; the frame stays mapped.
    let bi = unsafe { selkie::rt::bootinfo_ptr().read_unaligned() };
    let (empty, untyped) = (bi.empty, bi.untyped);
    let count = (untyped.end - untyped.start) as usize;
    let mut best: Option<(usize, u8)> = None;
    for i in 0..count.min(bi.untyped_list.len()) {
        let d = bi.untyped_list[i];
        if d.is_device == 0 && best.is_none_or(|(_, b)| d.size_bits > b) {
            best = Some((i, d.size_bits));
        }
    }
    let (index, bits) = best.ok_or(Fail {
        line: line!(),
        what: "no RAM untyped",
        seen: Seen::Nothing,
    })?;
    let mut s = Scratch {
        untyped: untyped.start + index as Word,
        untyped_bits: bits,
        next_slot: empty.start,
        end_slot: empty.end,
        pd_for: None,
        pt_for: [0; 8],
        pts: 0,
    };
    let result = f(&mut s);
    // SAFETY: deletes exactly what this test derived from the untyped (objects, their caps, mappings).
    let revoked = unsafe { sys::cnode_revoke(ROOT, s.untyped, DEPTH as u8) }.or_fail("revoke scratch untyped");
    result.and(revoked)?;
    // Everything derived is gone.
    for slot in empty.start..s.next_slot {
        expect_tag(slot, cap_tag::NULL, "slot empty after revoke")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// Threads in our own address space.

const STACK_SIZE: usize = 16 * 1024;

#[repr(C, align(16))]
struct Stack(UnsafeCell<[u8; STACK_SIZE]>);

// SAFETY: each stack is used by at most one thread at a time (one child per test), never by Rust references.
unsafe impl Sync for Stack {}

static CHILD_STACK: Stack = Stack(UnsafeCell::new([0; STACK_SIZE]));
static CHILD_STACK_2: Stack = Stack(UnsafeCell::new([0; STACK_SIZE]));

/// Where child threads' IPC buffers go (mapped per test by [`Scratch::map_page`]).
const CHILD_IPC: Word = 0x4000_0000;
const CHILD_IPC_2: Word = 0x4000_1000;
/// Priority of child threads: below the root task's (255), so they run only while it blocks.
const CHILD_PRIO: Word = 100;

/// Creates a thread running `entry(arg)` on `stack` in our CSpace and VSpace, with its IPC buffer at
/// `ipc_vaddr`; returns the TCB cap (not yet resumed when `start` is false).
fn spawn(
    s: &mut Scratch,
    entry: extern "C" fn(Word) -> !,
    arg: Word,
    stack: &'static Stack,
    ipc_vaddr: Word,
    start: bool,
) -> R<CPtr> {
    let tcb = s.make(ObjectType::Tcb, 0)?;
    expect_tag(tcb, cap_tag::THREAD, "new TCB")?;
    let ipc = s.map_page(ipc_vaddr)?;
    // SAFETY: configures a new thread in our own spaces; it runs code of this image on its own stack.
    unsafe {
        sys::tcb_configure(
            tcb,
            0,
            CHILD_PRIO | (CHILD_PRIO << 8),
            ROOT,
            0,
            sys::CAP_INIT_THREAD_VSPACE,
            0,
            ipc_vaddr,
            ipc,
        )
    }
    .or_fail("tcb_configure")?;
    let regs = sys::UserContext {
        rip: entry as usize as Word,
        // The SysV ABI expects RSP + 8 to be 16-byte aligned at function entry.
        rsp: (stack.0.get() as usize + STACK_SIZE - 8) as Word,
        rflags: 0x202,
        rdi: arg,
        ..Default::default()
    };
    // Registers up to and including RDI (the ninth field).
    // SAFETY: sets the new thread's registers; `resume_target` as asked.
    unsafe { sys::tcb_write_registers(tcb, start, 0, 9, &regs) }.or_fail("tcb_write_registers")?;
    Ok(tcb)
}

static CHILD_SEEN: AtomicU64 = AtomicU64::new(0);
static CHILD_LABEL: AtomicU64 = AtomicU64::new(0);
static CHILD_BADGE: AtomicU64 = AtomicU64::new(0);
static CHILD_COUNT: AtomicU64 = AtomicU64::new(0);

/// Child: records its argument, signals the notification it names (low 32 bits) and spins.
extern "C" fn child_signal(arg: Word) -> ! {
    CHILD_SEEN.store(arg, Ordering::SeqCst);
    // SAFETY: signalling a notification cap of our CSpace.
    unsafe { sys::signal(arg & 0xffff_ffff) };
    loop {
        // SAFETY: yielding has no memory effects.
        unsafe { sys::yield_() };
    }
}

/// Child: an echo server on endpoint `arg` that answers each message with label + 1 and every word doubled,
/// recording the label, badge and a count of messages.
extern "C" fn child_echo(ep: Word) -> ! {
    // SAFETY: IPC on our endpoint with our own IPC buffer (GS base set by the kernel).
    let (mut info, mut badge, mut mrs) = unsafe { sys::recv_with_mrs(ep) };
    loop {
        CHILD_LABEL.store(info.label(), Ordering::SeqCst);
        CHILD_BADGE.store(badge, Ordering::SeqCst);
        CHILD_COUNT.fetch_add(1, Ordering::SeqCst);
        let len = info.length() as usize;
        for i in sys::MSG_REGISTERS..len {
            // SAFETY: our IPC buffer; `i` below the message length, which is at most MSG_MAX_LENGTH.
            unsafe { sys::set_mr(i, sys::get_mr(i) * 2) };
        }
        let reply = MessageInfo::new(info.label() + 1, 0, 0, info.length());
        // SAFETY: as above.
        (info, badge, mrs) = unsafe { sys::reply_recv_with_mrs(ep, reply, mrs.map(|w| w * 2)) };
    }
}

/// Child: calls endpoint `arg` (low 32 bits) with three words, stores the reply's first word and label
/// in CHILD_SEEN / CHILD_LABEL, then signals the notification in the high 32 bits.
extern "C" fn child_client(arg: Word) -> ! {
    let (ep, ntfn) = (arg & 0xffff_ffff, arg >> 32);
    // SAFETY: IPC on our endpoint with our own IPC buffer.
    unsafe {
        sys::set_mr(0, 7);
        sys::set_mr(1, 8);
        sys::set_mr(2, 9);
        let reply = sys::call(ep, MessageInfo::new(0x33, 0, 0, 3));
        CHILD_SEEN.store(sys::get_mr(0), Ordering::SeqCst);
        CHILD_LABEL.store(reply.label(), Ordering::SeqCst);
        sys::signal(ntfn);
    }
    loop {
        // SAFETY: yielding has no memory effects.
        unsafe { sys::yield_() };
    }
}

/// Child: calls endpoint `arg` (low 32 bits) three times with [i, 2i, 3i, 4i, 5i] (five words, so one goes
/// through the IPC buffer), adding up the first reply word of each in CHILD_SEEN, then sends label 99.
extern "C" fn child_caller(arg: Word) -> ! {
    let ep = arg & 0xffff_ffff;
    for i in 1..=3 {
        // SAFETY: IPC on our endpoint with our own IPC buffer.
        unsafe {
            for j in 0..5 {
                sys::set_mr(j, i * (j as Word + 1));
            }
            sys::call(ep, MessageInfo::new(i, 0, 0, 5));
            CHILD_SEEN.fetch_add(sys::get_mr(0), Ordering::SeqCst);
        }
    }
    // SAFETY: IPC on our endpoint: say we are done, then block forever (nobody sends on it again).
    unsafe { sys::send(ep, MessageInfo::new(99, 0, 0, 0)) };
    loop {
        // SAFETY: as above.
        unsafe { sys::recv(ep) };
    }
}

/// Child: counts its rounds in CHILD_COUNT; each round it signals the notification in the low 32 bits of
/// `arg` and waits on the one in the high 32 bits.
extern "C" fn child_counter(arg: Word) -> ! {
    let (done, go) = (arg & 0xffff_ffff, arg >> 32);
    loop {
        CHILD_COUNT.fetch_add(1, Ordering::SeqCst);
        // SAFETY: signalling and waiting on notification caps of our CSpace.
        unsafe {
            sys::signal(done);
            sys::wait(go);
        }
    }
}

/// The root task's priority (the kernel gives it the highest, and the same maximum controlled priority).
const ROOT_PRIO: u8 = 255;
/// The root task's priority while [`priority_and_suspend_observed`] runs, so a child can be above it.
const ROOT_LOWERED: u8 = 150;

/// Checks the scheduler's view of priorities and suspension through what `child_counter` does. The root task
/// never blocks here, so a thread that does not run shows as a failed check, not a hang.
fn priority_and_suspend_observed(s: &mut Scratch) -> R {
    let (done, go) = (
        s.make(ObjectType::Notification, 0)?,
        s.make(ObjectType::Notification, 0)?,
    );
    CHILD_COUNT.store(0, Ordering::SeqCst);
    let count = || CHILD_COUNT.load(Ordering::SeqCst);
    let tcb = spawn(s, child_counter, done | (go << 32), &CHILD_STACK_2, CHILD_IPC_2, false)?;
    // SAFETY (this block): scheduling calls on our threads and signals between them; the child touches only
    // its own stack and CHILD_COUNT.
    unsafe {
        // Below the root task's priority: resumed, it does not run while the root task is runnable, however
        // often the root task yields (a yield only lets threads of the same priority run).
        sys::tcb_resume(tcb).or_fail("resume")?;
        ensure(count() == 0, "lower-priority child ran at resume", count())?;
        for _ in 0..100 {
            sys::yield_();
        }
        ensure(
            count() == 0,
            "lower-priority child ran while the root task yielded",
            count(),
        )?;
        // At the child's priority, the root task's yield lets it run one round (until it waits).
        sys::tcb_set_priority(sys::CAP_INIT_THREAD_TCB, CHILD_PRIO as u8).or_fail("lower own priority")?;
        sys::yield_();
        ensure(count() == 1, "child ran one round when the root task yielded", count())?;
        // Below the child's new priority, the root task gives way to it as soon as it can run: when resumed, and
        // each time it is signalled.
        sys::tcb_suspend(tcb).or_fail("suspend")?;
        sys::tcb_set_priority(sys::CAP_INIT_THREAD_TCB, ROOT_LOWERED).or_fail("raise own priority")?;
        sys::tcb_set_priority(tcb, ROOT_LOWERED + 50).or_fail("raise child priority")?;
        sys::signal(go);
        for _ in 0..100 {
            sys::yield_();
        }
        ensure(count() == 1, "suspended child ran", count())?;
        sys::tcb_resume(tcb).or_fail("resume")?;
        ensure(count() == 2, "higher-priority child ran at once when resumed", count())?;
        sys::signal(go);
        ensure(
            count() == 3,
            "higher-priority child ran at once when signalled",
            count(),
        )?;
        // Suspended, it stays put however often it is signalled and the root task yields.
        sys::tcb_suspend(tcb).or_fail("suspend")?;
        for _ in 0..100 {
            sys::signal(go);
            sys::yield_();
        }
        ensure(count() == 3, "child ran after suspend", count())
    }
}

// ---------------------------------------------------------------------------------------------------------
// A real interrupt source: the PIT (8254) channel 0, and the TSC to bound waits.

/// The PIT's mode/command register.
const PIT_COMMAND: Word = 0x43;
/// The PIT's channel 0 counter, whose output is ISA IRQ 0.
const PIT_CHANNEL_0: Word = 0x40;
/// The PIT's input clock, in Hz.
const PIT_HZ: Word = 1_193_182;
/// The IOAPIC pin ISA IRQ 0 arrives on: QEMU's `pc` machine wires IRQ 0 to global interrupt 2, as the
/// firmware's interrupt source override says. (The kernel's own timer is the local APIC's, not the PIT.)
const PIT_IOAPIC_PIN: Word = 2;
/// The badge the interrupt is delivered with (the badge of the notification cap given to the handler).
const IRQ_BADGE: Word = 0x40;

/// Starts PIT channel 0 as a rate generator (mode 2) with `hz` interrupts a second.
fn pit_start(hz: Word) -> R {
    let divisor = PIT_HZ / hz;
    // SAFETY (this block): programs the PIT, which nothing else in the system uses after the kernel booted.
    unsafe {
        // Channel 0, low byte then high byte, mode 2, binary.
        sys::x86_io_port_out8(sys::CAP_IO_PORT, PIT_COMMAND, 0x34).or_fail("PIT mode")?;
        sys::x86_io_port_out8(sys::CAP_IO_PORT, PIT_CHANNEL_0, divisor & 0xff).or_fail("PIT divisor low")?;
        sys::x86_io_port_out8(sys::CAP_IO_PORT, PIT_CHANNEL_0, divisor >> 8).or_fail("PIT divisor high")
    }
}

/// Stops PIT channel 0: a new mode without a count makes the counter wait for one, with no more edges.
fn pit_stop() -> R {
    // SAFETY: as in `pit_start`. Channel 0, low then high byte, mode 0 (its output stays low until a count).
    unsafe { sys::x86_io_port_out8(sys::CAP_IO_PORT, PIT_COMMAND, 0x30) }.or_fail("PIT stop")
}

/// The time-stamp counter.
fn tsc() -> u64 {
    // SAFETY: `rdtsc` only reads the counter (the kernel leaves it readable from user mode).
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// TSC ticks in `ms` milliseconds, from the frequency the kernel measured at boot (bootinfo `archInfo`, MHz).
fn tsc_ticks(ms: u64) -> R<u64> {
    // SAFETY: the runtime recorded the kernel's bootinfo pointer; the frame stays mapped.
    let mhz = unsafe { selkie::rt::bootinfo_ptr().read_unaligned() }.arch_info;
    ensure(mhz > 0 && mhz < 100_000, "TSC frequency in bootinfo (MHz)", mhz)?;
    Ok(mhz * 1000 * ms)
}

/// Polls `ntfn` until a signal arrives (returns its word) or `ms` milliseconds pass (returns 0).
fn poll_for(ntfn: CPtr, ms: u64) -> R<Word> {
    let deadline = tsc() + tsc_ticks(ms)?;
    loop {
        // SAFETY: a non-blocking receive on our own notification.
        let (_, word) = unsafe { sys::nb_recv(ntfn) };
        if word != 0 || tsc() >= deadline {
            return Ok(word);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Tests.

/// The tag `debug_cap_identify` reports for a new object of each type.
fn tag_of(ty: ObjectType) -> Word {
    match ty {
        ObjectType::Untyped => cap_tag::UNTYPED,
        ObjectType::Tcb => cap_tag::THREAD,
        ObjectType::Endpoint => cap_tag::ENDPOINT,
        ObjectType::Notification => cap_tag::NOTIFICATION,
        ObjectType::CapTable => cap_tag::CNODE,
        ObjectType::X86Pdpt => cap_tag::PDPT,
        ObjectType::X64Pml4 => cap_tag::PML4,
        ObjectType::X86PageTable => cap_tag::PAGE_TABLE,
        ObjectType::X86PageDirectory => cap_tag::PAGE_DIRECTORY,
        // Every frame size.
        _ => cap_tag::FRAME,
    }
}

#[selkie::test]
fn retype_every_object_type() -> R {
    scratch(|s| {
        for &ty in ObjectType::ALL {
            let bits = match ty {
                ObjectType::Untyped => 12,
                ObjectType::CapTable => 4,
                _ => ty.size_bits().unwrap_or(0),
            };
            if ty.size_bits().unwrap_or(bits) >= s.untyped_bits as usize {
                continue; // e.g. a 1 GiB page from a smaller untyped
            }
            let slot = s.make(ty, bits)?;
            expect_tag(slot, tag_of(ty), "tag of new object")?;
        }
        // The kernel's refusals.
        let slot = s.slot()?;
        // SAFETY: a failing retype creates nothing.
        let bad_type = unsafe { sys::untyped_retype(s.untyped, 0x1000, 0, ROOT, 0, 0, slot, 1) };
        expect_err(bad_type, sys::Error::InvalidArgument, "unknown object type")?;
        let used = s.next_slot - 2; // holds the last object made above
                                    // SAFETY: as above.
        let occupied = unsafe { sys::untyped_retype(s.untyped, ObjectType::Endpoint.word(), 0, ROOT, 0, 0, used, 1) };
        expect_err(occupied, sys::Error::DeleteFirst, "retype into an occupied slot")?;
        // SAFETY: as above.
        let too_many = unsafe {
            sys::untyped_retype(
                s.untyped,
                ObjectType::Endpoint.word(),
                0,
                ROOT,
                0,
                0,
                slot,
                sys::config::RETYPE_FAN_OUT_LIMIT as Word + 1,
            )
        };
        expect_err(too_many, sys::Error::RangeError, "more objects than the fan-out limit")?;
        expect_tag(slot, cap_tag::NULL, "nothing made by failed retypes")
    })
}

#[selkie::test]
fn cnode_copy_mint_move_mutate_delete_revoke() -> R {
    scratch(|s| {
        let ep = s.make(ObjectType::Endpoint, 0)?;
        let (copy, minted, moved, mutated) = (s.slot()?, s.slot()?, s.slot()?, s.slot()?);
        // SAFETY (this block): CNode operations on slots this test owns.
        unsafe {
            sys::cnode_copy(ROOT, copy, DEPTH as u8, ROOT, ep, DEPTH as u8, CapRights::ALL).or_fail("copy")?;
            expect_tag(copy, cap_tag::ENDPOINT, "copy")?;
            sys::cnode_mint(
                ROOT,
                minted,
                DEPTH as u8,
                ROOT,
                ep,
                DEPTH as u8,
                CapRights::new(true, true, false),
                0x42,
            )
            .or_fail("mint")?;
            expect_tag(minted, cap_tag::ENDPOINT, "mint")?;
            sys::cnode_move(ROOT, moved, DEPTH as u8, ROOT, minted, DEPTH as u8).or_fail("move")?;
            expect_tag(minted, cap_tag::NULL, "move source emptied")?;
            expect_tag(moved, cap_tag::ENDPOINT, "move destination")?;
            expect_err(
                sys::cnode_copy(ROOT, moved, DEPTH as u8, ROOT, ep, DEPTH as u8, CapRights::ALL),
                sys::Error::DeleteFirst,
                "copy onto an occupied slot",
            )?;
            expect_err(
                sys::cnode_copy(ROOT, mutated, DEPTH as u8, ROOT, minted, DEPTH as u8, CapRights::ALL),
                sys::Error::FailedLookup,
                "copy from an empty slot",
            )?;
            // Mutate (move with new cap data) keeps an endpoint's badge, so the kernel refuses to set one...
            let r = sys::cnode_mutate(ROOT, mutated, DEPTH as u8, ROOT, copy, DEPTH as u8, 0x7);
            expect_err(r, sys::Error::IllegalOperation, "mutate an endpoint")?;
            expect_tag(copy, cap_tag::ENDPOINT, "failed mutate leaves the source")?;
            // ...but it sets a CNode's guard: radix 4 plus a 60-bit guard of 0 resolves 64 bits.
            let cnode = s.make(ObjectType::CapTable, 4)?;
            // Guard data (the kernel's `cnode_capdata`): guard size in bits 2..8, guard in bits 8..26.
            let guard_size_60: Word = 60 << 2;
            sys::cnode_mutate(ROOT, mutated, DEPTH as u8, ROOT, cnode, DEPTH as u8, guard_size_60).or_fail("mutate")?;
            expect_tag(cnode, cap_tag::NULL, "mutate source emptied")?;
            expect_tag(mutated, cap_tag::CNODE, "mutate destination")?;
            // Through the new guard, slot 3 of that CNode is addressable with a full 64-bit depth.
            sys::cnode_copy(mutated, 3, DEPTH as u8, ROOT, ep, DEPTH as u8, CapRights::ALL)
                .or_fail("copy into the guarded CNode")?;
            expect_err(
                sys::cnode_copy(mutated, 3, DEPTH as u8, ROOT, ep, DEPTH as u8, CapRights::ALL),
                sys::Error::DeleteFirst,
                "slot 3 of the guarded CNode is in use",
            )?;
            sys::cnode_delete(mutated, 3, DEPTH as u8).or_fail("delete in the guarded CNode")?;
            sys::cnode_delete(ROOT, mutated, DEPTH as u8).or_fail("delete")?;
            expect_tag(mutated, cap_tag::NULL, "deleted")?;
            sys::cnode_delete(ROOT, mutated, DEPTH as u8).or_fail("deleting an empty slot succeeds")?;
            // Revoking the original deletes its derived capabilities: the copy and the minted one (now in `moved`).
            expect_tag(copy, cap_tag::ENDPOINT, "copy still there")?;
            sys::cnode_revoke(ROOT, ep, DEPTH as u8).or_fail("revoke")?;
            expect_tag(ep, cap_tag::ENDPOINT, "revoke keeps the original")?;
            expect_tag(moved, cap_tag::NULL, "revoke deleted the badged copy")?;
            expect_tag(copy, cap_tag::NULL, "revoke deleted the copy")?;
            // A wrong cap type for the invocation.
            expect_err(
                sys::x86_io_port_in8(ROOT, 0x80),
                sys::Error::IllegalOperation,
                "I/O port call on a CNode",
            )?;
        }
        Ok(())
    })
}

#[selkie::test]
fn tcb_configure_write_registers_resume_suspend() -> R {
    scratch(|s| {
        let ntfn = s.make(ObjectType::Notification, 0)?;
        let badged = s.slot()?;
        // SAFETY: minting a badged copy of our notification into our slot.
        unsafe {
            sys::cnode_mint(
                ROOT,
                badged,
                DEPTH as u8,
                ROOT,
                ntfn,
                DEPTH as u8,
                CapRights::ALL,
                0b1010,
            )
        }
        .or_fail("mint notification")?;
        CHILD_SEEN.store(0, Ordering::SeqCst);
        let arg = badged | (0xabcd << 32);
        let tcb = spawn(s, child_signal, arg, &CHILD_STACK, CHILD_IPC, false)?;
        // Written but not resumed: it has not run.
        ensure(
            CHILD_SEEN.load(Ordering::SeqCst) == 0,
            "child ran before resume",
            CHILD_SEEN.load(Ordering::SeqCst),
        )?;
        // SAFETY: starting and stopping the thread made above.
        let badge = unsafe {
            sys::tcb_resume(tcb).or_fail("resume")?;
            sys::wait(ntfn)
        };
        ensure(badge == 0b1010, "badge of the child's signal", badge)?;
        ensure(
            CHILD_SEEN.load(Ordering::SeqCst) == arg,
            "child saw its argument",
            CHILD_SEEN.load(Ordering::SeqCst),
        )?;
        // SAFETY: as above.
        unsafe { sys::tcb_suspend(tcb) }.or_fail("suspend")?;
        // SAFETY: reading the suspended thread's registers.
        let regs = unsafe { sys::tcb_read_registers(tcb, false, 0, 19) }.or_fail("read registers")?;
        let stack = CHILD_STACK.0.get() as usize as Word;
        ensure(
            regs.rsp > stack && regs.rsp <= stack + STACK_SIZE as Word,
            "child's stack pointer",
            regs.rsp,
        )?;
        // A TCB invocation on a CNode is refused.
        // SAFETY: fails without effect.
        expect_err(
            unsafe { sys::tcb_set_priority(ROOT, 50) },
            sys::Error::IllegalOperation,
            "TCB call on a CNode",
        )?;
        // Priorities and suspension, seen in what a second thread does. The root task lowers its own priority
        // for this, and takes its own back whatever the outcome.
        let observed = priority_and_suspend_observed(s);
        // SAFETY: the root task's own priority back to its maximum controlled priority.
        let restored =
            unsafe { sys::tcb_set_priority(sys::CAP_INIT_THREAD_TCB, ROOT_PRIO) }.or_fail("restore priority");
        observed.and(restored)
    })
}

#[selkie::test]
fn endpoint_send_recv_call_reply_recv() -> R {
    scratch(|s| {
        let ep = s.make(ObjectType::Endpoint, 0)?;
        let badged = s.slot()?;
        // SAFETY: minting a badged copy of our endpoint.
        unsafe { sys::cnode_mint(ROOT, badged, DEPTH as u8, ROOT, ep, DEPTH as u8, CapRights::ALL, 0x55) }
            .or_fail("mint endpoint")?;
        CHILD_COUNT.store(0, Ordering::SeqCst);
        spawn(s, child_echo, ep, &CHILD_STACK, CHILD_IPC, true)?;
        // SAFETY (this block): IPC with the echo thread through our IPC buffer.
        unsafe {
            // Register-only call.
            let (info, mrs) = sys::call_with_mrs(badged, MessageInfo::new(5, 0, 0, 3), [1, 2, 3, 0]);
            ensure(info.label() == 6, "reply label", info.label())?;
            ensure(info.length() == 3, "reply length", info.length())?;
            ensure(mrs[..3] == [2, 4, 6], "reply words", mrs[0])?;
            ensure(
                CHILD_BADGE.load(Ordering::SeqCst) == 0x55,
                "badge seen by the server",
                CHILD_BADGE.load(Ordering::SeqCst),
            )?;
            // Buffer call with more words than registers.
            for i in 0..6 {
                sys::set_mr(i, 10 + i as Word);
            }
            let info = sys::call(ep, MessageInfo::new(9, 0, 0, 6));
            ensure(
                info.label() == 10 && info.length() == 6,
                "long reply info",
                info.into_word(),
            )?;
            for i in 0..6 {
                let w = sys::get_mr(i);
                ensure(w == 2 * (10 + i as Word), "long reply word", w)?;
            }
            ensure(
                CHILD_BADGE.load(Ordering::SeqCst) == 0,
                "unbadged call",
                CHILD_BADGE.load(Ordering::SeqCst),
            )?;
            // A plain send: the server receives it (its reply goes nowhere) and waits again.
            sys::set_mr(0, 99);
            sys::send(ep, MessageInfo::new(20, 0, 0, 1));
            sys::send_with_mrs(badged, MessageInfo::new(21, 0, 0, 1), [98, 0, 0, 0]);
            // Both sends are seen before the next call is answered.
            let (info, _) = sys::call_with_mrs(ep, MessageInfo::new(30, 0, 0, 0), [0; 4]);
            ensure(info.label() == 31, "call after sends", info.label())?;
            ensure(
                CHILD_COUNT.load(Ordering::SeqCst) == 5,
                "messages served",
                CHILD_COUNT.load(Ordering::SeqCst),
            )?;
            // Non-blocking operations with nobody on the other side.
            let (_, badge) = sys::nb_recv(ep);
            ensure(badge == 0, "nb_recv with no sender", badge)?;
        }
        Ok(())
    })
}

#[selkie::test]
fn recv_and_reply_from_the_root_task() -> R {
    scratch(|s| {
        let ep = s.make(ObjectType::Endpoint, 0)?;
        let ntfn = s.make(ObjectType::Notification, 0)?;
        CHILD_SEEN.store(0, Ordering::SeqCst);
        CHILD_LABEL.store(0, Ordering::SeqCst);
        spawn(s, child_client, ep | (ntfn << 32), &CHILD_STACK_2, CHILD_IPC_2, true)?;
        // SAFETY (this block): IPC with the client thread through our IPC buffer.
        unsafe {
            let (info, badge, mrs) = sys::recv_with_mrs(ep);
            ensure(
                info.label() == 0x33 && info.length() == 3,
                "client's message",
                info.into_word(),
            )?;
            ensure(badge == 0, "unbadged", badge)?;
            ensure(mrs[..3] == [7, 8, 9], "client's words", mrs[0])?;
            sys::set_mr(0, mrs[0] + mrs[1] + mrs[2]);
            sys::reply(MessageInfo::new(0x44, 0, 0, 1));
            sys::wait(ntfn);
        }
        ensure(
            CHILD_SEEN.load(Ordering::SeqCst) == 24,
            "reply word seen by the client",
            CHILD_SEEN.load(Ordering::SeqCst),
        )?;
        ensure(
            CHILD_LABEL.load(Ordering::SeqCst) == 0x44,
            "reply label seen by the client",
            CHILD_LABEL.load(Ordering::SeqCst),
        )?;
        Ok(())
    })
}

#[selkie::test]
fn serve_with_buffer_recv_and_reply_recv() -> R {
    scratch(|s| {
        let ep = s.make(ObjectType::Endpoint, 0)?;
        CHILD_SEEN.store(0, Ordering::SeqCst);
        // Nobody is waiting: a non-blocking send is dropped and does not block us.
        // SAFETY: IPC on our endpoint with our IPC buffer.
        unsafe { sys::nb_send(ep, MessageInfo::new(1, 0, 0, 0)) };
        let tcb = spawn(s, child_caller, ep, &CHILD_STACK, CHILD_IPC, true)?;
        // SAFETY: naming the child thread (debug builds only), through our IPC buffer.
        unsafe { sys::debug_name_thread(tcb, c"sys_raw child") };
        // SAFETY (this block): IPC with the caller thread through our IPC buffer.
        unsafe {
            let (mut info, badge) = sys::recv(ep);
            ensure(badge == 0, "badge", badge)?;
            for round in 1..=3 {
                ensure(
                    info.label() == round && info.length() == 5,
                    "request info",
                    info.into_word(),
                )?;
                let mut sum = 0;
                for j in 0..5 {
                    let w = sys::get_mr(j);
                    ensure(w == round * (j as Word + 1), "request word", w)?;
                    sum += w;
                }
                sys::set_mr(0, sum);
                if round < 3 {
                    (info, _) = sys::reply_recv(ep, MessageInfo::new(0, 0, 0, 1));
                } else {
                    sys::reply(MessageInfo::new(0, 0, 0, 1));
                }
            }
            // The caller (at a lower priority) records the last reply, then says it is done.
            let (info, _) = sys::recv(ep);
            ensure(info.label() == 99, "done message", info.into_word())?;
            sys::yield_();
        }
        // Sums of 1..5 times 1, 2, 3.
        let seen = CHILD_SEEN.load(Ordering::SeqCst);
        let _ = tcb;
        ensure(seen == 15 + 30 + 45, "replies seen by the caller", seen)
    })
}

#[selkie::test]
fn notification_signal_wait() -> R {
    scratch(|s| {
        let ntfn = s.make(ObjectType::Notification, 0)?;
        let (a, b) = (s.slot()?, s.slot()?);
        // SAFETY (this block): badged copies of our notification, signalled and waited on by this thread.
        unsafe {
            sys::cnode_mint(ROOT, a, DEPTH as u8, ROOT, ntfn, DEPTH as u8, CapRights::ALL, 0b01).or_fail("mint a")?;
            sys::cnode_mint(ROOT, b, DEPTH as u8, ROOT, ntfn, DEPTH as u8, CapRights::ALL, 0b10).or_fail("mint b")?;
            sys::signal(a);
            sys::signal(b);
            let word = sys::wait(ntfn);
            ensure(word == 0b11, "badges are or-ed", word)?;
            let (_, word) = sys::nb_recv(ntfn);
            ensure(word == 0, "poll after the wait", word)?;
            sys::signal(b);
            let (_, word) = sys::nb_recv(ntfn);
            ensure(word == 0b10, "poll after a signal", word)?;
        }
        Ok(())
    })
}

#[selkie::test]
fn irq_handler_get_set_ack_clear() -> R {
    scratch(|s| {
        let ntfn = s.make(ObjectType::Notification, 0)?;
        let (badged, h, h2, h3) = (s.slot()?, s.slot()?, s.slot()?, s.slot()?);
        // SAFETY: minting a badged copy of our notification into our slot.
        unsafe {
            sys::cnode_mint(
                ROOT,
                badged,
                DEPTH as u8,
                ROOT,
                ntfn,
                DEPTH as u8,
                CapRights::ALL,
                IRQ_BADGE,
            )
        }
        .or_fail("mint notification")?;
        // SAFETY (this block): an IRQ handler for the PIT's pin (edge-triggered, active high), and one for an
        // MSI vector that nothing raises.
        unsafe {
            sys::irq_control_get_ioapic(sys::CAP_IRQ_CONTROL, ROOT, h, DEPTH, 0, PIT_IOAPIC_PIN, 0, 0, 20)
                .or_fail("get ioapic handler")?;
            expect_tag(h, cap_tag::IRQ_HANDLER, "IOAPIC handler")?;
            let again = sys::irq_control_get_ioapic(sys::CAP_IRQ_CONTROL, ROOT, h2, DEPTH, 0, 11, 0, 0, 20);
            expect_err(again, sys::Error::RevokeFirst, "vector already taken")?;
            expect_tag(h2, cap_tag::NULL, "no handler for a refused vector")?;
            sys::irq_control_get_msi(sys::CAP_IRQ_CONTROL, ROOT, h3, DEPTH, 0, 3, 0, 0, 21)
                .or_fail("get msi handler")?;
            expect_tag(h3, cap_tag::IRQ_HANDLER, "MSI handler")?;
        }
        let observed = pit_interrupts(h, ntfn, badged);
        // Whatever happened: stop the PIT, and delete the handler caps (they come from the IRQ control cap, not
        // the untyped, so revoking the untyped would not).
        let stopped = pit_stop();
        // SAFETY: deletes the handler caps this test made; deleting the PIT's handler also masks its line.
        let deleted = unsafe { sys::cnode_delete(ROOT, h, DEPTH as u8).and(sys::cnode_delete(ROOT, h3, DEPTH as u8)) }
            .or_fail("delete handlers");
        observed.and(stopped).and(deleted)
    })
}

/// Runs the PIT at 1 kHz with handler `h` and checks, on notification `ntfn`, what the kernel delivers: an
/// interrupt once the handler has a notification (the badged copy `badged`), none more until the handler
/// acknowledges, none after the handler is cleared, and again one once it is set again.
fn pit_interrupts(h: CPtr, ntfn: CPtr, badged: CPtr) -> R {
    /// Ample for an interrupt due within 1 ms, even on a slow host.
    const ARRIVES_MS: u64 = 200;
    /// Twenty PIT periods: an interrupt the kernel delivered would have arrived.
    const SILENT_MS: u64 = 20;
    // SAFETY (this block): invocations of our handler cap; the interrupt only signals our notification.
    unsafe {
        sys::irq_handler_set_notification(h, badged).or_fail("set notification")?;
        // The pin was unmasked when the handler was issued, and the PIT has been running since boot: an
        // interrupt that came before the notification was set went nowhere and left the line masked.
        sys::irq_handler_ack(h).or_fail("ack")?;
        pit_start(1000)?;
        let word = poll_for(ntfn, ARRIVES_MS)?;
        ensure(word == IRQ_BADGE, "interrupt on the notification, with its badge", word)?;
        // The kernel masks the line when it delivers, until the handler is acknowledged.
        let word = poll_for(ntfn, SILENT_MS)?;
        ensure(word == 0, "no second interrupt before the ack", word)?;
        sys::irq_handler_ack(h).or_fail("ack")?;
        let word = poll_for(ntfn, ARRIVES_MS)?;
        ensure(word == IRQ_BADGE, "interrupt after the ack", word)?;
        // Cleared, the handler has no notification: unmasked, the interrupts go nowhere.
        sys::irq_handler_clear(h).or_fail("clear")?;
        sys::irq_handler_ack(h).or_fail("ack after clear")?;
        let word = poll_for(ntfn, SILENT_MS)?;
        ensure(word == 0, "no interrupt after clear", word)?;
        // The PIT was still running all along: with the notification set again, interrupts arrive again.
        sys::irq_handler_set_notification(h, badged).or_fail("set notification again")?;
        sys::irq_handler_ack(h).or_fail("ack after setting again")?;
        let word = poll_for(ntfn, ARRIVES_MS)?;
        ensure(
            word == IRQ_BADGE,
            "interrupt after setting the notification again",
            word,
        )
    }
}

#[selkie::test]
fn io_port_in_and_out() -> R {
    /// The 16550 UART's scratch register at COM1 + 7 (8 bits, holds what was written).
    const SCRATCH: u16 = 0x3ff;
    /// PCI configuration address register (32 bits, holds what was written) and data window.
    const PCI_ADDRESS: u16 = 0xcf8;
    const PCI_DATA: u16 = 0xcfc;
    /// The "dispi" index register (16 bits, holds what was written) and data register of the standard VGA
    /// that QEMU's `pc` machine has by default (the Bochs display interface).
    const DISPI_INDEX: u16 = 0x1ce;
    const DISPI_DATA: u16 = 0x1cf;
    /// The dispi register that holds the interface version: `0xb0c0..=0xb0c5`, and accepts only those.
    const DISPI_ID: Word = 0;
    const IO: CPtr = sys::CAP_IO_PORT;
    // SAFETY (this block): port I/O on the serial port's scratch and status registers, the PCI configuration
    // address (restored) and reads of the host bridge's identity, and the VGA's dispi index and version
    // registers (restored); none of them changes what the kernel or the devices do.
    unsafe {
        sys::x86_io_port_out8(IO, SCRATCH.into(), 0x5a).or_fail("out8")?;
        let v = sys::x86_io_port_in8(IO, SCRATCH).or_fail("in8")?;
        ensure(v == 0x5a, "scratch register read back", v.into())?;
        sys::x86_io_port_out8(IO, SCRATCH.into(), 0xa5).or_fail("out8")?;
        let v = sys::x86_io_port_in8(IO, SCRATCH).or_fail("in8")?;
        ensure(v == 0xa5, "scratch register read back", v.into())?;
        // Line status: the transmitter holding register is empty (bit 5) between the kernel's writes.
        let lsr = sys::x86_io_port_in8(IO, 0x3fd).or_fail("in8 status")?;
        ensure(lsr & 0x20 != 0, "UART line status", lsr.into())?;

        // 32 bits: the PCI address register keeps all four bytes written; through it, the host bridge's
        // identity (00:00.0, the i440FX: vendor 0x8086, device 0x1237) reads in 32 and in 16 bits.
        let saved = sys::x86_io_port_in32(IO, PCI_ADDRESS).or_fail("in32 PCI address")?;
        for address in [0x8000_0000u32, 0x8000_08fc, 0x80fe_dc04] {
            sys::x86_io_port_out32(IO, PCI_ADDRESS.into(), address.into()).or_fail("out32 PCI address")?;
            let v = sys::x86_io_port_in32(IO, PCI_ADDRESS).or_fail("in32 PCI address")?;
            ensure(v == address, "PCI address register read back (32 bits)", v.into())?;
        }
        sys::x86_io_port_out32(IO, PCI_ADDRESS.into(), 0x8000_0000).or_fail("out32 PCI address")?;
        let id = sys::x86_io_port_in32(IO, PCI_DATA).or_fail("in32 PCI data")?;
        ensure(id == 0x1237_8086, "host bridge vendor and device (32 bits)", id.into())?;
        let vendor = sys::x86_io_port_in16(IO, PCI_DATA).or_fail("in16 PCI data")?;
        ensure(vendor == 0x8086, "host bridge vendor (16 bits)", vendor.into())?;
        let device = sys::x86_io_port_in16(IO, PCI_DATA + 2).or_fail("in16 PCI data + 2")?;
        ensure(device == 0x1237, "host bridge device (16 bits)", device.into())?;
        sys::x86_io_port_out32(IO, PCI_ADDRESS.into(), saved.into()).or_fail("restore PCI address")?;

        // 16 bits: the dispi index register keeps both bytes written; the version register takes a 16-bit
        // value it knows and reads it back.
        for index in [0xb5a4u16, 0x4a5b] {
            sys::x86_io_port_out16(IO, DISPI_INDEX.into(), index.into()).or_fail("out16 dispi index")?;
            let v = sys::x86_io_port_in16(IO, DISPI_INDEX).or_fail("in16 dispi index")?;
            ensure(v == index, "dispi index read back (16 bits)", v.into())?;
        }
        sys::x86_io_port_out16(IO, DISPI_INDEX.into(), DISPI_ID).or_fail("out16 dispi index")?;
        let version = sys::x86_io_port_in16(IO, DISPI_DATA).or_fail("in16 dispi version")?;
        ensure((0xb0c0..=0xb0c5).contains(&version), "dispi version", version.into())?;
        let other = if version == 0xb0c0 { 0xb0c1 } else { 0xb0c0 };
        sys::x86_io_port_out16(IO, DISPI_DATA.into(), other).or_fail("out16 dispi version")?;
        let v = sys::x86_io_port_in16(IO, DISPI_DATA).or_fail("in16 dispi version")?;
        ensure(Word::from(v) == other, "dispi version read back (16 bits)", v.into())?;
        sys::x86_io_port_out16(IO, DISPI_DATA.into(), version.into()).or_fail("restore dispi version")?;
    }
    Ok(())
}

#[selkie::test]
fn page_table_and_page_mapping() -> R {
    scratch(|s| {
        const VADDR: Word = 0x4020_0000;
        let frame = s.make(ObjectType::X86_4K, 0)?;
        // SAFETY (this block): mappings at addresses nothing else in this image uses.
        unsafe {
            // No page directory yet for this range.
            let r = sys::x86_page_map(frame, sys::CAP_INIT_THREAD_VSPACE, VADDR, CapRights::ALL, 0);
            expect_err(r, sys::Error::FailedLookup, "map without paging structures")?;
        }
        let pd = s.make(ObjectType::X86PageDirectory, 0)?;
        let pt = s.make(ObjectType::X86PageTable, 0)?;
        // SAFETY (this block): as above.
        unsafe {
            sys::x86_page_directory_map(pd, sys::CAP_INIT_THREAD_VSPACE, VADDR & !((1 << 30) - 1), 0)
                .or_fail("map PD")?;
            let r = sys::x86_page_map(frame, sys::CAP_INIT_THREAD_VSPACE, VADDR, CapRights::ALL, 0);
            expect_err(r, sys::Error::FailedLookup, "map without a page table")?;
            sys::x86_page_table_map(pt, sys::CAP_INIT_THREAD_VSPACE, VADDR, 0).or_fail("map PT")?;
            expect_err(
                sys::x86_page_table_map(pt, sys::CAP_INIT_THREAD_VSPACE, VADDR, 0),
                sys::Error::InvalidCapability,
                "page table mapped twice",
            )?;
            sys::x86_page_map(frame, sys::CAP_INIT_THREAD_VSPACE, VADDR, CapRights::ALL, 0).or_fail("map frame")?;
            let p = VADDR as *mut u64;
            ensure(p.read_volatile() == 0, "new frame is zeroed", p.read_volatile())?;
            p.write_volatile(0x1234_5678);
            p.add(511).write_volatile(0xfeed);
            ensure(
                p.read_volatile() == 0x1234_5678 && p.add(511).read_volatile() == 0xfeed,
                "memory through the mapping",
                p.read_volatile(),
            )?;
            let paddr = sys::x86_page_get_address(frame).or_fail("get address")?;
            ensure(paddr != 0 && paddr & 0xfff == 0, "frame physical address", paddr)?;
            // Another frame on the same address is refused; after unmapping, a second frame maps there.
            let frame2 = s.make(ObjectType::X86_4K, 0)?;
            expect_err(
                sys::x86_page_map(frame2, sys::CAP_INIT_THREAD_VSPACE, VADDR, CapRights::ALL, 0),
                sys::Error::DeleteFirst,
                "address in use",
            )?;
            sys::x86_page_unmap(frame).or_fail("unmap")?;
            sys::x86_page_map(
                frame2,
                sys::CAP_INIT_THREAD_VSPACE,
                VADDR,
                CapRights::new(false, true, false),
                0,
            )
            .or_fail("map read-only")?;
            ensure(
                p.read_volatile() == 0,
                "second frame is a different, zeroed frame",
                p.read_volatile(),
            )?;
            // The first frame still holds the data: map it elsewhere and look.
            sys::x86_page_map(frame, sys::CAP_INIT_THREAD_VSPACE, VADDR + 0x1000, CapRights::ALL, 0)
                .or_fail("map again")?;
            let q = (VADDR + 0x1000) as *const u64;
            ensure(
                q.read_volatile() == 0x1234_5678,
                "data kept across unmap",
                q.read_volatile(),
            )?;
        }
        // A whole new top-level branch: PDPT at 512 GiB, then PD, PT and a page under it.
        const HIGH: Word = 0x80_0000_0000;
        let pdpt = s.make(ObjectType::X86Pdpt, 0)?;
        let pd2 = s.make(ObjectType::X86PageDirectory, 0)?;
        let pt2 = s.make(ObjectType::X86PageTable, 0)?;
        let f3 = s.make(ObjectType::X86_4K, 0)?;
        // SAFETY (this block): as above.
        unsafe {
            sys::x86_pdpt_map(pdpt, sys::CAP_INIT_THREAD_VSPACE, HIGH, 0).or_fail("map PDPT")?;
            sys::x86_page_directory_map(pd2, sys::CAP_INIT_THREAD_VSPACE, HIGH, 0).or_fail("map PD under PDPT")?;
            sys::x86_page_table_map(pt2, sys::CAP_INIT_THREAD_VSPACE, HIGH, 0).or_fail("map PT under PD")?;
            sys::x86_page_map(f3, sys::CAP_INIT_THREAD_VSPACE, HIGH, CapRights::ALL, 0)
                .or_fail("map page at 512 GiB")?;
            let p = HIGH as *mut u64;
            p.write_volatile(77);
            ensure(p.read_volatile() == 77, "memory at 512 GiB", p.read_volatile())?;
        }
        // A new address space root: the kernel maps nothing into it until it has an ASID.
        const OTHER: Word = 0x1000_0000;
        let pml4 = s.make(ObjectType::X64Pml4, 0)?;
        let (pdpt3, pd3, pt3) = (
            s.make(ObjectType::X86Pdpt, 0)?,
            s.make(ObjectType::X86PageDirectory, 0)?,
            s.make(ObjectType::X86PageTable, 0)?,
        );
        let (f4, f5, pdpt4) = (
            s.make(ObjectType::X86_4K, 0)?,
            s.make(ObjectType::X86_4K, 0)?,
            s.make(ObjectType::X86Pdpt, 0)?,
        );
        // SAFETY (this block): mappings into the new address space, which no thread runs in, and one attempt at
        // an address of our own that must fail.
        unsafe {
            expect_err(
                sys::x86_pdpt_map(pdpt3, pml4, OTHER, 0),
                sys::Error::InvalidCapability,
                "PDPT into a PML4 without an ASID",
            )?;
            expect_err(
                sys::x86_page_map(f4, pml4, OTHER, CapRights::ALL, 0),
                sys::Error::InvalidCapability,
                "page into a PML4 without an ASID",
            )?;
            sys::x86_asid_pool_assign(sys::CAP_INIT_THREAD_ASID_POOL, pml4).or_fail("assign ASID")?;
            expect_err(
                sys::x86_asid_pool_assign(sys::CAP_INIT_THREAD_ASID_POOL, pml4),
                sys::Error::InvalidCapability,
                "a second ASID for the same PML4",
            )?;
            sys::x86_pdpt_map(pdpt3, pml4, OTHER, 0).or_fail("PDPT into the PML4 with an ASID")?;
            sys::x86_page_directory_map(pd3, pml4, OTHER, 0).or_fail("PD into the new address space")?;
            sys::x86_page_table_map(pt3, pml4, OTHER, 0).or_fail("PT into the new address space")?;
            sys::x86_page_map(f4, pml4, OTHER, CapRights::ALL, 0).or_fail("page into the new address space")?;
            // The kernel filled in the new root's tables: the same address is taken there now...
            expect_err(
                sys::x86_pdpt_map(pdpt4, pml4, OTHER, 0),
                sys::Error::DeleteFirst,
                "PML4 entry of the new address space in use",
            )?;
            expect_err(
                sys::x86_page_map(f5, pml4, OTHER, CapRights::ALL, 0),
                sys::Error::DeleteFirst,
                "page table entry of the new address space in use",
            )?;
            // ...but not in ours, which has no page table there.
            expect_err(
                sys::x86_page_map(f5, sys::CAP_INIT_THREAD_VSPACE, OTHER, CapRights::ALL, 0),
                sys::Error::FailedLookup,
                "our own address space at that address",
            )?;
        }
        Ok(())
    })
}
