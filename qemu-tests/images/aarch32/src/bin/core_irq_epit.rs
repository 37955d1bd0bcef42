//! A device interrupt on aarch32: the i.MX6's first enhanced periodic interrupt timer (EPIT1), its registers
//! mapped from device memory as an uncached device region, interrupts through the GIC to a notification bound
//! to its typed IRQ handler; the root task waits for each interrupt, checks the badge and the timer's status
//! register, clears the timer's flag and acknowledges the interrupt, at least 20 times.
//!
//! Built for other architectures too (the images workspace is built as a whole), where it holds no tests.
#![no_std]
#![no_main]

selkie::test_main!();

#[cfg(target_arch = "arm")]
#[path = "../../../src/core_support.rs"]
mod support;

#[cfg(target_arch = "arm")]
mod imx6 {
    use super::support::{expect_eq, expect_slot, expect_type, Fail};
    use selkie::rights::{ReadOnly, WriteOnly};
    use selkie::sys;
    use selkie::typenum::{U1, U12, U14, U3, U5, U88};
    use selkie::{Badge, Cap, Notification, Page4K, Region, VmAttributes};

    /// EPIT1's registers (i.MX 6Dual/6Quad reference manual, chapter "Enhanced Periodic Interrupt Timer").
    const EPIT1: sys::Word = 0x020d_0000;
    /// EPIT1's interrupt: GIC shared peripheral interrupt 56, interrupt ID 88.
    const EPIT1_IRQ: sys::Word = 88;
    /// Control register.
    const CR: usize = 0x00;
    /// Status register: bit 0 (OCIF) is set when the counter reaches the compare value; writing 1 clears it.
    const SR: usize = 0x04;
    /// Load register: the value the counter restarts from.
    const LR: usize = 0x08;
    /// Compare register.
    const CMPR: usize = 0x0c;
    /// CR: enable.
    const CR_EN: u32 = 1 << 0;
    /// CR: the counter starts from LR when enabled.
    const CR_ENMOD: u32 = 1 << 1;
    /// CR: interrupt on compare.
    const CR_OCIEN: u32 = 1 << 2;
    /// CR: reload from LR at zero (periodic).
    const CR_RLD: u32 = 1 << 3;
    /// CR: prescaler field (divide by value + 1).
    const CR_PRESCALER_SHIFT: u32 = 4;
    /// CR: clock source 1, the peripheral clock.
    const CR_CLKSRC_PERIPHERAL: u32 = 1 << 24;
    /// SR: output compare interrupt flag.
    const SR_OCIF: u32 = 1;
    /// The badge the interrupt's notification carries.
    const IRQ_BADGE: sys::Word = 0x88;
    /// How many interrupts the test waits for and acknowledges.
    const ACKS: u64 = 20;

    /// EPIT1's register block, mapped uncached at `base`.
    struct Epit {
        base: *mut u32,
    }

    impl Epit {
        fn read(&self, reg: usize) -> u32 {
            // SAFETY: `base` maps EPIT1's 4 KiB register page (uncached, read-write) for as long as the test holds
            // the region; `reg` is one of its 32-bit registers.
            unsafe { core::ptr::read_volatile(self.base.add(reg / 4)) }
        }

        fn write(&self, reg: usize, value: u32) {
            // SAFETY: as in `read`; writing these registers only configures the timer.
            unsafe { core::ptr::write_volatile(self.base.add(reg / 4), value) }
        }

        /// Starts periodic interrupts: peripheral clock divided by 66, `period` counts between interrupts.
        fn start(&self, period: u32) {
            let config = CR_ENMOD | CR_OCIEN | CR_RLD | (65 << CR_PRESCALER_SHIFT) | CR_CLKSRC_PERIPHERAL;
            self.write(CR, config);
            self.write(SR, SR_OCIF);
            self.write(LR, period);
            self.write(CMPR, 0);
            self.write(CR, config | CR_EN);
        }

        fn stop(&self) {
            self.write(CR, 0);
            self.write(SR, SR_OCIF);
        }
    }

    #[selkie::test]
    fn an_epit_interrupt_reaches_a_bound_notification_and_is_acknowledged_20_times(
        boot: &mut selkie::bootstrap::BootInfo,
    ) -> Result<(), Fail> {
        boot.lend(|res| {
            let mem = res.untyped.alloc_device::<U12>(EPIT1)?;
            expect_eq("device memory where asked", EPIT1.into(), mem.paddr().into())?;
            let region = Region::<U1, _, _, _, Page4K, _>::from_device(mem, res.slots.alloc::<U1>()?)?;
            expect_type("EPIT1's device frame", region.frame())?;
            let vaddr = res.root_vspace.reserve(12, 1)?;
            let (page, _) = res.root_vspace.map_with(
                region,
                vaddr,
                VmAttributes::UNCACHED.execute_never(),
                res.untyped.alloc::<U14>()?,
                res.slots.alloc::<U3>()?,
            )?;
            let epit = Epit {
                base: page.vaddr() as *mut u32,
            };
            epit.stop();

            let n: Cap<Notification, _> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
            let cspace = &res.cspace;
            let signal_end: Cap<Notification<WriteOnly>, _> =
                n.mint(cspace, res.slots.alloc()?, Badge::new(IRQ_BADGE)?)?;
            let waiter: Cap<Notification<ReadOnly>, _> = n.copy(cspace, res.slots.alloc()?)?;

            let handler = res.irq_control.handler::<U88, _>(res.slots.alloc()?)?;
            expect_type("IRQ handler", &handler)?;
            expect_eq("handler's IRQ", EPIT1_IRQ.into(), handler.irq().into())?;
            let handler = handler.set_notification(&signal_end)?;
            handler.ack()?;
            let _ = waiter.poll();

            // 66 MHz / 66 = 1 MHz; 2000 counts: an interrupt every 2 ms.
            epit.start(2000);
            let mut counted = 0;
            let outcome = (|| {
                while counted < ACKS {
                    let signals = waiter.wait();
                    expect_eq("interrupt's badge", IRQ_BADGE.into(), signals.value().into())?;
                    expect_eq(
                        "EPIT1 status: compare flag set",
                        SR_OCIF.into(),
                        (epit.read(SR) & SR_OCIF).into(),
                    )?;
                    epit.write(SR, SR_OCIF);
                    expect_eq("EPIT1 status: flag cleared", 0, (epit.read(SR) & SR_OCIF).into())?;
                    handler.ack()?;
                    counted += 1;
                }
                Ok::<(), Fail>(())
            })();
            epit.stop();
            outcome?;
            expect_eq("interrupts acknowledged", ACKS, counted)?;
            let freed = handler.delete(cspace)?;
            expect_slot("handler's slot after delete", freed.start(), sys::cap_tag::NULL)
        })
    }
}
