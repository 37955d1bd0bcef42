//! aarch32 (ARMv7-A): the `swi 0` convention and an IPC buffer found through the user read/write thread ID
//! register (`TPIDRURW`, kernel config `IPC_BUF_TPIDRURW`).

mod ipc;
mod syscalls;

pub use ipc::{ipc_read_word, ipc_write_word};
pub(crate) use syscalls::raw;
