//! aarch32 register layout: the thread context the TCB's read/write-registers invocations carry, and the
//! stack and entry conventions of the ARM procedure call standard (AAPCS) a new thread starts under.

use selkie_sys as sys;

/// A thread's user-visible registers, in the kernel's order (`seL4_UserContext`): `pc`, `sp`, `cpsr`, `r0`,
/// `r1`, `r8` to `r12`, `r2` to `r7`, `r14`. Set the named fields; the typed layer always transfers the whole
/// context, so no raw register index or count ever reaches the user.
pub type UserContext = sys::UserContext;

/// The most a fast-path message holds (four message registers that travel in CPU registers: 16 bytes here), as
/// a type: a [`FastPath`](crate::FastPath) channel's messages are at most this large.
pub type FastPathBytes = typenum::U16;

/// How many words a [`UserContext`] has (the `count` of a full read or write).
pub(crate) const USER_CONTEXT_WORDS: sys::Word =
    (core::mem::size_of::<UserContext>() / core::mem::size_of::<sys::Word>()) as sys::Word;
const _: () = assert!(USER_CONTEXT_WORDS == 17, "seL4_UserContext has 17 words on aarch32");

/// The program status a new thread starts with: user mode, ARM (not Thumb) state, interrupts enabled.
pub const INITIAL_CPSR: sys::Word = 0x10;

/// The stack alignment the AAPCS requires at a public interface.
pub const STACK_ALIGN: usize = 8;

/// The stack pointer a function must see at its first instruction when its stack ends at `top`: `top`
/// rounded down to 8 (the return address travels in `lr`, not on the stack).
///
/// ```
/// use selkie::entry_stack_pointer;
/// assert_eq!(entry_stack_pointer(0x1000), 0x1000);
/// assert_eq!(entry_stack_pointer(0x100f), 0x1008);
/// ```
pub const fn entry_stack_pointer(top: usize) -> usize {
    top & !(STACK_ALIGN - 1)
}

/// A context that starts a thread at `entry` with its stack ending at `stack_top` and the four argument
/// registers of the AAPCS (`r0` to `r3`) set to `args`.
pub fn entry_context(entry: usize, stack_top: usize, args: [sys::Word; 4]) -> UserContext {
    UserContext {
        pc: entry as sys::Word,
        sp: entry_stack_pointer(stack_top) as sys::Word,
        cpsr: INITIAL_CPSR,
        r0: args[0],
        r1: args[1],
        r2: args[2],
        r3: args[3],
        ..UserContext::default()
    }
}
