//! The IPC buffer on aarch32: with `IPC_BUF_TPIDRURW` the kernel loads the current thread's IPC buffer address
//! into `TPIDRURW` (the user read/write thread ID register, CP15 c13 c0 2) on every return to user mode, so
//! words are read and written relative to it, as libsel4 does.

use crate::Word;

const _: () = assert!(
    crate::config::IPC_BUF_TPIDRURW,
    "selkie on aarch32 finds the IPC buffer through TPIDRURW: the kernel must be configured with IPC_BUF_TPIDRURW"
);

/// The current thread's IPC buffer address, read from `TPIDRURW`.
#[inline(always)]
fn ipc_buffer_base() -> usize {
    let base: usize;
    // SAFETY: reading TPIDRURW is allowed in user mode and has no side effects.
    unsafe {
        core::arch::asm!("mrc p15, 0, {b}, c13, c0, 2", b = out(reg) base, options(nomem, nostack, preserves_flags));
    }
    base
}

/// Reads the word at byte `offset` of the current thread's IPC buffer.
///
/// # Safety
/// The kernel must have set `TPIDRURW` to a mapped IPC buffer (true for every seL4 thread with an IPC buffer
/// on a kernel configured with `IPC_BUF_TPIDRURW`), and `offset` must lie inside it (below 512) and be 4-byte
/// aligned.
#[inline(always)]
pub unsafe fn ipc_read_word(offset: usize) -> Word {
    let p = (ipc_buffer_base() + offset) as *const Word;
    // SAFETY: the caller guarantees the buffer is mapped and `offset` is an aligned word inside it; the kernel
    // writes it only while this thread is in a system call, so a volatile read sees the latest value.
    unsafe { core::ptr::read_volatile(p) }
}

/// Writes `w` at byte `offset` of the current thread's IPC buffer.
///
/// # Safety
/// As for [`ipc_read_word`].
#[inline(always)]
pub unsafe fn ipc_write_word(offset: usize, w: Word) {
    let p = (ipc_buffer_base() + offset) as *mut Word;
    // SAFETY: as for `ipc_read_word`; the volatile write is not elided before the system call reads it.
    unsafe { core::ptr::write_volatile(p, w) }
}
