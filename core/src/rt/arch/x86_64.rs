//! x86_64 entry: the kernel starts the root task at `_start` with RDI = bootinfo address and RSP = 0.

/// Size of the root task's initial stack.
const STACK_SIZE: usize = 256 * 1024;

#[repr(C, align(16))]
struct Stack([u8; STACK_SIZE]);

/// The root task's stack; only `_start` refers to it, by address. It has its own section, which the link script
/// puts after the image's bss (`__selkie_image_end`), so a process built from a function of the image does not
/// copy it.
#[link_section = ".selkie.root_stack"]
static mut STACK: Stack = Stack([0; STACK_SIZE]);

core::arch::global_asm!(
    ".section .text._start, \"ax\"",
    ".global _start",
    "_start:",
    // RSP is 0 on entry: point it at the top of the stack (16-byte aligned) and call the runtime with the
    // bootinfo pointer still in RDI. `start` never returns.
    "lea rsp, [rip + {stack} + {size}]",
    "xor ebp, ebp",
    "call {start}",
    "ud2",
    stack = sym STACK,
    size = const STACK_SIZE,
    start = sym super::super::start,
);
