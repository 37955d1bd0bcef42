//! Processes built from functions of the root task's image: each has its own address space, CSpace, thread
//! and fault endpoint; typed parameters arrive as the child's own capabilities; faults reach the supervisor
//! as values (map and resume, restart, kill), a child cannot see the root task's memory, a region shared by
//! two children carries data both ways, 16 run at once, and teardown gives back every byte and slot.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::ptr::{read_volatile, write_volatile};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::process::{
    Brand, ImageFunction, Perms, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources, RootImage,
    RunningProcess, PARAMS_ADDR,
};
use selkie::sys::Word;
use selkie::typenum::{U1, U100, U12, U128, U14, U18, U3, U5};
use selkie::{Badge, Cap, Fault, Forever, Lent, Local, Notification, Priority, Region, Scope, Supervisor, VmAccess};
use support::{expect_eq, expect_word, Fail};

selkie::test_main!();

selkie::child_brand!(Adder, Prober, Fixer, Restarted, Ping, Pong, Again);
selkie::child_brand!(W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11, W12, W13, W14, W15);

/// Where the children see the page they share with the root task.
const SHARED: Word = 0x2000_0000;
/// An address no child maps (below 4 GiB: this kernel reports fault addresses in 32 bits).
const UNMAPPED: Word = 0x3000_0000;

/// What a child is given: a notification to signal, a number, and an address to probe.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Job<S: Scope = Forever> {
    done: Cap<Notification, Local<S>>,
    value: u64,
    probe: Word,
}

/// A child with no capabilities: a number and an address.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Plain {
    value: u64,
    probe: Word,
}

type Res<'s> = ProcessResources<U18, U128, selkie::Borrowed<Lent<'s>>, Lent<'s>>;
type Running<'s, B> = RunningProcess<B, U18, U128, selkie::Borrowed<Lent<'s>>, Lent<'s>>;

fn shared_word(i: usize) -> *mut u64 {
    (SHARED as usize + 8 * i) as *mut u64
}

/// Memory and slots for one process.
fn resources<'s>(res: &mut Resources<Lent<'s>>) -> Result<Res<'s>, Fail> {
    Ok(ProcessResources::new(
        res.untyped.alloc::<U18>()?,
        res.slots.alloc::<U128>()?,
    ))
}

fn config(badge: Word) -> Result<ProcessConfig, Fail> {
    Ok(ProcessConfig {
        priority: Priority::of::<U100>(),
        badge: Badge::new(badge)?,
    })
}

/// A supervisor, the process kit, and a page the root task maps (to share with children).
#[allow(clippy::type_complexity)]
fn setup<'s>(
    res: &mut Resources<Lent<'s>>,
) -> Result<
    (
        Supervisor<Local<Lent<'s>>>,
        ProcessKit<Lent<'s>>,
        Region<
            U1,
            selkie::Mapped<selkie::vspace::Own>,
            selkie::Exclusive,
            selkie::rights::ReadWrite,
            selkie::Page4K,
            Lent<'s>,
        >,
    ),
    Fail,
> {
    let ep = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let sup = Supervisor::new(ep);
    let kit = ProcessKit::new(res, &sup)?;
    let page = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
    let (page, _) = res
        .root_vspace
        .map_next(page, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
    Ok((sup, kit, page))
}

fn root_word(page: &impl AsPtr, i: usize) -> u64 {
    // SAFETY: the root task's mapping of the shared page; children write it concurrently, hence volatile.
    unsafe { read_volatile((page.ptr() + 8 * i) as *const u64) }
}

trait AsPtr {
    fn ptr(&self) -> usize;
}
impl<St: selkie::IsMapped, Sh: selkie::Sharing, Rt: selkie::rights::RightsSet, S: Scope> AsPtr
    for Region<U1, St, Sh, Rt, selkie::Page4K, S>
{
    fn ptr(&self) -> usize {
        self.vaddr() as usize
    }
}

// ---- a child runs and reports back ----

fn add(job: Job) {
    // SAFETY: the shared page is mapped read-write in this child at SHARED.
    unsafe { write_volatile(shared_word(0), job.value * 3 + 1) };
    job.done.signal();
}

#[selkie::test]
fn a_child_runs_with_its_parameters_and_reports_back(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, page) = setup(res)?;
        let done: Cap<Notification, _> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let theirs = done.copy(&res.cspace, res.slots.alloc()?)?;
        let job = Job {
            done: theirs,
            value: 41,
            probe: 0,
        };
        let code = ImageFunction::new(&image, add);
        let mut p = Process::new(
            &kit,
            ProcessBrand::<Adder>::take()?,
            resources(res)?,
            &code,
            job,
            config(7)?,
        )?;
        p.map_shared_frame(page.frame(), SHARED, Perms::RW)?;
        let p = p.start()?;
        done.wait();
        expect_eq("the child's result in the shared page", 41 * 3 + 1, root_word(&page, 0))?;
        let exit = sup.wait();
        expect_word("exit badge", 7, exit.badge.value())?;
        expect_word("exit code", 0, exit_code(&exit.fault)?)?;
        let _ = p.kill(exit);
        Ok(())
    })
}

// ---- a VM fault: the supervisor maps the page and resumes ----

fn read_then_report(p: Plain) {
    // SAFETY: the page at `probe` is missing at first; the supervisor maps it and resumes this child.
    let v = unsafe { read_volatile(p.probe as *const u64) };
    // SAFETY: the shared page is mapped read-write at SHARED.
    unsafe { write_volatile(shared_word(1), v + p.value) };
}

#[selkie::test]
fn a_missing_page_faults_to_the_supervisor_which_maps_it_and_resumes(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, page) = setup(res)?;
        let code = ImageFunction::new(&image, read_then_report);
        let params = Plain {
            value: 5,
            probe: UNMAPPED + 0x18,
        };
        let mut p = Process::new(
            &kit,
            ProcessBrand::<Fixer>::take()?,
            resources(res)?,
            &code,
            params,
            config(9)?,
        )?;
        p.map_shared_frame(page.frame(), SHARED, Perms::RW)?;
        let mut p = p.start()?;
        let f = sup.wait();
        expect_word("badge", 9, f.badge.value())?;
        match f.fault {
            Fault::VmFault {
                address,
                access,
                present,
                ..
            } => {
                expect_word("fault address", UNMAPPED + 0x18, address)?;
                expect_eq("read access", 1, (access == VmAccess::Read) as u64)?;
                expect_eq("not present", 0, present as u64)?;
            }
            _ => return Err(Fail::Missing("a VM fault")),
        }
        p.map_fresh_page(UNMAPPED, Perms::RW)?;
        f.resume();
        let exit = sup.wait();
        expect_word("exit after resume", 0, exit_code(&exit.fault)?)?;
        expect_eq("the child read the fresh page (zero) and added", 5, root_word(&page, 1))?;
        let _ = p.kill(exit);
        Ok(())
    })
}

// ---- a child cannot read the root task's memory; writing a read-only page faults ----

fn probe_read(p: Plain) {
    // SAFETY: none: the read faults on purpose.
    let _ = unsafe { read_volatile(p.probe as *const u64) };
}

fn probe_write(p: Plain) {
    // SAFETY: none: the write faults on purpose.
    unsafe { write_volatile(p.probe as *mut u64, 1) };
}

fn expect_vm_fault(f: &Fault, what: &'static str, address: Word, access: VmAccess, present: bool) -> Result<(), Fail> {
    match *f {
        Fault::VmFault {
            address: a,
            access: k,
            present: p,
            ..
        } => {
            expect_word(what, address, a)?;
            expect_eq("access kind", access as u64, k as u64)?;
            expect_eq("present", present as u64, p as u64)
        }
        _ => Err(Fail::Missing(what)),
    }
}

#[selkie::test]
fn a_child_cannot_read_the_root_tasks_memory_nor_write_its_read_only_page(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    let secret: u64 = 0x5ec7e7;
    // An address the root task maps (its own stack) and the child does not; below 4 GiB on both architectures,
    // so the kernel's 32-bit fault address is the whole address.
    let root_addr = core::ptr::addr_of!(secret) as Word;
    boot.lend(|res| {
        let (mut sup, kit, _page) = setup(res)?;
        let code = ImageFunction::new(&image, probe_read);
        let params = Plain {
            value: 0,
            probe: root_addr,
        };
        let p = Process::new(
            &kit,
            ProcessBrand::<Prober>::take()?,
            resources(res)?,
            &code,
            params,
            config(3)?,
        )?;
        let p = p.start()?;
        let f = sup.wait();
        expect_vm_fault(&f.fault, "the root task's address", root_addr, VmAccess::Read, false)?;
        let torn = p.kill(f);
        // The same memory builds the next child: it writes its read-only parameter page.
        let code = ImageFunction::new(&image, probe_write);
        let params = Plain {
            value: 0,
            probe: PARAMS_ADDR + 8,
        };
        let p = Process::new(&kit, torn.brand, torn.resources, &code, params, config(4)?)?;
        let p = p.start()?;
        let f = sup.wait();
        expect_word("badge", 4, f.badge.value())?;
        expect_vm_fault(
            &f.fault,
            "the read-only parameter page",
            PARAMS_ADDR + 8,
            VmAccess::Write,
            true,
        )?;
        let _ = p.kill(f);
        expect_eq("the root task's memory unchanged", 0x5ec7e7, unsafe_read(&secret))?;
        Ok(())
    })
}

// ---- aarch32: a child cannot execute its data ----

/// Jumps to `probe` as if it were code.
#[cfg(target_arch = "arm")]
fn probe_execute(p: Plain) {
    // SAFETY: none: `probe` is the child's parameter page, mapped execute-never, so the jump faults (on
    // purpose) before any of its bytes run.
    let f = unsafe { core::mem::transmute::<usize, fn()>(p.probe as usize) };
    f();
}

/// On aarch32 a page a child may not execute (here its read-only parameter page) is mapped execute-never:
/// jumping there is an instruction-fetch fault on a present page. (x86_64's kernel interface has no
/// execute-never attribute: every page a child maps is executable there.)
#[cfg(target_arch = "arm")]
#[selkie::test]
fn a_child_cannot_execute_its_data_pages(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, _page) = setup(res)?;
        let code = ImageFunction::new(&image, probe_execute);
        let params = Plain {
            value: 0,
            probe: PARAMS_ADDR,
        };
        let p = Process::new(
            &kit,
            ProcessBrand::<Prober>::take()?,
            resources(res)?,
            &code,
            params,
            config(6)?,
        )?;
        let p = p.start()?;
        let f = sup.wait();
        expect_word("badge", 6, f.badge.value())?;
        expect_vm_fault(&f.fault, "the parameter page", PARAMS_ADDR, VmAccess::Execute, true)?;
        let _ = p.kill(f);
        Ok(())
    })
}

/// The exit code of an exit message; anything else fails the test, printed.
fn exit_code(f: &Fault) -> Result<Word, Fail> {
    f.exit_code().ok_or_else(|| {
        selkie::println!("expected an exit message, got {:?}", f);
        Fail::Missing("exit message")
    })
}

fn unsafe_read(v: &u64) -> u64 {
    // SAFETY: a plain read of a live local.
    unsafe { read_volatile(v) }
}

// ---- restart after a fault ----

fn fault_first_time(p: Plain) {
    // SAFETY: the shared page is mapped read-write at SHARED.
    let attempt = unsafe {
        let a = read_volatile(shared_word(2)) + 1;
        write_volatile(shared_word(2), a);
        a
    };
    if attempt == 1 {
        // SAFETY: none: faults on purpose, the supervisor restarts this child.
        let _ = unsafe { read_volatile(p.probe as *const u64) };
    }
    // SAFETY: as above.
    unsafe { write_volatile(shared_word(3), p.value) };
}

#[selkie::test]
fn a_faulted_child_is_restarted_from_its_initial_state_and_completes(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, page) = setup(res)?;
        let code = ImageFunction::new(&image, fault_first_time);
        let params = Plain {
            value: 77,
            probe: UNMAPPED,
        };
        let mut p = Process::new(
            &kit,
            ProcessBrand::<Restarted>::take()?,
            resources(res)?,
            &code,
            params,
            config(5)?,
        )?;
        p.map_shared_frame(page.frame(), SHARED, Perms::RW)?;
        let mut p = p.start()?;
        let f = sup.wait();
        expect_vm_fault(&f.fault, "first attempt", UNMAPPED, VmAccess::Read, false)?;
        p.restart(f)?;
        let exit = sup.wait();
        expect_word("exit after restart", 0, exit_code(&exit.fault)?)?;
        expect_eq("attempts", 2, root_word(&page, 2))?;
        expect_eq("completed", 77, root_word(&page, 3))?;
        let _ = p.kill(exit);
        Ok(())
    })
}

// ---- a page shared by two children carries data both ways ----

fn ping(job: Job) {
    // SAFETY: the shared page is mapped read-write at SHARED in both children.
    unsafe { write_volatile(shared_word(4), job.value) };
    job.done.signal();
    // Wait for the answer in word 5, then write word 6 from it.
    loop {
        // SAFETY: as above.
        let answer = unsafe { read_volatile(shared_word(5)) };
        if answer != 0 {
            // SAFETY: as above.
            unsafe { write_volatile(shared_word(6), answer * 10) };
            return;
        }
        // SAFETY: yielding has no memory effects.
        unsafe { selkie::sys::yield_() };
    }
}

fn pong(job: Job) {
    // Wait until ping wrote word 4 (its notification is ours too).
    job.done.wait();
    // SAFETY: the shared page is mapped read-write at SHARED in both children.
    unsafe {
        let v = read_volatile(shared_word(4));
        write_volatile(shared_word(5), v + 1);
    }
}

#[selkie::test]
fn a_page_shared_by_two_children_carries_data_both_ways(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, page) = setup(res)?;
        let n: Cap<Notification, _> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let for_ping = n.copy(&res.cspace, res.slots.alloc()?)?;
        let for_pong = n.copy(&res.cspace, res.slots.alloc()?)?;
        let a = ImageFunction::new(&image, ping);
        let b = ImageFunction::new(&image, pong);
        let ja = Job {
            done: for_ping,
            value: 7,
            probe: 0,
        };
        let jb = Job {
            done: for_pong,
            value: 0,
            probe: 0,
        };
        let mut pa = Process::new(&kit, ProcessBrand::<Ping>::take()?, resources(res)?, &a, ja, config(1)?)?;
        let mut pb = Process::new(&kit, ProcessBrand::<Pong>::take()?, resources(res)?, &b, jb, config(2)?)?;
        pa.map_shared_frame(page.frame(), SHARED, Perms::RW)?;
        pb.map_shared_frame(page.frame(), SHARED, Perms::RW)?;
        let pb = pb.start()?;
        let pa = pa.start()?;
        let mut exited = 0;
        let (mut a_done, mut b_done) = (None, None);
        while exited < 2 {
            let f = sup.wait();
            expect_word("an exit", 0, exit_code(&f.fault)?)?;
            let badge = f.badge.value();
            // Neither is resumed: kill each (settles the fault) once both are done.
            if badge == 1 {
                a_done = Some(pa_kill_later(f));
            } else {
                b_done = Some(pa_kill_later(f));
            }
            exited += 1;
        }
        let _ = (a_done, b_done);
        expect_eq("ping -> pong", 8, root_word(&page, 5))?;
        expect_eq("pong -> ping", 80, root_word(&page, 6))?;
        let _ = pa.teardown();
        let _ = pb.teardown();
        Ok(())
    })
}

/// Leaves an exit message unanswered (the child stays blocked until torn down).
fn pa_kill_later<R: selkie::Invocable>(f: selkie::Faulted<'_, R>) -> Word {
    f.badge.value()
}

// ---- 16 at once ----

fn worker(p: Plain) {
    // SAFETY: the shared page is mapped read-write at SHARED in every worker; each writes its own word.
    unsafe { write_volatile(shared_word(8 + p.value as usize), p.value + 100) };
}

fn start_worker<'s, B: Brand>(
    image: &RootImage,
    kit: &ProcessKit<Lent<'s>>,
    res: &mut Resources<Lent<'s>>,
    page: &impl FrameOf<'s>,
    i: Word,
) -> Result<Running<'s, B>, Fail> {
    let code = ImageFunction::new(image, worker);
    let params = Plain {
        value: support::wide(i),
        probe: 0,
    };
    let mut p = Process::new(
        kit,
        ProcessBrand::<B>::take()?,
        resources(res)?,
        &code,
        params,
        config(100 + i)?,
    )?;
    page.share_with(&mut p)?;
    Ok(p.start()?)
}

trait FrameOf<'s> {
    fn share_with<B: Brand>(
        &self,
        p: &mut Process<B, U18, U128, selkie::Borrowed<Lent<'s>>, Lent<'s>>,
    ) -> Result<(), Fail>;
}
impl<'s, St: selkie::MapState, Sh: selkie::Sharing, Rt: selkie::rights::RightsSet> FrameOf<'s>
    for Region<U1, St, Sh, Rt, selkie::Page4K, Lent<'s>>
{
    fn share_with<B: Brand>(
        &self,
        p: &mut Process<B, U18, U128, selkie::Borrowed<Lent<'s>>, Lent<'s>>,
    ) -> Result<(), Fail> {
        p.map_shared_frame(self.frame(), SHARED, Perms::RW)?;
        Ok(())
    }
}

#[selkie::test]
fn sixteen_processes_run_at_once(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, page) = setup(res)?;
        macro_rules! workers {
            ($($b:ident = $i:expr),*) => {{
                ($(start_worker::<$b>(&image, &kit, res, &page, $i)?,)*)
            }};
        }
        let all = workers!(
            W0 = 0,
            W1 = 1,
            W2 = 2,
            W3 = 3,
            W4 = 4,
            W5 = 5,
            W6 = 6,
            W7 = 7,
            W8 = 8,
            W9 = 9,
            W10 = 10,
            W11 = 11,
            W12 = 12,
            W13 = 13,
            W14 = 14,
            W15 = 15
        );
        let mut seen = 0u32;
        for _ in 0..16 {
            let f = sup.wait();
            expect_word("an exit", 0, exit_code(&f.fault)?)?;
            seen |= 1 << (f.badge.value() - 100);
        }
        expect_eq("every worker's exit", 0xffff, seen as u64)?;
        for i in 0..16 {
            expect_eq("a worker's word", 100 + i as u64, root_word(&page, 8 + i))?;
        }
        let _ = all;
        Ok(())
    })
}

// ---- teardown and re-creation, 100 times ----

fn count(p: Plain) {
    // SAFETY: the shared page is mapped read-write at SHARED.
    unsafe { write_volatile(shared_word(30), read_volatile(shared_word(30)) + p.value) };
}

#[selkie::test]
fn teardown_and_rebuild_in_the_same_memory_100_times_loses_nothing(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, page) = setup(res)?;
        let code = ImageFunction::new(&image, count);
        let mut brand = ProcessBrand::<Again>::take()?;
        let mut pres = resources(res)?;
        let (free, slots) = (res.untyped.free_bytes(), res.slots.len());
        let paddr = pres.paddr();
        for i in 0..100u64 {
            let mut p = Process::new(&kit, brand, pres, &code, Plain { value: 1, probe: 0 }, config(50)?)?;
            page.share_with(&mut p)?;
            let p = p.start()?;
            let exit = sup.wait();
            expect_word("exit", 0, exit_code(&exit.fault)?)?;
            let torn = p.kill(exit);
            expect_eq("runs counted", i + 1, root_word(&page, 30))?;
            expect_word("same memory back", paddr, torn.resources.paddr())?;
            expect_eq("all 128 slots back", 128, torn.resources.slot_count() as u64)?;
            brand = torn.brand;
            pres = torn.resources;
        }
        expect_eq(
            "allocator free bytes unchanged",
            free as u64,
            res.untyped.free_bytes() as u64,
        )?;
        expect_eq("slot pool unchanged", slots as u64, res.slots.len() as u64)?;
        let _ = (brand, pres);
        Ok(())
    })
}
