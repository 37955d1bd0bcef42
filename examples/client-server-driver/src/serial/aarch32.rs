//! An i.MX6 UART on aarch32: one page of device registers, mapped uncached in the driver only (the root task
//! holds the frame's capabilities but maps it nowhere).
//!
//! Which UART: on a kernel that prints (the debug configuration), UART2, the kernel's console and the serial
//! port the runner shows; on one that cannot (the verified configuration), the runtime's own console driver
//! has UART2's registers, so the driver takes UART1, which no one else uses (and which the runner does not
//! show).

use selkie::bootstrap::Resources;
use selkie::process::{Brand, Process, GRANT_BASE};
use selkie::rights::ReadWrite;
use selkie::typenum::{U1, U12, U18, U64};
use selkie::{sys, Local, Page4K, Region, Shared, Unmapped, VmAttributes};

use crate::SystemError;

/// What the driver's parameters hold to reach the port: where UART2's registers are mapped in the driver.
pub type Device = sys::Word;
/// UART1's registers (i.MX 6Dual/6Quad reference manual, "Universal Asynchronous Receiver/Transmitter").
const UART1: sys::Word = 0x0202_0000;
/// UART2's registers.
const UART2: sys::Word = 0x021e_8000;
/// The driver's UART: UART2 unless the runtime's console has it (see the module's documentation).
const UART: sys::Word = if sys::config::PRINTING { UART2 } else { UART1 };
/// Where the registers are mapped in the driver: the first page of its grant window ([`Grant::map_in`]
/// checks it).
const REGISTERS_AT: sys::Word = GRANT_BASE;
/// Transmitter register: writing it queues one byte.
const UTXD: usize = 0x40;
/// Status register 2.
const USR2: usize = 0x98;
/// USR2: the transmit FIFO is empty.
const USR2_TXFE: u32 = 1 << 14;

/// Makes a region of the UART's register page from the kernel's device memory, shared so that it can be mapped
/// in the driver (the root task maps it nowhere).
pub fn claim(res: &mut Resources) -> Result<(Device, Grant), selkie::Error> {
    let mem = res.untyped.alloc_device::<U12>(UART)?;
    let registers = Region::<U1, _, _, _, Page4K, _>::from_device(mem, res.slots.alloc::<U1>()?)?;
    let (registers, _copies) = registers.share(&res.cspace, res.slots.alloc::<U1>()?)?;
    Ok((REGISTERS_AT, Grant { registers }))
}

/// The UART's register page, to be mapped in the driver.
pub struct Grant {
    registers: Region<U1, Unmapped, Shared, ReadWrite>,
}

impl Grant {
    /// Maps the UART's registers in the driver, uncached (device attributes) and never executable, at the address
    /// its parameters name.
    pub fn map_in<B: Brand>(self, driver: &mut Process<B, U18, U64, Local>) -> Result<(), SystemError> {
        let at = driver.map_region_with(&self.registers, VmAttributes::UNCACHED.execute_never())?;
        if at == REGISTERS_AT {
            Ok(())
        } else {
            Err(SystemError::Layout("the UART's registers in the driver"))
        }
    }
}

/// The driver's view of the UART.
pub struct Port {
    base: *mut u32,
}

impl Port {
    /// The UART, through its registers at `registers` in the driver's address space.
    pub fn new(registers: &Device) -> Self {
        Port {
            base: *registers as *mut u32,
        }
    }

    /// Waits for the transmit FIFO to empty, then queues `b`.
    pub fn write(&self, b: u8) -> Result<(), ()> {
        // SAFETY: `base` maps the UART's 4 KiB register page (uncached, read-write) for the driver's whole life
        // (`Grant::map_in`); USR2 and UTXD are two of its 32-bit registers. Reading USR2 has no side effect;
        // writing UTXD sends one byte.
        unsafe {
            while core::ptr::read_volatile(self.base.add(USR2 / 4)) & USR2_TXFE == 0 {}
            core::ptr::write_volatile(self.base.add(UTXD / 4), u32::from(b));
        }
        Ok(())
    }
}
