//! The IPC buffer on x86_64: on every return to user mode the kernel sets the GS base to the current thread's
//! IPC buffer address, so words are read and written GS-relative, as libsel4 does.

use crate::Word;

/// Reads the word at byte `offset` of the current thread's IPC buffer.
///
/// # Safety
/// The kernel must have set GS base to a mapped IPC buffer (true for every seL4 thread with an IPC buffer), and
/// `offset` must lie inside it (below 1024) and be 8-byte aligned.
#[inline(always)]
pub unsafe fn ipc_read_word(offset: usize) -> Word {
    let w: Word;
    // SAFETY: the caller guarantees GS base points at a mapped IPC buffer and `offset` is inside it.
    unsafe {
        core::arch::asm!("mov {w}, qword ptr gs:[{off}]", w = lateout(reg) w, off = in(reg) offset, options(nostack, readonly, preserves_flags));
    }
    w
}

/// Writes `w` at byte `offset` of the current thread's IPC buffer.
///
/// # Safety
/// As for [`ipc_read_word`].
#[inline(always)]
pub unsafe fn ipc_write_word(offset: usize, w: Word) {
    // SAFETY: the caller guarantees GS base points at a mapped IPC buffer and `offset` is inside it.
    unsafe {
        core::arch::asm!("mov qword ptr gs:[{off}], {w}", w = in(reg) w, off = in(reg) offset, options(nostack, preserves_flags));
    }
}
