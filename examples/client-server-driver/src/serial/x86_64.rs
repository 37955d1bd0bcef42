//! COM1 on x86_64: a 16550 UART, its eight I/O ports (0x3f8 to 0x3ff), given to the driver and to no one
//! else.

use selkie::bootstrap::Resources;
use selkie::process::{Brand, Process};
use selkie::typenum::{U1016, U1021, U1023, U18, U64};
use selkie::{Cap, IoPorts, Local};

use crate::SystemError;

/// COM1's eight registers: data at 0x3f8 (1016) to scratch at 0x3ff (1023).
pub type Com1 = IoPorts<U1016, U1023>;
/// What the driver's parameters hold to reach the port: COM1's ports (moved into its CSpace).
pub type Device = Cap<Com1>;

/// Copies COM1's ports from the root task's I/O port capability.
pub fn claim(res: &mut Resources) -> Result<(Device, Grant), selkie::Error> {
    let com1: Cap<Com1> = res.io_ports.copy(&res.cspace, res.slots.alloc()?)?;
    Ok((com1, Grant))
}

/// Nothing is left to hand over: the ports travel in the driver's parameters.
pub struct Grant;

impl Grant {
    /// Does nothing on x86_64 (COM1's ports are among the driver's parameters already).
    pub fn map_in<B: Brand>(self, _driver: &mut Process<B, U18, U64, Local>) -> Result<(), SystemError> {
        Ok(())
    }
}

/// The driver's view of COM1.
pub struct Port<'a> {
    com1: &'a Device,
}

impl<'a> Port<'a> {
    /// COM1, through the driver's ports.
    pub fn new(com1: &'a Device) -> Self {
        Port { com1 }
    }

    /// Waits for the transmitter holding register to empty (line status bit 5), then sends `b`. A port
    /// access the kernel refuses is an error.
    pub fn write(&self, b: u8) -> Result<(), ()> {
        loop {
            match self.com1.port::<U1021>().in8() {
                Ok(status) if status & 0x20 != 0 => break,
                Ok(_) => {}
                Err(_) => return Err(()),
            }
        }
        self.com1.port::<U1016>().out8(b).map_err(|_| ())
    }
}
