//! aarch32 entry: the kernel starts the root task at `_start` in user mode, ARM state, with r0 = bootinfo
//! address and no stack; a separately built program (feature `program`) is started by its parent at `_start`
//! with r0 = the address of its parameters and sp = the top of the stack the parent mapped for it. On kernels
//! that cannot print, the root task's console is the user-space UART driver in [`uart`].

#[cfg(selkie_uart_console)]
pub(crate) mod uart;

#[cfg(feature = "program")]
core::arch::global_asm!(
    ".section .text._start, \"ax\"",
    ".global _start",
    ".arm",
    "_start:",
    // sp is the parent's stack top, r0 the parameter address: align the stack as the AAPCS wants, clear the
    // frame pointer and call the runtime. `program_start` never returns.
    "bic sp, sp, #7",
    "mov r11, #0",
    "bl {start}",
    "udf #0",
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
    ".arm",
    "_start:",
    // No stack on entry: point sp at the top of ours (16-byte aligned) and call the runtime with the bootinfo
    // pointer still in r0. `start` never returns.
    "ldr sp, ={stack} + {size}",
    "mov r11, #0",
    "bl {start}",
    "udf #0",
    stack = sym STACK,
    size = const STACK_SIZE,
    start = sym super::super::start,
);
