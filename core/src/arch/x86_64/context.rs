//! x86_64 register layout: the thread context the TCB's read/write-registers invocations carry, and the
//! stack and entry conventions of the System V ABI a new thread starts under.

use selkie_sys as sys;

/// A thread's user-visible registers, in the kernel's order (`seL4_UserContext`): `rip`, `rsp`, `rflags`,
/// `rax`, `rbx`, `rcx`, `rdx`, `rsi`, `rdi`, `rbp`, `r8` to `r15`, `tls_base`. Set the named fields; the
/// typed layer always transfers the whole context, so no raw register index or count ever reaches the user.
pub type UserContext = sys::UserContext;

/// The most a fast-path message holds (four message registers that travel in CPU registers: 32 bytes here), as
/// a type: a [`FastPath`](crate::FastPath) channel's messages are at most this large.
pub type FastPathBytes = typenum::U32;

/// How many words a [`UserContext`] has (the `count` of a full read or write).
pub(crate) const USER_CONTEXT_WORDS: sys::Word =
    (core::mem::size_of::<UserContext>() / core::mem::size_of::<sys::Word>()) as sys::Word;
const _: () = assert!(USER_CONTEXT_WORDS == 19, "seL4_UserContext has 19 words on x86_64");

/// The flags a new thread starts with: interrupts enabled (IF) and the always-one bit 1.
pub const INITIAL_RFLAGS: sys::Word = 0x202;

/// The stack alignment the System V ABI requires at a call site.
pub const STACK_ALIGN: usize = 16;

/// The stack pointer a function must see at its first instruction when its stack ends at `top`: the ABI
/// wants `rsp + 8` 16-byte aligned at entry (as if a `call` had just pushed a return address), so this is
/// `top` rounded down to 16, minus 8.
///
/// ```
/// use selkie::entry_stack_pointer;
/// assert_eq!(entry_stack_pointer(0x1000), 0xff8);
/// assert_eq!(entry_stack_pointer(0x100f), 0xff8);
/// assert_eq!(entry_stack_pointer(0x1010) % 16, 8);
/// ```
pub const fn entry_stack_pointer(top: usize) -> usize {
    (top & !(STACK_ALIGN - 1)) - 8
}

/// A context that starts a thread at `entry` with its stack ending at `stack_top` and the first four integer
/// arguments of the C calling convention (`rdi`, `rsi`, `rdx`, `rcx`) set to `args`.
pub fn entry_context(entry: usize, stack_top: usize, args: [sys::Word; 4]) -> UserContext {
    UserContext {
        rip: entry as sys::Word,
        rsp: entry_stack_pointer(stack_top) as sys::Word,
        rflags: INITIAL_RFLAGS,
        rdi: args[0],
        rsi: args[1],
        rdx: args[2],
        rcx: args[3],
        ..UserContext::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_context_follows_the_abi() {
        let c = entry_context(0x40_1000, 0x80_0000 + 13, [1, 2, 3, 4]);
        assert_eq!(c.rip, 0x40_1000);
        assert_eq!(c.rsp % 16, 8);
        assert!(c.rsp < 0x80_0000);
        assert_eq!((c.rdi, c.rsi, c.rdx, c.rcx), (1, 2, 3, 4));
        assert_eq!(c.rflags, INITIAL_RFLAGS);
    }
}
