//! The classic client / server / driver system, typed: a client calls a server over a channel; the server
//! forwards to a driver process that alone owns the serial port (on x86_64 COM1's I/O ports, on aarch32 the
//! i.MX6 UART2's registers, mapped in the driver only); client and server share a memory region mapped
//! read-write in both.
//!
//! Each request names text the client wrote in the shared region; the server upper-cases it in place (the
//! client sees the change through its own mapping), has the driver write it to the serial port, and answers
//! with the text's checksum and the number of bytes written. The client checks every answer and the region's
//! contents and leaves its tally in the region, which the root task checks before it reports success.
//!
//! Boot it with `cargo qemu client-server-driver` (on aarch32: with `SELKIE_CONFIG` naming a `selkie.toml`
//! that says `arch = "aarch32"`). The machine-specific part is the serial port, in `serial/`.
#![no_std]
#![no_main]

mod client;
mod messages;
mod serial;
mod serial_driver;
mod server;
mod shared;

use core::sync::atomic::{AtomicU64, Ordering};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::process::{ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources, RootImage};
use selkie::typenum::{U1, U100, U12, U14, U150, U18, U200, U3, U5, U64};
use selkie::{channel, Badge, Between, Buffered, Cap, Endpoint, Priority, Region};

use client::{client, ClientParams};
use messages::{Line, Request, Response, Written};
use serial_driver::{serial_driver, DriverParams};
use server::{server, ServerParams};
use shared::{tally, SHARED_AT};

selkie::child_brand!(Client, Server, SerialDriver);

/// How many requests the client makes.
const REQUESTS: u64 = 4;

#[selkie::root_task]
fn main(boot: BootInfo) -> Result<(), SystemError> {
    let image = RootImage::new(&boot);
    let mut res = boot.take()?;
    let fault_ep = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let mut supervisor = selkie::Supervisor::new(fault_ep);
    let kit = ProcessKit::new(&mut res, &supervisor)?;

    // The channels: client to server, server to driver; each end typed by its messages and by the process it
    // is for.
    let ep: Cap<Endpoint> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let (client_end, server_end) =
        channel::<Request, Response, Buffered, Between<Client, Server>, _>(ep, &res.cspace, res.slots.alloc()?)?;
    let ep: Cap<Endpoint> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let (to_driver, driver_end) =
        channel::<Line, Written, Buffered, Between<Server, SerialDriver>, _>(ep, &res.cspace, res.slots.alloc()?)?;
    // The serial port: what the driver's parameters carry, and what is mapped in the driver once it exists.
    let (port, port_grant) = serial::claim(&mut res)?;
    // The shared region: one page, shared (from here on no one has a `&mut` to it), mapped here too to read the
    // client's tally at the end.
    let region = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
    let (region, _) = res
        .root_vspace
        .map_next(region, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
    let (region, _unmapped) = region.share(&res.cspace, res.slots.alloc::<U1>()?)?;

    let client_params = ClientParams { server: client_end };
    let server_params = ServerParams {
        requests: server_end,
        driver: to_driver,
    };
    let driver_params = DriverParams {
        requests: driver_end,
        port,
    };
    // Priorities rise along the calls: client 100, server 150, driver 200.
    let mut client = Process::new(
        &kit,
        ProcessBrand::<Client>::take()?,
        memory(&mut res)?,
        &ImageFunction::new(&image, client),
        client_params,
        ProcessConfig {
            priority: Priority::of::<U100>(),
            badge: Badge::new(1)?,
        },
    )?;
    let mut server = Process::new(
        &kit,
        ProcessBrand::<Server>::take()?,
        memory(&mut res)?,
        &ImageFunction::new(&image, server),
        server_params,
        ProcessConfig {
            priority: Priority::of::<U150>(),
            badge: Badge::new(2)?,
        },
    )?;
    let mut driver = Process::new(
        &kit,
        ProcessBrand::<SerialDriver>::take()?,
        memory(&mut res)?,
        &ImageFunction::new(&image, serial_driver),
        driver_params,
        ProcessConfig {
            priority: Priority::of::<U200>(),
            badge: Badge::new(3)?,
        },
    )?;
    // The region, read-write in both, at the start of each one's grant window.
    if client.map_region(&region)? != SHARED_AT || server.map_region(&region)? != SHARED_AT {
        return Err(SystemError::Layout("the shared region in the client and the server"));
    }
    // The serial port's device memory, if it has any, in the driver only.
    port_grant.map_in(&mut driver)?;
    let driver = driver.start()?;
    let server = server.start()?;
    let client = client.start()?;

    // The client returns when it is done; anything else reaching the supervisor is a failure.
    let f = supervisor.wait();
    let (badge, exit) = (f.badge.value(), f.fault.exit_code());
    if badge != 1 || exit.is_none() {
        selkie::println!("process {badge} faulted: {:?}", f.fault);
        return Err(SystemError::Fault(badge));
    }
    let _ = (client.teardown(), server.teardown(), driver.teardown());
    // SAFETY: the region is mapped read-write in the root task's address space.
    let t = unsafe { tally(region.vaddr()) };
    let read = |c: &AtomicU64| c.load(Ordering::SeqCst);
    let all = [&t.answered, &t.checksums_ok, &t.written_ok, &t.region_ok].map(read);
    selkie::println!(
        "client-server-driver: {} of {REQUESTS} requests answered, {} checksums right, {} fully written, {} \
         upper-cased in the shared region",
        all[0],
        all[1],
        all[2],
        all[3]
    );
    if all != [REQUESTS; 4] {
        return Err(SystemError::Tally(all));
    }
    Ok(())
}

fn memory(res: &mut Resources) -> Result<ProcessResources<U18, U64, selkie::Local>, selkie::Error> {
    Ok(ProcessResources::new(
        res.untyped.alloc::<U18>()?,
        res.slots.alloc::<U64>()?,
    ))
}

/// Why the system failed.
#[derive(Debug)]
enum SystemError {
    /// A kernel or resource error while building the system.
    Selkie(selkie::Error),
    /// A process faulted (its badge), or something other than the client's exit reached the supervisor.
    Fault(selkie::sys::Word),
    /// A region is not where the processes look for it (which one).
    Layout(&'static str),
    /// The client's tally is short: answered, checksums right, fully written, upper-cased.
    Tally([u64; 4]),
}

impl From<selkie::Error> for SystemError {
    fn from(e: selkie::Error) -> Self {
        SystemError::Selkie(e)
    }
}

impl<T> From<selkie::Refused<T>> for SystemError {
    fn from(r: selkie::Refused<T>) -> Self {
        SystemError::Selkie(r.error)
    }
}

impl core::fmt::Display for SystemError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SystemError::Selkie(e) => write!(f, "{e}"),
            SystemError::Fault(badge) => write!(f, "process {badge} faulted instead of the client finishing"),
            SystemError::Layout(what) => write!(f, "{what}: not where the processes look for it"),
            SystemError::Tally([a, c, w, u]) => write!(
                f,
                "the client's tally is short of {REQUESTS}: {a} answered, {c} checksums right, {w} fully \
                 written, {u} upper-cased"
            ),
        }
    }
}
