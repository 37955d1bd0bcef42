//! x86_64 entry: the kernel starts the root task at `_start` with RDI = bootinfo address and RSP = 0; a
//! separately built program (feature `program`) is started by its parent at `_start` with RDI = the address
//! of its parameters and RSP = the top of the stack the parent mapped for it (16-byte aligned).

#[cfg(feature = "program")]
core::arch::global_asm!(
    ".section .text._start, \"ax\"",
    ".global _start",
    "_start:",
    // RSP is the parent's stack top, RDI the parameter address: align the stack for the call (the parent
    // gives it 16-byte aligned, the call pushes the return address as the ABI expects), clear the frame
    // pointer and call the runtime. `program_start` never returns.
    "and rsp, -16",
    "xor ebp, ebp",
    "call {start}",
    "ud2",
    start = sym super::super::program_start,
);

/// Size of the root task's initial stack.
#[cfg(not(feature = "program"))]
const STACK_SIZE: usize = 256 * 1024;

#[cfg(not(feature = "program"))]
#[repr(C, align(16))]
struct Stack([u8; STACK_SIZE]);

/// The root task's stack; only `_start` refers to it, by address. It has its own section, which the link script
/// puts after the image's bss (`__selkie_image_end`), so a process built from a function of the image does not
/// copy it.
#[link_section = ".selkie.root_stack"]
#[cfg(not(feature = "program"))]
static mut STACK: Stack = Stack([0; STACK_SIZE]);

#[cfg(not(feature = "program"))]
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
