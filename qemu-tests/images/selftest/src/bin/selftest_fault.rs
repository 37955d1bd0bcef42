//! A test that faults (an invalid instruction) after printing half a line. The kernel's fault report must
//! still be recognised: the test is unfinished because of the fault, the next one not run.
#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn passes() {}

#[selkie::test]
fn faults() {
    selkie::print!("half a line before the fault: ");
    arch::undefined_instruction();
    selkie::println!("still running after the undefined instruction");
}

/// The architecture's permanently undefined instruction.
#[cfg(target_arch = "x86_64")]
mod arch {
    /// Executes `ud2`.
    pub fn undefined_instruction() {
        // SAFETY: `ud2` raises an invalid-opcode exception, which the kernel reports as a user exception
        // fault; it touches no memory and no register. With no fault handler the kernel stops this thread here.
        unsafe { core::arch::asm!("ud2") };
    }
}

/// The architecture's permanently undefined instruction.
#[cfg(target_arch = "arm")]
mod arch {
    /// Executes `udf #0`.
    pub fn undefined_instruction() {
        // SAFETY: `udf` raises an undefined-instruction exception, which the kernel reports as a user
        // exception fault; it touches no memory and no register. With no fault handler the kernel stops this
        // thread here.
        unsafe { core::arch::asm!("udf #0") };
    }
}

#[selkie::test]
fn after_the_fault() {}
