//! The per-architecture entry point and end of a run. Only the architecture's own files know its registers and
//! instructions.

#[cfg(all(target_os = "none", target_arch = "x86_64"))]
mod x86_64;

#[cfg(all(target_os = "none", target_arch = "arm"))]
mod aarch32;
#[cfg(selkie_uart_console)]
pub(crate) use aarch32::uart;

#[cfg(target_arch = "x86_64")]
mod debug_exit;
#[cfg(target_arch = "x86_64")]
pub(crate) use debug_exit::*;

#[cfg(target_arch = "arm")]
mod semihosting;
#[cfg(target_arch = "arm")]
pub(crate) use semihosting::*;
