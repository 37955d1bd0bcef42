//! Architecture-specific capability types: paging structures, frames, ASIDs, I/O ports (x86_64), thread
//! contexts and fault layouts.
//!
//! Each architecture has a module with the same file names; the one for the target is re-exported here and
//! at the crate root. Nothing outside this module assumes an architecture.

mod paging_arch;
pub use paging_arch::*;

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub use self::x86_64::*;

#[cfg(target_arch = "arm")]
mod aarch32;
#[cfg(target_arch = "arm")]
pub use self::aarch32::*;

#[cfg(not(any(target_arch = "x86_64", target_arch = "arm")))]
compile_error!("selkie supports x86_64 and aarch32 (32-bit ARM) so far");
