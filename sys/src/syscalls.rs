//! seL4 system calls, the same on every architecture: each is one trap through the architecture's `raw`
//! stub (`arch/<arch>/syscalls.rs`), which takes the syscall number, the capability (badge on return), the
//! message info and message registers 0-3 in CPU registers. Messages longer than four words, and capabilities,
//! travel in the IPC buffer.

use crate::arch::raw;
use crate::{get_mr, set_mr, CPtr, MessageInfo, Syscall, Word, MSG_REGISTERS};

// Every architecture selkie supports passes four message registers in CPU registers.
const _: () = assert!(MSG_REGISTERS == 4);

/// Loads message registers 0-3 from the IPC buffer (as libsel4 does for the buffer-based calls).
///
/// # Safety
/// The IPC buffer must be mapped.
#[inline(always)]
unsafe fn load_mrs() -> [Word; 4] {
    // SAFETY: the caller guarantees the IPC buffer is mapped; indices 0-3 are in range.
    unsafe { [get_mr(0), get_mr(1), get_mr(2), get_mr(3)] }
}

/// Stores message registers 0-3 into the IPC buffer.
///
/// # Safety
/// The IPC buffer must be mapped.
#[inline(always)]
unsafe fn store_mrs(mrs: [Word; 4]) {
    // SAFETY: the caller guarantees the IPC buffer is mapped; indices 0-3 are in range.
    unsafe {
        for (i, w) in mrs.into_iter().enumerate() {
            set_mr(i, w);
        }
    }
}

/// `seL4_Send`: sends the message described by `info` (message registers and caps from the IPC buffer) on
/// the endpoint `dest`, blocking until it is delivered.
///
/// # Safety
/// The calling thread's IPC buffer must be mapped (where the architecture's thread register points) and the message must not transfer authority that
/// Rust code relies on keeping.
#[inline]
pub unsafe fn send(dest: CPtr, info: MessageInfo) {
    // SAFETY: the caller guarantees a mapped IPC buffer.
    unsafe {
        let mrs = load_mrs();
        raw(Syscall::Send, dest, info.into_word(), mrs);
    }
}

/// `seL4_NBSend`: like [`send`] but drops the message if no receiver is waiting.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn nb_send(dest: CPtr, info: MessageInfo) {
    // SAFETY: the caller guarantees a mapped IPC buffer.
    unsafe {
        let mrs = load_mrs();
        raw(Syscall::NBSend, dest, info.into_word(), mrs);
    }
}

/// `seL4_Call`: sends on `dest` and waits for the reply; the reply's message registers 0-3 are stored in the
/// IPC buffer like the rest of the message.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn call(dest: CPtr, info: MessageInfo) -> MessageInfo {
    // SAFETY: the caller guarantees a mapped IPC buffer.
    unsafe {
        let mrs = load_mrs();
        let (_, out_info, mrs) = raw(Syscall::Call, dest, info.into_word(), mrs);
        store_mrs(mrs);
        MessageInfo::from_word(out_info)
    }
}

/// `seL4_Recv`: waits for a message on `src`; returns its info and the sender's badge. Message registers 0-3
/// are stored in the IPC buffer.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn recv(src: CPtr) -> (MessageInfo, Word) {
    // SAFETY: the caller guarantees a mapped IPC buffer.
    unsafe {
        let (badge, info, mrs) = raw(Syscall::Recv, src, 0, [0; 4]);
        store_mrs(mrs);
        (MessageInfo::from_word(info), badge)
    }
}

/// `seL4_NBRecv`: like [`recv`] but returns at once (with an empty message) when nothing is pending.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn nb_recv(src: CPtr) -> (MessageInfo, Word) {
    // SAFETY: the caller guarantees a mapped IPC buffer.
    unsafe {
        let (badge, info, mrs) = raw(Syscall::NBRecv, src, 0, [0; 4]);
        store_mrs(mrs);
        (MessageInfo::from_word(info), badge)
    }
}

/// `seL4_Reply`: replies to the last caller through the thread's reply capability.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn reply(info: MessageInfo) {
    // SAFETY: the caller guarantees a mapped IPC buffer.
    unsafe {
        let mrs = load_mrs();
        raw(Syscall::Reply, 0, info.into_word(), mrs);
    }
}

/// `seL4_ReplyRecv`: replies to the last caller, then waits on `src`; returns the new message's info and
/// badge, with message registers 0-3 stored in the IPC buffer.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn reply_recv(src: CPtr, info: MessageInfo) -> (MessageInfo, Word) {
    // SAFETY: the caller guarantees a mapped IPC buffer.
    unsafe {
        let mrs = load_mrs();
        let (badge, info, mrs) = raw(Syscall::ReplyRecv, src, info.into_word(), mrs);
        store_mrs(mrs);
        (MessageInfo::from_word(info), badge)
    }
}

/// `seL4_Signal`: signals the notification `dest` (a send of an empty message).
///
/// # Safety
/// The capability's effects must be acceptable to the caller (signalling never touches the IPC buffer).
#[inline]
pub unsafe fn signal(dest: CPtr) {
    // SAFETY: the caller upholds the contract; no memory is involved.
    unsafe {
        raw(Syscall::Send, dest, MessageInfo::new(0, 0, 0, 0).into_word(), [0; 4]);
    }
}

/// `seL4_Wait`: waits on the notification (or endpoint) `src` and returns the badge (the notification word).
///
/// # Safety
/// As for [`send`] (a message received on an endpoint is written to the IPC buffer).
#[inline]
pub unsafe fn wait(src: CPtr) -> Word {
    // SAFETY: the caller upholds the contract.
    unsafe { raw(Syscall::Recv, src, 0, [0; 4]).0 }
}

/// `seL4_Yield`: gives up the rest of the time slice.
///
/// # Safety
/// Always safe to perform for a running seL4 thread; `unsafe` only because it is a raw system call.
#[inline]
pub unsafe fn yield_() {
    // SAFETY: yielding has no memory effects.
    unsafe {
        raw(Syscall::Yield, 0, 0, [0; 4]);
    }
}

/// `seL4_SendWithMRs`: [`send`] with message registers 0-3 given in registers (fast path, no buffer access
/// for them).
///
/// # Safety
/// As for [`send`] (words beyond the fourth and caps still come from the IPC buffer).
#[inline]
pub unsafe fn send_with_mrs(dest: CPtr, info: MessageInfo, mrs: [Word; 4]) {
    // SAFETY: the caller upholds the contract.
    unsafe {
        raw(Syscall::Send, dest, info.into_word(), mrs);
    }
}

/// `seL4_CallWithMRs`: [`call`] with message registers 0-3 passed and returned in registers.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn call_with_mrs(dest: CPtr, info: MessageInfo, mrs: [Word; 4]) -> (MessageInfo, [Word; 4]) {
    // SAFETY: the caller upholds the contract.
    let (_, info, mrs) = unsafe { raw(Syscall::Call, dest, info.into_word(), mrs) };
    (MessageInfo::from_word(info), mrs)
}

/// `seL4_RecvWithMRs`: [`recv`] returning message registers 0-3 instead of storing them.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn recv_with_mrs(src: CPtr) -> (MessageInfo, Word, [Word; 4]) {
    // SAFETY: the caller upholds the contract.
    let (badge, info, mrs) = unsafe { raw(Syscall::Recv, src, 0, [0; 4]) };
    (MessageInfo::from_word(info), badge, mrs)
}

/// `seL4_ReplyRecvWithMRs`: [`reply_recv`] with message registers 0-3 passed and returned in registers.
///
/// # Safety
/// As for [`send`].
#[inline]
pub unsafe fn reply_recv_with_mrs(src: CPtr, info: MessageInfo, mrs: [Word; 4]) -> (MessageInfo, Word, [Word; 4]) {
    // SAFETY: the caller upholds the contract.
    let (badge, info, mrs) = unsafe { raw(Syscall::ReplyRecv, src, info.into_word(), mrs) };
    (MessageInfo::from_word(info), badge, mrs)
}

/// `seL4_DebugPutChar`: writes one byte to the kernel's debug console.
///
/// # Safety
/// Only a raw system call; it has no memory effects.
#[cfg(selkie_debug_build)]
#[inline]
pub unsafe fn debug_put_char(c: u8) {
    // SAFETY: no memory effects.
    unsafe {
        raw(Syscall::DebugPutChar, Word::from(c), 0, [0; 4]);
    }
}

/// `seL4_DebugHalt`: stops the kernel (debug builds).
///
/// # Safety
/// Halts the whole system.
#[cfg(selkie_debug_build)]
#[inline]
pub unsafe fn debug_halt() {
    // SAFETY: the caller accepts that the system halts.
    unsafe {
        raw(Syscall::DebugHalt, 0, 0, [0; 4]);
    }
}

/// `seL4_DebugCapIdentify`: the type tag (see [`cap_tag`](crate::cap_tag)) of the capability at `cap`, 0 for an
/// empty slot.
///
/// # Safety
/// Only a raw system call; it has no memory effects.
#[cfg(selkie_debug_build)]
#[inline]
pub unsafe fn debug_cap_identify(cap: CPtr) -> Word {
    // SAFETY: no memory effects.
    unsafe { raw(Syscall::DebugCapIdentify, cap, 0, [0; 4]).0 }
}

/// `seL4_DebugSnapshot`: prints the kernel's capability snapshot (debug builds).
///
/// # Safety
/// Only a raw system call; it has no memory effects.
#[cfg(selkie_debug_build)]
#[inline]
pub unsafe fn debug_snapshot() {
    // SAFETY: no memory effects.
    unsafe {
        raw(Syscall::DebugSnapshot, 0, 0, [0; 4]);
    }
}

/// `seL4_DebugNameThread`: names the thread `tcb` in kernel debug output. The name is copied into the IPC
/// buffer's message words (truncated to fit, always NUL-terminated).
///
/// # Safety
/// The IPC buffer must be mapped (its message registers are overwritten).
#[cfg(selkie_debug_build)]
#[inline]
pub unsafe fn debug_name_thread(tcb: CPtr, name: &core::ffi::CStr) {
    const WORD: usize = core::mem::size_of::<Word>();
    let bytes = name.to_bytes();
    let max = crate::MSG_MAX_LENGTH * WORD - 1;
    let len = bytes.len().min(max);
    let words = (len + 1).div_ceil(WORD);
    for i in 0..words {
        let mut chunk = [0u8; WORD];
        for (j, b) in chunk.iter_mut().enumerate() {
            let k = i * WORD + j;
            if k < len {
                *b = bytes[k];
            }
        }
        // SAFETY: the caller guarantees the IPC buffer is mapped; `i < MSG_MAX_LENGTH`.
        unsafe { set_mr(i, Word::from_le_bytes(chunk)) };
    }
    // SAFETY: the name is in the IPC buffer, where the kernel reads it.
    unsafe {
        raw(Syscall::DebugNameThread, tcb, 0, [0; 4]);
    }
}
