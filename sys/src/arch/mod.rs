//! Architecture-specific parts: syscall stubs and IPC buffer access. Each architecture has a directory with the
//! same file names (`mod.rs`, `syscalls.rs`, `ipc.rs`); only that directory assumes its architecture.

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub use self::x86_64::*;

#[cfg(target_arch = "arm")]
mod aarch32;
#[cfg(target_arch = "arm")]
pub use self::aarch32::*;

#[cfg(not(any(target_arch = "x86_64", target_arch = "arm")))]
compile_error!(
    "selkie-sys supports x86_64 and aarch32 (32-bit ARM) so far: add an `arch/<arch>/` directory for another \
     architecture"
);
