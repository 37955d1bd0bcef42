//! `selkie-sys`: the raw seL4 ABI for selkie.
//!
//! Almost everything here is generated at build time by `selkie-sys-gen` from the kernel tree and
//! configuration that `selkie-kernel` resolves (the same ones the runner builds and boots): invocation labels
//! and one `unsafe fn` per invocation, syscall numbers, object types and sizes, error codes, message-info and
//! cap-rights encodings, the bootinfo structure, initial capability slots, capability type tags and the
//! configuration itself ([`config`]). Nothing generated is checked in.
//!
//! Hand-written, per architecture under `arch/`: the syscall stubs (inline assembly) and IPC buffer access.
//! There is no typestate here: see the `selkie` crate for the typed layer.
//!
//! # Conventions
//! - Invocations are named after libsel4's functions in snake case (`seL4_Untyped_Retype` is
//!   [`untyped_retype`]); word arguments go to message registers in order and capability arguments to the IPC
//!   buffer's `caps_or_badges`, as libsel4 packs them. The reply's label becomes `Err(Error)`.
//! - Every syscall and invocation is `unsafe`: the caller must run as an seL4 thread whose IPC buffer the
//!   kernel has mapped where the architecture's thread register points (GS base on x86_64,
//!   `TPIDRURW` on aarch32), and must not invalidate memory or capabilities that Rust code relies on.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

/// A machine word (64 bits on x86_64, 32 on aarch32).
#[cfg(target_pointer_width = "64")]
pub type Word = u64;
/// A machine word (64 bits on x86_64, 32 on aarch32).
#[cfg(target_pointer_width = "32")]
pub type Word = u32;
/// A capability pointer (an address in the caller's CSpace): one word.
pub type CPtr = Word;

mod arch;
mod ipc;
mod syscalls;

pub use arch::{ipc_read_word, ipc_write_word};
pub use ipc::*;
pub use syscalls::*;

// The bindings are generated for the kernel's word size, the code is compiled for the target's: a root task
// built for one architecture against a kernel configured for another stops here.
const _: () = assert!(
    config::WORD_SIZE == Word::BITS as usize,
    "the kernel configuration's word size differs from the Rust target's: select the same architecture in \
     selkie.toml as the target you build for"
);

/// Items generated from the kernel's definitions (re-exported at the crate root).
#[allow(
    clippy::too_many_arguments,
    clippy::upper_case_acronyms,
    clippy::unusual_byte_groupings,
    clippy::identity_op
)]
mod generated {
    use super::{CPtr, Word};
    include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
}

pub use generated::*;

/// Length of [`KERNEL_CONFIG_TOML`] in bytes.
pub const KERNEL_CONFIG_TOML_LEN: usize = include!(concat!(env!("OUT_DIR"), "/kconfig_len.rs"));

/// The kernel configuration (TOML, `selkie_kernel::KernelConfig`) these bindings were generated from.
///
/// It is kept in the `.selkie.kconfig` section of every binary linking this crate, so the runner can build the
/// matching kernel for a root task without being told the configuration again.
#[used]
#[link_section = ".selkie.kconfig"]
pub static KERNEL_CONFIG_TOML: [u8; KERNEL_CONFIG_TOML_LEN] =
    *include_bytes!(concat!(env!("OUT_DIR"), "/kconfig.toml"));
