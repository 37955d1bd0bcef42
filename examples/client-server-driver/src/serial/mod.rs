//! The serial port the driver owns: the one part of the system that depends on the machine. Each
//! architecture's module offers the same interface, so `main` and the driver are written once:
//!
//! - [`claim`] (root task): takes what the driver needs to reach the port, a [`Device`] for the driver's
//!   parameters and a [`Grant`] to hand over once the driver process exists ([`Grant::map_in`]);
//! - [`Port`] (driver): [`Port::write`] one byte, polling until the transmitter takes it.
//!
//! On x86_64 the port is COM1, a 16550 UART: its eight I/O ports, and no others. On aarch32 it is the i.MX6's
//! UART2: a page of device registers mapped uncached in the driver only. UART2 is also where the kernel's debug
//! console writes (on the verified kernel, the runtime's console): it is the serial port the runner shows,
//! which is what the system's test reads. The two never write at once here: while the driver writes, every
//! other thread of the system is blocked in a call that waits for it.

#[cfg_attr(target_arch = "x86_64", path = "x86_64.rs")]
#[cfg_attr(target_arch = "arm", path = "aarch32.rs")]
mod arch;

pub use arch::{claim, Device, Port};
