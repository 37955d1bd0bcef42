//! The classic client / server / driver system, typed: a client calls a server over a channel; the server
//! forwards to a driver process that alone owns the serial port (COM1's I/O ports); client and server share a
//! memory region mapped read-write in both.
//!
//! Each request names text the client wrote in the shared region; the server upper-cases it in place (the
//! client sees the change through its own mapping), has the driver write it to the serial port, and answers
//! with the text's checksum and the number of bytes written. The client checks every answer and the region's
//! contents and leaves its tally in the region, which the root task checks before it reports success.
//!
//! Boot it with `cargo qemu client-server-driver`.
#![no_std]
#![no_main]

mod messages;

use core::sync::atomic::{AtomicU64, Ordering};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::process::{
    ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources, RootImage, GRANT_BASE,
};
use selkie::typenum::{U1, U100, U1016, U1021, U12, U14, U150, U18, U200, U3, U5, U64};
use selkie::{
    channel, Badge, Between, Buffered, Caller, Cap, Endpoint, IoPorts, Local, Priority, Region, Responder, Served,
};

use messages::{checksum, Line, Request, Response, Written};

selkie::child_brand!(Client, Server, SerialDriver);

/// COM1's eight registers: data at 0x3f8 (1016) to scratch at 0x3ff (1023).
type Com1 = IoPorts<U1016, selkie::typenum::U1023>;
/// Where client and server see the shared region: the first (and only) region mapped in their grant windows.
const SHARED_AT: u64 = GRANT_BASE;
/// Where in the region the client keeps its tally (the text goes below it).
const TALLY_AT: usize = 0xf00;
/// How many requests the client makes.
const REQUESTS: u64 = 4;

/// The client's tally, in the shared region (a zeroed page is a valid one).
#[repr(C)]
struct Tally {
    /// Requests answered.
    answered: AtomicU64,
    /// Answers whose checksum matched the client's own over the text it read back from the region.
    checksums_ok: AtomicU64,
    /// Answers that said every byte was written.
    written_ok: AtomicU64,
    /// Texts the client found upper-cased in the region after the call.
    region_ok: AtomicU64,
}

/// The tally in a mapping of the shared region at `base`.
///
/// # Safety
/// `base` is the address of the shared region, mapped read-write in the caller's address space for the rest of
/// the program.
unsafe fn tally(base: u64) -> &'static Tally {
    // SAFETY: the caller's promise; `TALLY_AT` is 8-aligned and inside the page; a zeroed `Tally` is valid.
    unsafe { &*((base as usize + TALLY_AT) as *const Tally) }
}

/// The client's parameters: the calling end of its channel to the server (an end set up for the client, which
/// no other process can be given).
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct ClientParams {
    server: Caller<Request, Response, Buffered, Local, Client>,
}

/// The server's parameters: the serving end of the client's channel and the calling end of the driver's.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct ServerParams {
    requests: Responder<Request, Response, Buffered, Local, Server>,
    driver: Caller<Line, Written, Buffered, Local, Server>,
}

/// The driver's parameters: the serving end of its channel and COM1's ports, which only it has.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct DriverParams {
    requests: Responder<Line, Written, Buffered, Local, SerialDriver>,
    com1: Cap<Com1>,
}

/// The shared region in the client or the server.
fn shared() -> *mut u8 {
    SHARED_AT as *mut u8
}

fn client(p: ClientParams) {
    // SAFETY: the shared region is mapped read-write at SHARED_AT in this process.
    let t = unsafe { tally(SHARED_AT) };
    for i in 1..=REQUESTS {
        let mut text = [0u8; 48];
        let len = write_text(&mut text, i);
        let offset = (i as usize - 1) * 64;
        // SAFETY: the text fits below the tally in the shared region; the server reads it only during the call.
        unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), shared().add(offset), len) };
        let request = Request {
            offset: offset as u64,
            len: len as u64,
        };
        let response = match p.server.call(&request) {
            Ok(response) => response,
            Err(e) => {
                selkie::println!("client: request {i} refused: {e:?}");
                return;
            }
        };
        let mut back = [0u8; 48];
        // SAFETY: reads what the server left in the shared region; it is not running now.
        unsafe { core::ptr::copy_nonoverlapping(shared().add(offset), back.as_mut_ptr(), len) };
        let mut expected = text;
        expected.make_ascii_uppercase();
        let upper = back[..len] == expected[..len];
        t.answered.fetch_add(1, Ordering::SeqCst);
        t.checksums_ok
            .fetch_add((response.checksum == checksum(&back[..len])) as u64, Ordering::SeqCst);
        t.written_ok
            .fetch_add((response.written == len as u64) as u64, Ordering::SeqCst);
        t.region_ok.fetch_add(upper as u64, Ordering::SeqCst);
        selkie::println!(
            "client: request {i}: checksum {} (region upper-cased: {upper}), {} bytes written",
            response.checksum,
            response.written
        );
    }
}

/// Writes "hello from the client, request <i>" into `buf`; returns its length.
fn write_text(buf: &mut [u8; 48], i: u64) -> usize {
    let head = b"hello from the client, request ";
    buf[..head.len()].copy_from_slice(head);
    buf[head.len()] = b'0' + i as u8;
    head.len() + 1
}

fn server(p: ServerParams) {
    let refused = Response {
        checksum: 0,
        written: 0,
    };
    p.requests.serve(|_badge, request| {
        let len = (request.len as usize).min(56);
        if request.offset as usize + len > TALLY_AT {
            return Served::Reply(refused);
        }
        let mut line = Line {
            len: len as u64,
            bytes: [0; 56],
        };
        // SAFETY: the range is inside the shared region below the tally (checked above); the client waits in its
        // call while the server works on it.
        let text = unsafe { core::slice::from_raw_parts_mut(shared().add(request.offset as usize), len) };
        text.make_ascii_uppercase();
        line.bytes[..len].copy_from_slice(text);
        let written = p.driver.call(&line).map_or(0, |w| w.count);
        Served::Reply(Response {
            checksum: checksum(text),
            written,
        })
    });
}

fn serial_driver(p: DriverParams) {
    let refused = Written { count: 0 };
    p.requests.serve(|_badge, line| {
        let mut count = 0;
        // The runtime's user-line mark first (an invisible "normal rendition" escape): the runner then shows the
        // line as the system's own output, not as kernel noise.
        let mark = selkie::rt::USER_LINE_MARK.as_bytes();
        let text = &line.bytes[..(line.len as usize).min(56)];
        for &b in mark.iter().chain(b"serial: ").chain(text).chain(b"\r\n") {
            // Wait for the transmitter holding register to empty (line status bit 5), then send the byte.
            loop {
                match p.com1.port::<U1021>().in8() {
                    Ok(status) if status & 0x20 != 0 => break,
                    Ok(_) => {}
                    Err(_) => return Served::Reply(refused),
                }
            }
            if p.com1.port::<U1016>().out8(b).is_err() {
                return Served::Reply(refused);
            }
            count += 1;
        }
        // The count of the caller's bytes: without the mark, the prefix and the line end.
        Served::Reply(Written {
            count: count - mark.len() as u64 - 10,
        })
    });
}

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
    // The serial port: COM1's ports only.
    let com1: Cap<Com1> = res.io_ports.copy(&res.cspace, res.slots.alloc()?)?;
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
        com1,
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
    let driver = Process::new(
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
        return Err(SystemError::Layout);
    }
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
    Fault(u64),
    /// The shared region is not where the client and the server look for it.
    Layout,
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
            SystemError::Layout => write!(
                f,
                "the shared region is not at {SHARED_AT:#x} in the client and the server"
            ),
            SystemError::Tally([a, c, w, u]) => write!(
                f,
                "the client's tally is short of {REQUESTS}: {a} answered, {c} checksums right, {w} fully \
                 written, {u} upper-cased"
            ),
        }
    }
}
