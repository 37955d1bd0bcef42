//! Issue 9 on the real kernel: notification badges combine as the kernel specifies, a real device interrupt
//! (the PIT through the IOAPIC) reaches a bound notification and is acknowledged again and again through the
//! typed handler, a second claim of an IRQ is `IrqInUse` with its number, and I/O ports are used through a
//! granted range while a port outside it is refused without touching the device.
//!
//! The interrupt and I/O port checks run in the root task itself (processes come later).
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::fmt::{self, Write};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::rights::{ReadOnly, WriteOnly};
use selkie::sys;
use selkie::typenum::{U1016, U1022, U1023, U20, U21, U5, U64, U67};
use selkie::{
    Badge, Badgeable, Bound, Cap, Error, IoApicPin, IoPorts, IrqHandler, Local, Notification, Polarity, Refused, Scope,
    Signals, Trigger,
};
use support::{expect_eq, expect_slot, expect_type, Fail};

selkie::test_main!();

fn notification<S: Scope>(res: &mut Resources<S>) -> Result<Cap<Notification, Local<S>>, Fail> {
    Ok(res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?)
}

/// Checks that `result` is the error `expected`; any other outcome fails with what happened instead.
fn expect_error<T>(what: &'static str, expected: Error, result: Result<T, Error>) -> Result<(), Fail> {
    match result {
        Ok(_) => Err(Fail::Succeeded(what)),
        Err(e) if e == expected => Ok(()),
        Err(e) => Err(Fail::Selkie(e)),
    }
}

/// Checks that `error` displays as `text`, without allocating: compares as the formatter writes.
fn expect_display(what: &'static str, error: &Error, text: &str) -> Result<(), Fail> {
    struct Compare<'a> {
        rest: &'a str,
        same: bool,
    }
    impl Write for Compare<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            match self.rest.strip_prefix(s) {
                Some(rest) => self.rest = rest,
                None => self.same = false,
            }
            Ok(())
        }
    }
    let mut c = Compare { rest: text, same: true };
    let _ = write!(c, "{error}");
    if c.same && c.rest.is_empty() {
        Ok(())
    } else {
        Err(Fail::Missing(what))
    }
}

#[selkie::test]
fn notification_badges_combine_as_the_kernel_specifies(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let n = notification(res)?;
        let cspace = &res.cspace;
        let one: Cap<Notification<WriteOnly>, _> = n.mint(cspace, res.slots.alloc()?, Badge::new(0b01)?)?;
        let two: Cap<Notification<WriteOnly>, _> = n.mint(cspace, res.slots.alloc()?, Badge::new(0b10)?)?;
        let waiter: Cap<Notification<ReadOnly>, _> = n.copy(cspace, res.slots.alloc()?)?;
        expect_type("signal end", &one)?;
        expect_type("wait end", &waiter)?;
        expect_eq("poll before any signal", 0, waiter.poll().value())?;

        // Two signallers before one wait: the wait returns both bits.
        one.signal();
        two.signal();
        let both = waiter.wait();
        expect_eq("wait after two signals", 0b11, both.value())?;
        expect_eq(
            "both badges seen",
            1,
            (both.contains(one.object().badge()) && both.contains(two.object().badge())) as u64,
        )?;
        // The wait cleared the word: one signal later, only that bit.
        two.signal();
        let only = waiter.wait();
        expect_eq("wait after one signal", 0b10, only.value())?;
        expect_eq(
            "first signaller not seen",
            0,
            only.contains(one.object().badge()) as u64,
        )?;
        // Signals are an OR, not a count: three signals of one badge read as that badge once.
        for _ in 0..3 {
            one.signal();
        }
        expect_eq("poll after three signals of one badge", 0b01, waiter.poll().value())?;
        expect_eq("poll after the word was taken", 0, waiter.poll().value())?;
        expect_eq(
            "no bits iterate from an empty poll",
            0,
            waiter.poll().iter().count() as u64,
        )
    })
}

// ---------------------------------------------------------------------------------------------------------
// A real interrupt source: the PIT (8254) channel 0 on IOAPIC pin 2 (QEMU's `pc` machine wires ISA IRQ 0 there),
// programmed through a capability for its four ports only, and the TSC to bound every wait.

/// The PIT's ports: channel 0 (0x40) to the mode/command register (0x43).
type PitPorts = IoPorts<U64, U67>;
/// The PIT's input clock, in Hz.
const PIT_HZ: u32 = 1_193_182;
/// The PIT's IOAPIC input: pin 2, edge-triggered, active high (an ISA device).
const PIT_PIN: IoApicPin = IoApicPin {
    ioapic: 0,
    pin: 2,
    trigger: Trigger::Edge,
    polarity: Polarity::ActiveHigh,
};
/// The badge the interrupts arrive with: the badge of the signal end the handler is bound to.
const IRQ_BADGE: sys::Word = 0x40;
/// How many interrupts the handler must see and acknowledge.
const ACKS: u64 = 20;

/// Starts PIT channel 0 as a rate generator (mode 2) with `hz` interrupts a second.
fn pit_start<R: selkie::Invocable>(pit: &Cap<PitPorts, R>, hz: u32) -> Result<(), Fail> {
    let divisor = PIT_HZ / hz;
    // Channel 0, low byte then high byte, mode 2, binary.
    pit.port::<U67>().out8(0x34)?;
    pit.port::<U64>().out8(divisor as u8)?;
    pit.port::<U64>().out8((divisor >> 8) as u8)?;
    Ok(())
}

/// Stops PIT channel 0: a new mode without a count makes the counter wait for one, with no more edges.
fn pit_stop<R: selkie::Invocable>(pit: &Cap<PitPorts, R>) -> Result<(), Fail> {
    Ok(pit.port::<U67>().out8(0x30)?)
}

/// The time-stamp counter.
fn tsc() -> u64 {
    // SAFETY: `rdtsc` only reads the counter (the kernel leaves it readable from user mode).
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Polls `waiter` until a signal arrives (returns it) or `ticks` TSC ticks pass (returns no signals).
fn poll_for<R: selkie::Invocable>(waiter: &Cap<Notification<ReadOnly>, R>, ticks: u64) -> Signals {
    let deadline = tsc() + ticks;
    loop {
        let signals = waiter.poll();
        if !signals.is_empty() || tsc() >= deadline {
            return signals;
        }
    }
}

/// Counts interrupts on `waiter`, acknowledging each through `handler`, until `ACKS` have arrived or the
/// deadline passes; returns the count. Every arrival must carry exactly the handler's badge.
fn count_interrupts<R: selkie::Invocable, R2: selkie::Invocable>(
    handler: &Cap<IrqHandler<U20, Bound>, R>,
    waiter: &Cap<Notification<ReadOnly>, R2>,
    ticks_per_ms: u64,
) -> Result<u64, Fail> {
    // 1 kHz: twenty interrupts take 20 ms; a second is ample even under a slow TCG host.
    let deadline = tsc() + 1000 * ticks_per_ms;
    let mut count = 0;
    while count < ACKS && tsc() < deadline {
        let signals = poll_for(waiter, deadline.saturating_sub(tsc()));
        if signals.is_empty() {
            break;
        }
        expect_eq("interrupt's badge", IRQ_BADGE, signals.value())?;
        count += 1;
        handler.ack()?;
    }
    Ok(count)
}

#[selkie::test]
fn a_pit_interrupt_reaches_a_bound_notification_and_is_acknowledged_20_times(boot: &mut BootInfo) -> Result<(), Fail> {
    let mhz = boot.raw().arch_info;
    if mhz == 0 || mhz >= 100_000 {
        return Err(Fail::Mismatch {
            what: "TSC frequency in bootinfo (MHz)",
            expected: 1000,
            found: mhz,
        });
    }
    let ticks_per_ms = mhz * 1000;
    boot.lend(|res| {
        let n = notification(res)?;
        let cspace = &res.cspace;
        let signal_end: Cap<Notification<WriteOnly>, _> = n.mint(cspace, res.slots.alloc()?, Badge::new(IRQ_BADGE)?)?;
        let waiter: Cap<Notification<ReadOnly>, _> = n.copy(cspace, res.slots.alloc()?)?;
        let pit: Cap<PitPorts, _> = res.io_ports.copy(cspace, res.slots.alloc()?)?;
        expect_type("PIT ports (a copy of the I/O port capability)", &pit)?;

        let handler = res.irq_control.ioapic_handler::<U20, _>(res.slots.alloc()?, PIT_PIN)?;
        expect_type("IRQ handler", &handler)?;
        expect_eq("handler's IRQ", 20, handler.irq())?;
        let handler = handler.set_notification(&signal_end)?;
        // The pin was unmasked when the handler was issued and the PIT has run since boot: an interrupt that came
        // before the notification was set went nowhere and left the line masked until an ack.
        handler.ack()?;
        let _ = waiter.poll();
        pit_start(&pit, 1000)?;
        let counted = count_interrupts(&handler, &waiter, ticks_per_ms);

        // Cleared, the handler delivers nothing; bound again (the typestate's round trip), it delivers again.
        let rebound = counted.and_then(|count| {
            expect_eq("interrupts acknowledged", ACKS, count)?;
            let unbound = handler.clear()?;
            let _ = waiter.poll();
            let silent = poll_for(&waiter, 20 * ticks_per_ms);
            expect_eq("no interrupt after clear", 0, silent.value())?;
            let bound = unbound.set_notification(&signal_end)?;
            bound.ack()?;
            let again = poll_for(&waiter, 200 * ticks_per_ms);
            expect_eq("interrupt after binding again", IRQ_BADGE, again.value())?;
            Ok(bound)
        });
        // Whatever happened: stop the PIT, and delete the handler (it comes from the IRQ control capability,
        // not from the lent memory, so only its slot's clean-up would remove it).
        let stopped = pit_stop(&pit);
        let bound = rebound?;
        stopped?;
        let freed = bound.delete(cspace)?;
        expect_slot("handler's slot after delete", freed.start(), sys::cap_tag::NULL)
    })
}

#[selkie::test]
fn claiming_the_same_ioapic_pin_twice_is_irq_in_use_with_the_number(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let cspace = &res.cspace;
        let first = res.irq_control.ioapic_handler::<U21, _>(res.slots.alloc()?, PIT_PIN)?;
        expect_type("first handler", &first)?;

        // The same pin and IRQ again, typed and at run time: refused, the slot handed back empty.
        let slot = res.slots.alloc()?;
        let index = slot.start();
        let slot = match res.irq_control.ioapic_handler::<U21, _>(slot, PIT_PIN) {
            Ok(_) => return Err(Fail::Succeeded("second claim of IRQ 21")),
            Err(Refused { error, inputs }) => {
                expect_error(
                    "second claim of IRQ 21",
                    Error::IrqInUse { irq: 21 },
                    Err::<(), _>(error),
                )?;
                expect_display(
                    "IrqInUse message",
                    &error,
                    "IRQ 21 already has a handler; delete that handler before claiming it again",
                )?;
                inputs
            }
        };
        expect_eq("refused slot handed back", index, slot.start())?;
        expect_slot("refused slot stays empty", index, sys::cap_tag::NULL)?;
        match res.irq_control.ioapic_handler_at(slot, PIT_PIN, 21) {
            Err(Refused {
                error: Error::IrqInUse { irq: 21 },
                ..
            }) => {}
            Err(refused) => return Err(Fail::Selkie(refused.error)),
            Ok(_) => return Err(Fail::Succeeded("run-time claim of IRQ 21")),
        }

        // Once the first handler is deleted, the IRQ is free again: the refusal was about the IRQ being taken.
        let freed = first.delete(cspace)?;
        let second = res.irq_control.ioapic_handler_at(freed, PIT_PIN, 21)?;
        expect_type("handler after the first was deleted", &second)?;
        expect_eq("run-time handler's IRQ", 21, second.irq())?;
        let _ = second.delete(cspace)?;
        Ok(())
    })
}

#[selkie::test]
fn a_device_register_is_read_through_granted_ports_and_a_port_outside_is_refused(
    boot: &mut BootInfo,
) -> Result<(), Fail> {
    /// The 16550 UART's scratch register at COM1 + 7: it holds what was written.
    const SCRATCH: u16 = 0x3ff;
    boot.lend(|res| {
        let cspace = &res.cspace;
        // COM1's eight registers, and the same without the scratch register.
        let com1: Cap<IoPorts<U1016, U1023>, _> = res.io_ports.copy(cspace, res.slots.alloc()?)?;
        let no_scratch: Cap<IoPorts<U1016, U1022>, _> = com1.copy(cspace, res.slots.alloc()?)?;
        expect_type("COM1 ports", &com1)?;
        expect_type("COM1 ports without scratch", &no_scratch)?;
        expect_eq("range start", 0x3f8, Cap::<IoPorts<U1016, U1023>>::FIRST.into())?;

        // Written and read back through a port checked at compile time, and through one checked at run time.
        let scratch = com1.port::<U1023>();
        scratch.out8(0x5a)?;
        expect_eq("scratch read back (compile-time port)", 0x5a, scratch.in8()?.into())?;
        com1.out8(SCRATCH, 0xa5)?;
        expect_eq("scratch read back (run-time port)", 0xa5, com1.in8(SCRATCH)?.into())?;
        // The line status register: the transmitter holding register is empty (bit 5) between the kernel's
        // writes, so this is the UART answering, not a floating bus (which reads 0xff everywhere).
        let lsr = com1.in8(0x3fd)?;
        expect_eq("UART line status: transmitter empty", 0x20, (lsr & 0x20).into())?;

        // Outside the range: refused before the kernel is called.
        let below = Error::IoPortOutOfRange {
            port: 0x3f7,
            bytes: 1,
            first: 0x3f8,
            last: 0x3ff,
        };
        expect_error("port below COM1's range", below, com1.in8(0x3f7))?;
        expect_display(
            "IoPortOutOfRange message",
            &below,
            "I/O port 0x3f7 (1-byte access) is outside the granted range 0x3f8..=0x3ff",
        )?;
        let wide = Error::IoPortOutOfRange {
            port: SCRATCH,
            bytes: 2,
            first: 0x3f8,
            last: 0x3ff,
        };
        expect_error(
            "16-bit access running past the range",
            wide,
            com1.out16(SCRATCH, 0x1234),
        )?;
        expect_error(
            "32-bit access running past the range",
            Error::IoPortOutOfRange {
                port: 0x3fd,
                bytes: 4,
                first: 0x3f8,
                last: 0x3ff,
            },
            com1.in32(0x3fd),
        )?;
        // The refusal did not touch the device: the scratch register, outside `no_scratch`'s range, keeps its
        // value after a refused write through `no_scratch`.
        expect_error(
            "scratch register through the range without it",
            Error::IoPortOutOfRange {
                port: SCRATCH,
                bytes: 1,
                first: 0x3f8,
                last: 0x3fe,
            },
            no_scratch.out8(SCRATCH, 0x11),
        )?;
        expect_eq(
            "scratch untouched by the refused write",
            0xa5,
            com1.in8(SCRATCH)?.into(),
        )?;
        Ok(())
    })
}
