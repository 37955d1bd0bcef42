//! A driver process: its parameters are a bound IRQ handler (the PIT's, IRQ 20 through the IOAPIC) with the
//! wait end of its notification, and two I/O port ranges (the PIT's four ports and COM1's eight). A real
//! device interrupt reaches the driver's notification and the driver acknowledges it at least 20 times; the
//! driver reads and writes the UART's scratch register through its granted range, and an access outside the
//! range is refused with `IoPortOutOfRange`. The driver reports what it saw through a shared page; the root task
//! checks the numbers, the kernel's view of the moved capabilities, and the device register's value.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::ptr::{read_volatile, write_volatile};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::process::{
    ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources, RootImage, GRANT_BASE,
};
use selkie::rights::{ReadOnly, WriteOnly};
use selkie::sys;
use selkie::typenum::{U1, U100, U1016, U1023, U12, U14, U18, U20, U3, U5, U64, U67};
use selkie::{
    Badge, Bound, Cap, Error, Forever, IoApicPin, IoPorts, IrqHandler, Lent, Local, Notification, Polarity, Priority,
    Refused, Region, Scope, Supervisor, Trigger,
};
use support::{expect_eq, expect_slot, expect_type, Fail};

selkie::test_main!();

selkie::child_brand!(PitDriver);

/// The PIT's ports: channel 0 (0x40) to the mode/command register (0x43).
type PitPorts = IoPorts<U64, U67>;
/// COM1's eight registers, 0x3f8..=0x3ff.
type Com1 = IoPorts<U1016, U1023>;
/// The PIT's input clock, in Hz.
const PIT_HZ: u32 = 1_193_182;
/// The PIT's IOAPIC input: pin 2, edge-triggered, active high.
const PIT_PIN: IoApicPin = IoApicPin {
    ioapic: 0,
    pin: 2,
    trigger: Trigger::Edge,
    polarity: Polarity::ActiveHigh,
};
/// The badge the interrupts arrive with.
const IRQ_BADGE: u64 = 0x40;
/// How many interrupts the driver acknowledges.
const ACKS: u64 = 20;
/// The UART's scratch register (COM1 + 7).
const SCRATCH: u16 = 0x3ff;
/// What the root task writes to the scratch register before the driver starts, and what the driver writes.
const FROM_ROOT: u8 = 0x5a;
const FROM_DRIVER: u8 = 0xc3;

/// What the driver gets: its interrupt, the wait end of the interrupt's notification, and its ports.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Driver<S: Scope = Forever> {
    irq: Cap<IrqHandler<U20, Bound>, Local<S>>,
    irq_wait: Cap<Notification<ReadOnly>, Local<S>>,
    pit: Cap<PitPorts, Local<S>>,
    com1: Cap<Com1, Local<S>>,
    ticks_per_ms: u64,
    report: u64,
}

/// The driver's report, word by word in the shared page.
mod word {
    pub const SCRATCH_READ: usize = 0;
    pub const BELOW_RANGE: usize = 1;
    pub const WIDE_ACCESS: usize = 2;
    pub const ACKS: usize = 3;
    pub const BADGES_SEEN: usize = 4;
    pub const WRONG_BADGES: usize = 5;
    pub const ERROR: usize = 6;
    pub const DONE: usize = 7;
}
const DONE: u64 = 0xd71e;

/// An `IoPortOutOfRange` refusal as one word: port, width, first and last (16 bits each, width in the top
/// byte of the first's); anything else is all ones.
fn encode_refusal<T>(r: Result<T, Error>) -> u64 {
    match r {
        Err(Error::IoPortOutOfRange {
            port,
            bytes,
            first,
            last,
        }) => (u64::from(port) << 48) | (u64::from(bytes) << 40) | (u64::from(first) << 16) | u64::from(last),
        _ => u64::MAX,
    }
}

fn tsc() -> u64 {
    // SAFETY: `rdtsc` only reads the counter (the kernel leaves it readable from user mode).
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// The driver's body: returns the interrupt count, the OR of the badges seen and how many arrivals carried
/// another badge.
fn drive(p: &Driver, report: &impl Fn(usize, u64)) -> Result<(u64, u64, u64), Error> {
    // The device register through the granted range (checked at compile time), then a write the root checks.
    let scratch = p.com1.port::<U1023>();
    report(word::SCRATCH_READ, scratch.in8()?.into());
    scratch.out8(FROM_DRIVER)?;
    // Outside the range: refused before the kernel is called.
    report(word::BELOW_RANGE, encode_refusal(p.com1.in8(0x3f7)));
    report(word::WIDE_ACCESS, encode_refusal(p.com1.out16(SCRATCH, 0x1234)));

    // The PIT at 1 kHz, channel 0 in mode 2; an interrupt that came before the driver ran left the line masked
    // until an ack.
    let divisor = PIT_HZ / 1000;
    p.irq.ack()?;
    let _ = p.irq_wait.poll();
    p.pit.port::<U67>().out8(0x34)?;
    p.pit.port::<U64>().out8(divisor as u8)?;
    p.pit.port::<U64>().out8((divisor >> 8) as u8)?;
    // Twenty interrupts take 20 ms; a second is ample under TCG.
    let deadline = tsc() + 1000 * p.ticks_per_ms;
    let (mut count, mut seen, mut wrong) = (0, 0, 0);
    while count < ACKS && tsc() < deadline {
        let signals = p.irq_wait.poll();
        if signals.is_empty() {
            continue;
        }
        seen |= signals.value();
        if signals.value() != IRQ_BADGE {
            wrong += 1;
        }
        count += 1;
        p.irq.ack()?;
    }
    // Stop the PIT: a new mode without a count.
    p.pit.port::<U67>().out8(0x30)?;
    Ok((count, seen, wrong))
}

fn driver(p: Driver) {
    let report = |i: usize, v: u64| {
        // SAFETY: the root task mapped a shared page read-write at `report` in this child.
        unsafe { write_volatile((p.report as usize + 8 * i) as *mut u64, v) }
    };
    match drive(&p, &report) {
        Ok((count, seen, wrong)) => {
            report(word::ACKS, count);
            report(word::BADGES_SEEN, seen);
            report(word::WRONG_BADGES, wrong);
        }
        Err(e) => report(word::ERROR, error_code(e)),
    }
    report(word::DONE, DONE);
}

/// An error as a word for the report: the kernel's code, or all ones for a typed-layer error.
fn error_code(e: Error) -> u64 {
    match e {
        Error::Kernel { code, .. } => code as u64,
        _ => u64::MAX,
    }
}

#[selkie::test]
fn a_driver_process_acknowledges_pit_interrupts_and_uses_only_its_ports(boot: &mut BootInfo) -> Result<(), Fail> {
    let mhz = boot.raw().arch_info;
    if mhz == 0 || mhz >= 100_000 {
        return Err(Fail::Mismatch {
            what: "TSC frequency in bootinfo (MHz)",
            expected: 1000,
            found: mhz,
        });
    }
    let image = RootImage::new(boot);
    boot.lend(|res| run(res, &image, mhz * 1000))
}

fn run<'s>(res: &mut Resources<Lent<'s>>, image: &RootImage, ticks_per_ms: u64) -> Result<(), Fail> {
    let ep = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let mut sup = Supervisor::new(ep);
    let kit = ProcessKit::new(res, &sup)?;
    let cspace = &res.cspace;

    // The interrupt: a notification, a badged signal end the handler is bound to, a wait end for the driver.
    let n: Cap<Notification, _> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let signal_end: Cap<Notification<WriteOnly>, _> = n.mint(cspace, res.slots.alloc()?, Badge::new(IRQ_BADGE)?)?;
    let irq_wait: Cap<Notification<ReadOnly>, _> = n.copy(cspace, res.slots.alloc()?)?;
    let handler = res.irq_control.ioapic_handler::<U20, _>(res.slots.alloc()?, PIT_PIN)?;
    let handler = handler.set_notification(&signal_end)?;
    let handler_slot = handler.cptr();

    // The ports: two narrow copies of the root task's capability.
    let pit: Cap<PitPorts, _> = res.io_ports.copy(cspace, res.slots.alloc()?)?;
    let com1: Cap<Com1, _> = res.io_ports.copy(cspace, res.slots.alloc()?)?;
    com1.port::<U1023>().out8(FROM_ROOT)?;
    let (pit_slot, com1_slot) = (pit.cptr(), com1.cptr());

    // The report page, shared with the driver.
    let page = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
    let (page, _) = res
        .root_vspace
        .map_next(page, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
    let (page, _unused) = page.share(cspace, res.slots.alloc::<U1>()?)?;

    let params = Driver {
        irq: handler,
        irq_wait,
        pit,
        com1,
        ticks_per_ms,
        report: GRANT_BASE,
    };
    let code = ImageFunction::new(image, driver);
    let memory = ProcessResources::new(res.untyped.alloc::<U18>()?, res.slots.alloc::<U64>()?);
    let config = ProcessConfig {
        priority: Priority::of::<U100>(),
        badge: Badge::new(5)?,
    };
    let mut p = Process::new(&kit, ProcessBrand::<PitDriver>::take()?, memory, &code, params, config)?;
    expect_eq("report page's address in the driver", GRANT_BASE, p.map_region(&page)?)?;

    // The capabilities left the root task's CSpace: their slots are empty, and the IRQ is still claimed (by the
    // handler now in the driver's CSpace).
    expect_slot("handler's slot after the move", handler_slot, sys::cap_tag::NULL)?;
    expect_slot("PIT ports' slot after the move", pit_slot, sys::cap_tag::NULL)?;
    expect_slot("COM1 ports' slot after the move", com1_slot, sys::cap_tag::NULL)?;
    let probe = res.slots.alloc()?;
    let probe = match res.irq_control.ioapic_handler::<U20, _>(probe, PIT_PIN) {
        Err(Refused {
            error: Error::IrqInUse { irq: 20 },
            inputs,
        }) => inputs,
        Err(refused) => return Err(Fail::Selkie(refused.error)),
        Ok(_) => return Err(Fail::Succeeded("claiming IRQ 20 while the driver holds its handler")),
    };

    let p = p.start()?;
    let exit = sup.wait();
    expect_eq("driver's exit badge", 5, exit.badge.value())?;
    expect_eq("driver's exit code", 0, exit.fault.exit_code().unwrap_or(u64::MAX))?;

    let read = |i: usize| {
        // SAFETY: the root task's mapping of the shared report page; the driver has exited.
        unsafe { read_volatile((page.vaddr() as usize + 8 * i) as *const u64) }
    };
    expect_eq("driver finished its report", DONE, read(word::DONE))?;
    expect_eq("driver's error (none)", 0, read(word::ERROR))?;
    expect_eq(
        "scratch register read by the driver",
        FROM_ROOT.into(),
        read(word::SCRATCH_READ),
    )?;
    expect_eq(
        "scratch register written by the driver",
        FROM_DRIVER.into(),
        com1_root(res)?.into(),
    )?;
    // 0x3f7, 1 byte, range 0x3f8..=0x3ff.
    expect_eq(
        "port below the range refused",
        (0x3f7 << 48) | (1 << 40) | (0x3f8 << 16) | 0x3ff,
        read(word::BELOW_RANGE),
    )?;
    expect_eq(
        "16-bit access past the range refused",
        (0x3ff << 48) | (2 << 40) | (0x3f8 << 16) | 0x3ff,
        read(word::WIDE_ACCESS),
    )?;
    let acks = read(word::ACKS);
    selkie::println!("  the driver acknowledged {acks} PIT interrupts");
    expect_eq("interrupts acknowledged by the driver", ACKS, acks)?;
    expect_eq("badges seen (OR)", IRQ_BADGE, read(word::BADGES_SEEN))?;
    expect_eq("arrivals with another badge", 0, read(word::WRONG_BADGES))?;

    // Teardown deletes the driver's CSpace with the handler in it: the IRQ can be claimed again.
    let _ = p.kill(exit);
    let again = res.irq_control.ioapic_handler::<U20, _>(probe, PIT_PIN)?;
    expect_type("handler claimed again after the driver's teardown", &again)?;
    let _ = again.delete(&res.cspace)?;
    Ok(())
}

/// The scratch register as the root task reads it, through a fresh narrow copy of its port capability.
fn com1_root(res: &mut Resources<Lent<'_>>) -> Result<u8, Fail> {
    let com1: Cap<Com1, _> = res.io_ports.copy(&res.cspace, res.slots.alloc()?)?;
    let v = com1.in8(SCRATCH)?;
    let _ = com1.delete(&res.cspace)?;
    Ok(v)
}
