//! Architecture-specific capability types: paging structures, frames, ASIDs and I/O ports.
//!
//! Each architecture has a module with the same file names; the one for the target is re-exported here and
//! at the crate root. Nothing outside this module assumes an architecture.

#[cfg(target_arch = "x86_64")]
mod x86_64;

#[cfg(target_arch = "x86_64")]
pub use self::x86_64::*;
