//! The IPC buffer: its layout and accessors for the current thread's buffer (found through the architecture's
//! thread-local mechanism, see `arch/`).

use core::mem::offset_of;

use crate::{ipc_read_word, ipc_write_word, CPtr, Word, MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH};

/// `seL4_IPCBuffer`: a thread's IPC buffer, shared with the kernel.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IpcBuffer {
    /// The message info word of the last message (`tag`, see [`MessageInfo::from_word`](crate::MessageInfo::from_word)).
    pub tag: Word,
    /// Message registers; the first few also travel in CPU registers.
    pub msg: [Word; MSG_MAX_LENGTH],
    /// Free for the thread's own use (`userData`).
    pub user_data: Word,
    /// Capabilities to send, or badges of received capabilities.
    pub caps_or_badges: [Word; MSG_MAX_EXTRA_CAPS],
    /// CNode (root) in which to receive a capability (`receiveCNode`).
    pub receive_cnode: CPtr,
    /// Slot index for a received capability (`receiveIndex`).
    pub receive_index: CPtr,
    /// Depth of `receive_index` (`receiveDepth`).
    pub receive_depth: Word,
}

const WORD: usize = core::mem::size_of::<Word>();
// 1024 bytes with 64-bit words, 512 with 32-bit ones.
const _: () = assert!(core::mem::size_of::<IpcBuffer>() == (5 + MSG_MAX_LENGTH + MSG_MAX_EXTRA_CAPS) * WORD);
const _: () = assert!(core::mem::size_of::<IpcBuffer>() == 128 * WORD);
const _: () = assert!(offset_of!(IpcBuffer, tag) == 0);
const _: () = assert!(offset_of!(IpcBuffer, msg) == WORD);
const _: () = assert!(offset_of!(IpcBuffer, user_data) == (1 + MSG_MAX_LENGTH) * WORD);
const _: () = assert!(offset_of!(IpcBuffer, caps_or_badges) == (2 + MSG_MAX_LENGTH) * WORD);
const _: () = assert!(offset_of!(IpcBuffer, receive_cnode) == (2 + MSG_MAX_LENGTH + MSG_MAX_EXTRA_CAPS) * WORD);
const _: () = assert!(offset_of!(IpcBuffer, receive_depth) == 127 * WORD);

/// Message register `i` of the current thread's IPC buffer.
///
/// # Safety
/// The current thread's IPC buffer must be mapped where the kernel points (GS base on x86_64, `TPIDRURW` on aarch32), and
/// `i < MSG_MAX_LENGTH`.
#[inline(always)]
pub unsafe fn get_mr(i: usize) -> Word {
    debug_assert!(i < MSG_MAX_LENGTH);
    // SAFETY: the caller guarantees the buffer is mapped and `i` is in range, so the offset is inside it.
    unsafe { ipc_read_word(offset_of!(IpcBuffer, msg) + i * WORD) }
}

/// Sets message register `i` of the current thread's IPC buffer.
///
/// # Safety
/// As for [`get_mr`].
#[inline(always)]
pub unsafe fn set_mr(i: usize, w: Word) {
    debug_assert!(i < MSG_MAX_LENGTH);
    // SAFETY: as for `get_mr`.
    unsafe { ipc_write_word(offset_of!(IpcBuffer, msg) + i * WORD, w) }
}

/// Capability `i` to send with the next message.
///
/// # Safety
/// The IPC buffer must be mapped (see [`get_mr`]) and `i < MSG_MAX_EXTRA_CAPS`.
#[inline(always)]
pub unsafe fn get_cap(i: usize) -> CPtr {
    debug_assert!(i < MSG_MAX_EXTRA_CAPS);
    // SAFETY: the caller guarantees the buffer is mapped and `i` is in range.
    unsafe { ipc_read_word(offset_of!(IpcBuffer, caps_or_badges) + i * WORD) }
}

/// Sets capability `i` to send with the next message.
///
/// # Safety
/// As for [`get_cap`].
#[inline(always)]
pub unsafe fn set_cap(i: usize, c: CPtr) {
    debug_assert!(i < MSG_MAX_EXTRA_CAPS);
    // SAFETY: as for `get_cap`.
    unsafe { ipc_write_word(offset_of!(IpcBuffer, caps_or_badges) + i * WORD, c) }
}

/// The badge of the `i`-th capability received (unwrapped) with the last message.
///
/// # Safety
/// As for [`get_cap`].
#[inline(always)]
pub unsafe fn get_badge(i: usize) -> Word {
    // SAFETY: same slots as the caps to send.
    unsafe { get_cap(i) }
}

/// Sets where a capability received with the next message is placed: slot `index` at `depth` bits in the
/// CSpace rooted at `cnode`.
///
/// # Safety
/// The IPC buffer must be mapped (see [`get_mr`]).
#[inline(always)]
pub unsafe fn set_receive_path(cnode: CPtr, index: CPtr, depth: Word) {
    // SAFETY: the caller guarantees the buffer is mapped; the offsets are the struct's fields.
    unsafe {
        ipc_write_word(offset_of!(IpcBuffer, receive_cnode), cnode);
        ipc_write_word(offset_of!(IpcBuffer, receive_index), index);
        ipc_write_word(offset_of!(IpcBuffer, receive_depth), depth);
    }
}

/// The IPC buffer's user data word.
///
/// # Safety
/// The IPC buffer must be mapped (see [`get_mr`]).
#[inline(always)]
pub unsafe fn get_user_data() -> Word {
    // SAFETY: the caller guarantees the buffer is mapped.
    unsafe { ipc_read_word(offset_of!(IpcBuffer, user_data)) }
}

/// Sets the IPC buffer's user data word.
///
/// # Safety
/// The IPC buffer must be mapped (see [`get_mr`]).
#[inline(always)]
pub unsafe fn set_user_data(w: Word) {
    // SAFETY: the caller guarantees the buffer is mapped.
    unsafe { ipc_write_word(offset_of!(IpcBuffer, user_data), w) }
}
