//! The i.MX6's first enhanced periodic interrupt timer (EPIT1) on aarch32: one page of device registers at
//! 0x020d_0000, mapped uncached in the driver process only (the root task holds the frame's capabilities but
//! maps it nowhere), and its interrupt, GIC interrupt 88.

use selkie::bootstrap::Resources;
use selkie::process::{Brand, Process, GRANT_BASE, PAGE_SIZE};
use selkie::rights::{ReadWrite, WriteOnly};
use selkie::typenum::{U1, U12, U18, U64, U88};
use selkie::{sys, Cap, Local, Notification, Page4K, Region, Shared, Unmapped, VmAttributes};

use super::{step, Claimed, TICK_HZ};
use crate::{check, PipelineError};

/// EPIT1's interrupt: GIC shared peripheral interrupt 56, interrupt ID 88.
pub type TimerIrq = U88;
/// What the driver's parameters hold to program the timer: where EPIT1's registers are mapped in the driver.
pub type Device = sys::Word;
/// EPIT1's registers (i.MX 6Dual/6Quad reference manual, "Enhanced Periodic Interrupt Timer").
const EPIT1: sys::Word = 0x020d_0000;
/// Where the registers are mapped in the driver: after the queue's page and the status page in its grant
/// window ([`Grant::map_in`] checks it).
const REGISTERS_AT: sys::Word = GRANT_BASE + 2 * PAGE_SIZE as sys::Word;
/// The peripheral clock EPIT1 counts (66 MHz), divided by 66: the counter runs at 1 MHz.
const COUNTER_HZ: u32 = 1_000_000;
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

/// Claims EPIT1's interrupt (bound to `signal`) and makes a region of its register page from the kernel's
/// device memory, shared so that it can be mapped in the driver (the root task maps it nowhere).
pub fn claim(res: &mut Resources, signal: &Cap<Notification<WriteOnly>>) -> Result<Claimed, selkie::Error> {
    let irq = res.irq_control.handler::<TimerIrq, _>(res.slots.alloc()?)?;
    let irq = irq.set_notification(signal)?;
    let mem = res.untyped.alloc_device::<U12>(EPIT1)?;
    let registers = Region::<U1, _, _, _, Page4K, _>::from_device(mem, res.slots.alloc::<U1>()?)?;
    let (registers, _copies) = registers.share(&res.cspace, res.slots.alloc::<U1>()?)?;
    Ok(Claimed {
        irq,
        device: REGISTERS_AT,
        grant: Grant { registers },
    })
}

/// EPIT1's register page, to be mapped in the driver.
pub struct Grant {
    registers: Region<U1, Unmapped, Shared, ReadWrite>,
}

impl Grant {
    /// Maps EPIT1's registers in the driver, uncached (device attributes) and never executable, at the address
    /// its parameters name.
    pub fn map_in<B: Brand>(self, driver: &mut Process<B, U18, U64, Local>) -> Result<(), PipelineError> {
        let at = driver.map_region_with(&self.registers, VmAttributes::UNCACHED.execute_never())?;
        check("EPIT1's registers in the driver", REGISTERS_AT, at)
    }
}

/// The driver's view of EPIT1.
pub struct Timer {
    base: *mut u32,
}

impl Timer {
    /// EPIT1, through its registers at `registers` in the driver's address space.
    pub fn new(registers: &Device) -> Self {
        Timer {
            base: *registers as *mut u32,
        }
    }

    fn read(&self, reg: usize) -> u32 {
        // SAFETY: `base` maps EPIT1's 4 KiB register page (uncached, read-write) for the driver's whole life
        // (`Grant::map_in`); `reg` is one of its 32-bit registers.
        unsafe { core::ptr::read_volatile(self.base.add(reg / 4)) }
    }

    fn write(&self, reg: usize, value: u32) {
        // SAFETY: as in `read`; writing these registers only configures the timer.
        unsafe { core::ptr::write_volatile(self.base.add(reg / 4), value) }
    }

    /// Starts periodic interrupts at [`TICK_HZ`].
    pub fn start(&self) -> Result<(), u64> {
        let config = CR_ENMOD | CR_OCIEN | CR_RLD | (65 << CR_PRESCALER_SHIFT) | CR_CLKSRC_PERIPHERAL;
        self.stop();
        self.write(CR, config);
        self.write(LR, COUNTER_HZ / TICK_HZ);
        self.write(CMPR, 0);
        self.write(CR, config | CR_EN);
        if self.read(CR) & CR_EN == 0 {
            return Err(step::START);
        }
        Ok(())
    }

    /// Clears the compare flag of the interrupt that just arrived; an interrupt without it is an error.
    pub fn clear(&self) -> Result<(), u64> {
        if self.read(SR) & SR_OCIF == 0 {
            return Err(step::NOT_FIRED);
        }
        self.write(SR, SR_OCIF);
        Ok(())
    }

    /// Stops the timer and clears a pending flag.
    pub fn stop(&self) {
        self.write(CR, 0);
        self.write(SR, SR_OCIF);
    }
}
