//! x86_64: the `syscall` instruction convention of seL4's `SYSCALL` configuration and a GS-based IPC buffer.

mod ipc;
mod syscalls;

pub use ipc::{ipc_read_word, ipc_write_word};
pub(crate) use syscalls::raw;
