//! A sensor pipeline: a static system of three processes, supervised by the root task.
//!
//! - the **driver** owns the timer (on x86_64 the PIT: its I/O ports and its interrupt through the IOAPIC; on
//!   aarch32 the i.MX6's EPIT1: its registers, mapped in the driver only, and its interrupt through the GIC)
//!   and, on each timer interrupt, pushes a sample into a queue in memory it shares with the filter;
//! - the **filter** takes the samples, calibrates them and sends each to the logger over a channel;
//! - the **logger** checks that the readings arrive complete and in order and prints a tally.
//!
//! The root task builds everything from the kernel's untyped memory (no heap anywhere), starts the three and
//! supervises them: the filter faults on purpose once (it touches an unmapped address), and the root task
//! restarts it; the filter's journal (kept outside its restartable memory) replays the sample in flight. At the
//! end the root task checks the tallies against what it computes itself, and fails the run if they differ.
//!
//! Boot it with `cargo qemu sensor-pipeline` (on aarch32: with `SELKIE_CONFIG` naming a `selkie.toml` that says
//! `arch = "aarch32"`). The machine-specific part is the timer, in `timer/`.
#![no_std]
#![no_main]

mod driver;
mod filter;
mod logger;
mod messages;
mod status;
mod timer;

use core::fmt;

use selkie::bootstrap::{BootInfo, Resources};
use selkie::process::{
    ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources, RootImage, GRANT_BASE, PAGE_SIZE,
};
use selkie::rights::WriteOnly;
use selkie::typenum::{U1, U100, U12, U14, U18, U3, U5, U64};
use selkie::{
    channel, queue, sys, Badge, Between, Buffered, Cap, Endpoint, Fault, Notification, Priority, Region, Supervisor,
};

use driver::{driver, DriverParams};
use filter::{filter, FilterParams, UNMAPPED};
use logger::{logger, LoggerParams};
use messages::{calibrate, checksum, sensor, Logged, Reading, Sample};
use status::{get, Status};

selkie::child_brand!(Driver, Filter, Logger);

/// How many samples go through the pipeline.
const SAMPLES: u64 = 48;
/// The sample on which the filter faults (once).
const FAULT_AT: u64 = 20;
/// The queue's capacity: 64 samples (with its indices, one page shared by the driver and the filter).
type QueueLen = U64;
/// Where the status page is in a process that has the queue's page too (the queue's end maps its page first in
/// the process's grant window, the status page follows), and in one that has not.
const STATUS_AFTER_QUEUE: sys::Word = GRANT_BASE + PAGE_SIZE as sys::Word;
const STATUS_ALONE: sys::Word = GRANT_BASE;
/// The fault badges: how the supervisor tells the processes apart.
const DRIVER: sys::Word = 1;
const FILTER: sys::Word = 2;
const LOGGER: sys::Word = 3;

#[selkie::root_task]
fn main(boot: BootInfo) -> Result<(), PipelineError> {
    let image = RootImage::new(&boot);
    let mut res = boot.take()?;
    let fault_ep = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let mut supervisor = Supervisor::new(fault_ep);
    let kit = ProcessKit::new(&mut res, &supervisor)?;

    // Shared memory: the queue's page (driver and filter) and the status page (everyone, and the root task).
    let queue_page = page(&mut res)?;
    let status_page = page(&mut res)?;
    let (status_page, _unmapped) = status_page.share(&res.cspace, res.slots.alloc::<U1>()?)?;
    // SAFETY: the status page is mapped read-write in the root task's address space for the rest of `main`.
    let status = unsafe { Status::at(status_page.vaddr()) };

    // The timer: its interrupt bound to a notification the driver waits on, and the device itself (what the
    // driver's parameters carry, and what is mapped in the driver once it exists).
    let ticks: Cap<Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let tick_signal: Cap<Notification<WriteOnly>> = ticks.mint(&res.cspace, res.slots.alloc()?, Badge::new(1)?)?;
    let timer = timer::claim(&mut res, &tick_signal)?;
    // The queue from the driver to the filter: its page and a notification for wake-ups, consumed into the ends.
    let wake: Cap<Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let (out, input) = queue::<Sample, QueueLen, _, _, _>(queue_page, wake, &res.cspace, res.slots.alloc()?)?;
    // The channel from the filter to the logger: its caller end is the filter's, its responder the logger's.
    let requests: Cap<Endpoint> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let (to_logger, from_filter) =
        channel::<Reading, Logged, Buffered, Between<Filter, Logger>, _>(requests, &res.cspace, res.slots.alloc()?)?;

    let driver_params = DriverParams {
        irq: timer.irq,
        ticks: ticks.copy(&res.cspace, res.slots.alloc()?)?,
        timer: timer.device,
        out,
        status: STATUS_AFTER_QUEUE,
        samples: SAMPLES,
    };
    let filter_params = FilterParams {
        input,
        logger: to_logger,
        status: STATUS_AFTER_QUEUE,
        samples: SAMPLES,
        fault_at: FAULT_AT,
    };
    let logger_params = LoggerParams {
        requests: from_filter,
        status: STATUS_ALONE,
        samples: SAMPLES,
    };

    let mut driver = Process::new(
        &kit,
        ProcessBrand::<Driver>::take()?,
        memory(&mut res)?,
        &ImageFunction::new(&image, driver),
        driver_params,
        config(DRIVER)?,
    )?;
    let mut filter = Process::new(
        &kit,
        ProcessBrand::<Filter>::take()?,
        memory(&mut res)?,
        &ImageFunction::new(&image, filter),
        filter_params,
        config(FILTER)?,
    )?;
    let mut logger = Process::new(
        &kit,
        ProcessBrand::<Logger>::take()?,
        memory(&mut res)?,
        &ImageFunction::new(&image, logger),
        logger_params,
        config(LOGGER)?,
    )?;
    // The status page, read-write in each (a shared region: no process, nor the root task, gets a `&mut` to it).
    check(
        "status page in the driver",
        STATUS_AFTER_QUEUE,
        driver.map_region(&status_page)?,
    )?;
    check(
        "status page in the filter",
        STATUS_AFTER_QUEUE,
        filter.map_region(&status_page)?,
    )?;
    check(
        "status page in the logger",
        STATUS_ALONE,
        logger.map_region(&status_page)?,
    )?;
    // The timer's device memory, if it has any, in the driver only (after its status page).
    timer.grant.map_in(&mut driver)?;
    selkie::println!("pipeline: driver, filter and logger built; starting them");
    let logger = logger.start()?;
    let mut filter = filter.start()?;
    let driver = driver.start()?;

    // Supervise: every fault and every exit arrives here as a value, with the process's badge.
    let mut exited = [false; 4];
    let mut restarts: u64 = 0;
    while !(exited[DRIVER as usize] && exited[FILTER as usize] && exited[LOGGER as usize]) {
        let f = supervisor.wait();
        let badge = f.badge.value();
        if f.fault.exit_code().is_some() {
            exited[badge as usize & 3] = true;
            continue;
        }
        match (badge, f.fault) {
            (FILTER, Fault::VmFault { address, ip, .. }) if restarts == 0 && address == UNMAPPED => {
                selkie::println!(
                    "supervisor: the filter faulted (VM fault at {address:#x}, ip {ip:#x}) on sample {}; restarting it",
                    get(&status.journal_seq)
                );
                restarts += 1;
                filter.restart(f)?;
            }
            (badge, fault) => {
                selkie::println!("supervisor: process {badge} faulted: {fault:?}");
                return Err(PipelineError::Fault(badge));
            }
        }
    }
    let _ = (driver.teardown(), filter.teardown(), logger.teardown());

    // The tallies against what the root task computes itself.
    let expected = (1..=SAMPLES).fold(0, |sum, seq| checksum(sum, calibrate(sensor(seq))));
    check("readings logged", SAMPLES, get(&status.logged))?;
    check("readings in order", SAMPLES, get(&status.in_order))?;
    check("last reading", SAMPLES, get(&status.last_seq))?;
    check("checksum", expected, get(&status.checksum))?;
    check("driver error", 0, get(&status.driver_error))?;
    check("timer interrupts acknowledged", SAMPLES, get(&status.driver_ticks))?;
    check("filter runs", 2, get(&status.filter_starts))?;
    check("supervisor restarts", 1, restarts)?;
    check("samples replayed from the journal", 1, get(&status.replayed))?;
    selkie::println!(
        "pipeline: {SAMPLES} of {SAMPLES} readings arrived, in order, checksum {expected:#x}; \
         the filter faulted at {UNMAPPED:#x} and was restarted {restarts} time(s)"
    );
    Ok(())
}

/// One zeroed page of the root task's, mapped in its own address space (to share with children).
fn page(
    res: &mut Resources,
) -> Result<Region<U1, selkie::Mapped<selkie::vspace::Own>, selkie::Exclusive, selkie::rights::ReadWrite>, selkie::Error>
{
    let page = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
    let (page, _) = res
        .root_vspace
        .map_next(page, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
    Ok(page)
}

/// Memory and slots for one process: 256 KiB and 64 slots.
fn memory(res: &mut Resources) -> Result<ProcessResources<U18, U64, selkie::Local>, selkie::Error> {
    Ok(ProcessResources::new(
        res.untyped.alloc::<U18>()?,
        res.slots.alloc::<U64>()?,
    ))
}

fn config(badge: sys::Word) -> Result<ProcessConfig, selkie::Error> {
    Ok(ProcessConfig {
        priority: Priority::of::<U100>(),
        badge: Badge::new(badge)?,
    })
}

/// Why the pipeline failed.
#[derive(Debug)]
enum PipelineError {
    /// A kernel or resource error while building or running the system.
    Selkie(selkie::Error),
    /// A process faulted in a way the supervisor does not handle (its badge).
    Fault(sys::Word),
    /// A tally differs from what the root task computed.
    Check {
        what: &'static str,
        expected: u64,
        found: u64,
    },
}

impl From<selkie::Error> for PipelineError {
    fn from(e: selkie::Error) -> Self {
        PipelineError::Selkie(e)
    }
}

impl<T> From<selkie::Refused<T>> for PipelineError {
    fn from(r: selkie::Refused<T>) -> Self {
        PipelineError::Selkie(r.error)
    }
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineError::Selkie(e) => write!(f, "{e}"),
            PipelineError::Fault(badge) => write!(f, "process {badge} faulted and is not restartable"),
            PipelineError::Check { what, expected, found } => {
                write!(f, "pipeline check failed: {what}: expected {expected}, found {found}")
            }
        }
    }
}

/// Checks a tally or an address (`u64` or the kernel's word).
fn check<T: Into<u64> + PartialEq>(what: &'static str, expected: T, found: T) -> Result<(), PipelineError> {
    if expected == found {
        Ok(())
    } else {
        Err(PipelineError::Check {
            what,
            expected: expected.into(),
            found: found.into(),
        })
    }
}
