//! Threads in the root task's address space through the typed API: data both ways, eight at once,
//! priorities and suspend/resume seen in what the threads do.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::sync::atomic::{AtomicU64, Ordering::SeqCst};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::typenum::{U100, U11, U150, U5, U50};
use selkie::{
    CNodeSlots, Cap, Lent, Local, Notification, Priority, Runtime, StaticStack, Tcb, Thread, ThreadEnv,
    UntypedAllocator,
};
use support::{expect_eq, Fail};

selkie::test_main!();

type Mine<'s, T> = Cap<T, Local<Lent<'s>>>;

/// A TCB and a join notification from the lent resources.
#[allow(dead_code)]
fn parts<'s>(res: &mut Resources<Lent<'s>>) -> Result<(Mine<'s, Tcb>, Mine<'s, Notification>), Fail> {
    part(&mut res.untyped, &mut res.slots)
}

/// The same from the two pools, while the CSpace and VSpace are borrowed elsewhere.
fn part<'s>(
    untyped: &mut UntypedAllocator<Lent<'s>>,
    slots: &mut CNodeSlots<Runtime, Local<Lent<'s>>>,
) -> Result<(Mine<'s, Tcb>, Mine<'s, Notification>), Fail> {
    let tcb = untyped.alloc::<U11>()?.retype(slots.alloc()?)?;
    let join = untyped.alloc::<U5>()?.retype(slots.alloc()?)?;
    Ok((tcb, join))
}

// ---- data both ways ----

#[derive(Clone, Copy)]
struct Job {
    base: u64,
    factor: u64,
}

static SHARED_IN: AtomicU64 = AtomicU64::new(0);
static SHARED_OUT: AtomicU64 = AtomicU64::new(0);
static STACK_A: StaticStack<16384> = StaticStack::new();

fn worker(job: Job) {
    SHARED_OUT.store(job.base * job.factor + SHARED_IN.load(SeqCst), SeqCst);
}

#[selkie::test]
fn a_thread_and_its_parent_exchange_data(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let env = ThreadEnv::new(&res.cspace, &res.vspace);
        SHARED_IN.store(7, SeqCst);
        let job = Job { base: 1000, factor: 3 };
        let t = Thread::spawn(&env, tcb, STACK_A.take()?, worker, job, Priority::of::<U100>(), join)?;
        expect_eq("thread ran before start", 0, SHARED_OUT.load(SeqCst))?;
        let t = t.start()?;
        let _ = t.join()?;
        // The argument arrived (1000 * 3) and the parent's value was read (+ 7).
        expect_eq("value the thread computed", 3007, SHARED_OUT.load(SeqCst))?;
        Ok(())
    })
}

// ---- eight at once ----

static ARRIVED: AtomicU64 = AtomicU64::new(0);
static DONE_MASK: AtomicU64 = AtomicU64::new(0);
static STACKS: [StaticStack<8192>; 8] = [const { StaticStack::new() }; 8];

fn rendezvous(index: usize) {
    ARRIVED.fetch_add(1, SeqCst);
    // Nobody finishes until all eight are alive at the same time.
    while ARRIVED.load(SeqCst) < 8 {
        // SAFETY: yielding has no memory effects.
        unsafe { selkie::sys::yield_() };
    }
    DONE_MASK.fetch_or(1 << index, SeqCst);
}

#[selkie::test]
fn eight_threads_run_at_once_and_all_finish(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let env = ThreadEnv::new(&res.cspace, &res.vspace);
        let mut running = [const { None }; 8];
        for (i, slot) in running.iter_mut().enumerate() {
            let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
            let t = Thread::spawn(
                &env,
                tcb,
                STACKS[i].take()?,
                rendezvous,
                i,
                Priority::of::<U100>(),
                join,
            )?;
            *slot = Some(t.start()?);
        }
        for t in running.into_iter().flatten() {
            let _ = t.join()?;
        }
        expect_eq("threads that arrived", 8, ARRIVED.load(SeqCst))?;
        expect_eq("threads that finished", 0xff, DONE_MASK.load(SeqCst))?;
        Ok(())
    })
}

// ---- priorities and suspend ----

static COUNT: AtomicU64 = AtomicU64::new(0);
static SEEN: AtomicU64 = AtomicU64::new(u64::MAX);
static STACK_COUNT: StaticStack<8192> = StaticStack::new();
static STACK_LOOK: StaticStack<8192> = StaticStack::new();
static STACK_COUNT2: StaticStack<8192> = StaticStack::new();
static STACK_LOOK2: StaticStack<8192> = StaticStack::new();

/// Counts to `to`, yielding each step (so equal priorities interleave, lower ones wait).
fn counter(to: u64) {
    while COUNT.load(SeqCst) < to {
        COUNT.fetch_add(1, SeqCst);
        // SAFETY: yielding has no memory effects.
        unsafe { selkie::sys::yield_() };
    }
}

/// Records the counter when it gets to run.
fn look(_: ()) {
    SEEN.store(COUNT.load(SeqCst), SeqCst);
}

#[selkie::test]
fn a_priority_change_decides_who_runs_first(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let env = ThreadEnv::new(&res.cspace, &res.vspace);
        // Counter at 100, looker at 50: the looker runs only once the counter is done.
        COUNT.store(0, SeqCst);
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let c = Thread::spawn(
            &env,
            tcb,
            STACK_COUNT.take()?,
            counter,
            500,
            Priority::of::<U100>(),
            join,
        )?;
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let l = Thread::spawn(&env, tcb, STACK_LOOK.take()?, look, (), Priority::of::<U50>(), join)?;
        let (c, l) = (c.start()?, l.start()?);
        let _ = l.join()?;
        let _ = c.join()?;
        expect_eq("count the low-priority thread saw", 500, SEEN.load(SeqCst))?;

        // The same, but the looker is raised to 150 before it starts: it runs before the counter moves.
        COUNT.store(0, SeqCst);
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let c = Thread::spawn(
            &env,
            tcb,
            STACK_COUNT2.take()?,
            counter,
            500,
            Priority::of::<U100>(),
            join,
        )?;
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let l = Thread::spawn(&env, tcb, STACK_LOOK2.take()?, look, (), Priority::of::<U50>(), join)?;
        l.tcb().set_priority(Priority::of::<U150>())?;
        let c = c.start()?;
        // The counter cannot run yet: the root task (255) has not blocked.
        let l = l.start()?;
        let _ = l.join()?;
        expect_eq("count the raised thread saw", 0, SEEN.load(SeqCst))?;
        let _ = c.join()?;
        expect_eq("final count", 500, COUNT.load(SeqCst))?;
        // A priority above the root task's maximum controlled priority does not exist on this kernel.
        expect_eq(
            "priority 256 refused",
            1,
            matches!(
                Priority::new(256),
                Err(selkie::Error::PriorityOutOfRange {
                    priority: 256,
                    limit: 256
                })
            ) as u64,
        )?;
        Ok(())
    })
}

static STACK_SPIN: StaticStack<8192> = StaticStack::new();
static STACK_PROBE: StaticStack<8192> = StaticStack::new();
static SPIN: AtomicU64 = AtomicU64::new(0);

/// Counts to 50, yielding each step.
fn spinner(_: ()) {
    while SPIN.load(SeqCst) < 50 {
        SPIN.fetch_add(1, SeqCst);
        // SAFETY: yielding has no memory effects.
        unsafe { selkie::sys::yield_() };
    }
}

/// Records the spinner's count when it gets to run.
fn probe(_: ()) {
    SEEN.store(SPIN.load(SeqCst), SeqCst);
}

#[selkie::test]
fn suspend_stops_a_thread_and_resume_lets_it_go_on(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let env = ThreadEnv::new(&res.cspace, &res.vspace);
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let s = Thread::spawn(&env, tcb, STACK_SPIN.take()?, spinner, (), Priority::of::<U100>(), join)?;
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let p = Thread::spawn(&env, tcb, STACK_PROBE.take()?, probe, (), Priority::of::<U50>(), join)?;
        let s = s.start()?;
        s.suspend()?;
        let before = SPIN.load(SeqCst);
        // The probe (50) runs only if the spinner (100) is not runnable: it is suspended.
        let _ = p.start()?.join()?;
        expect_eq("spinner count while suspended", before, SEEN.load(SeqCst))?;
        expect_eq("spinner did not move", before, SPIN.load(SeqCst))?;
        s.resume()?;
        let _ = s.join()?;
        expect_eq("spinner count after resume", 50, SPIN.load(SeqCst))?;
        Ok(())
    })
}

// ---- notification binding ----

#[selkie::test]
fn a_thread_binds_one_notification_at_a_time(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let (tcb, first) = part(&mut res.untyped, &mut res.slots)?;
        let (_, second) = part(&mut res.untyped, &mut res.slots)?;
        tcb.bind_notification(&first)?;
        let illegal = selkie::sys::Error::IllegalOperation;
        let refused = |r: Result<(), selkie::Error>, op| match r {
            Err(selkie::Error::Kernel { op: o, code }) if o == op && code == illegal => Ok(()),
            Err(e) => Err(Fail::Selkie(e)),
            Ok(()) => Err(Fail::Succeeded("a second binding")),
        };
        // The kernel refuses a second notification while one is bound, and an unbind when none is.
        refused(tcb.bind_notification(&second), selkie::Operation::TCBBindNotification)?;
        tcb.unbind_notification()?;
        refused(tcb.unbind_notification(), selkie::Operation::TCBUnbindNotification)?;
        tcb.bind_notification(&second)?;
        Ok(())
    })
}
