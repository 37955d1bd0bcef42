//! Faults of threads delivered to a supervisor as typed values: VM faults with their address and access
//! kind, an undefined instruction (`ud2` on x86_64, `udf` on aarch32), an unknown syscall; resuming a thread after fixing the cause, restarting one from
//! its initial state, killing one. The root task goes on through all of them.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::sys;
use selkie::typenum::{U100, U11, U4, U5};
use selkie::{
    Badge, CNodeSlots, Cap, Endpoint, Fault, Lent, Local, Notification, Priority, Runtime, StaticStack, Supervisor,
    Tcb, Thread, ThreadEnv, UntypedAllocator, VmAccess,
};
use support::{expect_eq, expect_word, Fail};

selkie::test_main!();

type Mine<'s, T> = Cap<T, Local<Lent<'s>>>;

/// An address no mapping of the root task covers (3 GiB: above its free range, below aarch32's kernel window;
/// the image is at 4 MiB or 64 KiB). Below 4 GiB on purpose: this kernel reports VM fault addresses in 32 bits.
const UNMAPPED: sys::Word = 0xc000_0000;

/// A TCB and a join notification from the lent pools.
fn part<'s>(
    untyped: &mut UntypedAllocator<Lent<'s>>,
    slots: &mut CNodeSlots<Runtime, Local<Lent<'s>>>,
) -> Result<(Mine<'s, Tcb>, Mine<'s, Notification>), Fail> {
    let tcb = untyped.alloc::<U11>()?.retype(slots.alloc()?)?;
    let join = untyped.alloc::<U5>()?.retype(slots.alloc()?)?;
    Ok((tcb, join))
}

/// A supervisor on a new endpoint.
fn supervisor<'s>(res: &mut Resources<Lent<'s>>) -> Result<Supervisor<Local<Lent<'s>>>, Fail> {
    let ep: Mine<'s, Endpoint> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
    Ok(Supervisor::new(ep))
}

fn expect_true(what: &'static str, ok: bool) -> Result<(), Fail> {
    expect_eq(what, 1, ok as u64)
}

// ---- VM faults: read and write ----

static STACK_READ: StaticStack<8192> = StaticStack::new();
static STACK_WRITE: StaticStack<8192> = StaticStack::new();

fn read_unmapped(addr: sys::Word) {
    // SAFETY: none: the read faults on purpose, and the supervisor kills the thread there.
    let _ = unsafe { core::ptr::read_volatile(addr as usize as *const usize) };
}

fn write_unmapped(addr: sys::Word) {
    // SAFETY: none: the write faults on purpose, and the supervisor kills the thread there.
    unsafe { core::ptr::write_volatile(addr as usize as *mut usize, 1) };
}

#[selkie::test]
fn vm_faults_reach_the_supervisor_with_address_and_access(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mut sup = supervisor(res)?;
        let ep_r = sup.fault_endpoint_for(&res.cspace, res.slots.alloc()?, Badge::new(11)?)?;
        let ep_w = sup.fault_endpoint_for(&res.cspace, res.slots.alloc()?, Badge::new(22)?)?;
        let env_r = ThreadEnv::new(&res.cspace, &res.vspace).with_fault_endpoint(&ep_r);
        let env_w = ThreadEnv::new(&res.cspace, &res.vspace).with_fault_endpoint(&ep_w);
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let reader = Thread::spawn(
            &env_r,
            tcb,
            STACK_READ.take()?,
            read_unmapped,
            UNMAPPED + 8,
            Priority::of::<U100>(),
            join,
        )?;
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let writer = Thread::spawn(
            &env_w,
            tcb,
            STACK_WRITE.take()?,
            write_unmapped,
            UNMAPPED + 0x10,
            Priority::of::<U100>(),
            join,
        )?;

        let reader = reader.start()?;
        let f = sup.wait();
        expect_word("badge of the reader's fault", 11, f.badge.value())?;
        match f.fault {
            Fault::VmFault {
                address,
                access,
                present,
                ..
            } => {
                expect_word("read fault address", UNMAPPED + 8, address)?;
                expect_true("read fault is a read", access == VmAccess::Read)?;
                expect_true("nothing was mapped", !present)?;
            }
            _ => return Err(Fail::Missing("a VM fault for the read")),
        }
        f.kill(reader.tcb())?;

        let writer = writer.start()?;
        let f = sup.wait();
        expect_word("badge of the writer's fault", 22, f.badge.value())?;
        match f.fault {
            Fault::VmFault {
                address,
                access,
                present,
                ..
            } => {
                expect_word("write fault address", UNMAPPED + 0x10, address)?;
                expect_true("write fault is a write", access == VmAccess::Write)?;
                expect_true("nothing was mapped", !present)?;
            }
            _ => return Err(Fail::Missing("a VM fault for the write")),
        }
        f.kill(writer.tcb())?;
        // Both threads are stopped for good; the root task goes on.
        let _ = (reader, writer);
        Ok(())
    })
}

// ---- invalid opcode and unknown syscall ----

static STACK_UD2: StaticStack<8192> = StaticStack::new();
static STACK_SYSCALL: StaticStack<8192> = StaticStack::new();

fn invalid_opcode(_: ()) {
    // SAFETY: none: the instruction faults on purpose and the supervisor kills the thread.
    unsafe { arch::selkie_test_undefined() }
}

#[selkie::test]
fn invalid_opcode_and_unknown_syscall_are_decoded(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mut sup = supervisor(res)?;
        let ep = sup.fault_endpoint_for(&res.cspace, res.slots.alloc()?, Badge::new(5)?)?;
        let env = ThreadEnv::new(&res.cspace, &res.vspace).with_fault_endpoint(&ep);
        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let t = Thread::spawn(
            &env,
            tcb,
            STACK_UD2.take()?,
            invalid_opcode,
            (),
            Priority::of::<U100>(),
            join,
        )?
        .start()?;
        let f = sup.wait();
        match f.fault {
            Fault::UserException { vector, ip, .. } => {
                expect_word(
                    "exception vector (undefined instruction)",
                    arch::UNDEFINED_VECTOR,
                    vector,
                )?;
                expect_word(
                    "faulting instruction",
                    arch::selkie_test_undefined as *const () as usize as sys::Word,
                    ip,
                )?;
            }
            _ => return Err(Fail::Missing("a user exception")),
        }
        f.kill(t.tcb())?;

        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let t = Thread::spawn(
            &env,
            tcb,
            STACK_SYSCALL.take()?,
            arch::unknown_syscall,
            42,
            Priority::of::<U100>(),
            join,
        )?
        .start()?;
        let f = sup.wait();
        expect_word("badge", 5, f.badge.value())?;
        match f.fault {
            Fault::UnknownSyscall { number, registers, .. } => {
                expect_word("syscall number", 42, number)?;
                let (first, second) = arch::marked_registers(&registers);
                expect_word("first marked register at the call", 0xfeed, first)?;
                expect_word("second marked register at the call", 0x1212, second)?;
            }
            _ => return Err(Fail::Missing("an unknown-syscall fault")),
        }
        f.kill(t.tcb())?;
        Ok(())
    })
}

// ---- resume after fixing the cause; restart from the initial state ----

static STACK_FIX: StaticStack<8192> = StaticStack::new();
static STACK_RESTART: StaticStack<8192> = StaticStack::new();
static TARGET: AtomicUsize = AtomicUsize::new(0);
static RUNS: AtomicU64 = AtomicU64::new(0);
static FINISHED: AtomicU64 = AtomicU64::new(0);

/// Stores `0x77` through the address register (RAX, R0) = `addr`; the supervisor points it somewhere valid and
/// resumes.
fn store_through_register(addr: sys::Word) {
    arch::store_through_register(addr);
    FINISHED.fetch_add(1, SeqCst);
}

/// Faults on its first run only, then finishes.
fn fault_first_time(addr: sys::Word) {
    if RUNS.fetch_add(1, SeqCst) == 0 {
        write_unmapped(addr);
    }
    FINISHED.fetch_add(10, SeqCst);
}

#[selkie::test]
fn a_supervisor_resumes_a_fixed_thread_and_restarts_another(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mut sup = supervisor(res)?;
        let ep = sup.fault_endpoint_for(&res.cspace, res.slots.alloc()?, Badge::new(1)?)?;
        let env = ThreadEnv::new(&res.cspace, &res.vspace).with_fault_endpoint(&ep);

        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let t = Thread::spawn(
            &env,
            tcb,
            STACK_FIX.take()?,
            store_through_register,
            UNMAPPED,
            Priority::of::<U100>(),
            join,
        )?
        .start()?;
        let f = sup.wait();
        expect_true(
            "a write fault",
            matches!(
                f.fault,
                Fault::VmFault {
                    address: UNMAPPED,
                    access: VmAccess::Write,
                    ..
                }
            ),
        )?;
        let mut regs = t.tcb().read_registers(false)?;
        expect_word(
            "the address register holds the bad address",
            UNMAPPED,
            *arch::address_register(&mut regs),
        )?;
        *arch::address_register(&mut regs) = TARGET.as_ptr() as usize as sys::Word;
        t.tcb().write_registers(&regs, false)?;
        f.resume();
        let _ = t.join()?;
        expect_eq("value stored after the fix", 0x77, TARGET.load(SeqCst) as u64)?;
        expect_eq("thread finished once", 1, FINISHED.load(SeqCst))?;

        let (tcb, join) = part(&mut res.untyped, &mut res.slots)?;
        let t = Thread::spawn(
            &env,
            tcb,
            STACK_RESTART.take()?,
            fault_first_time,
            UNMAPPED,
            Priority::of::<U100>(),
            join,
        )?
        .start()?;
        let f = sup.wait();
        expect_true(
            "a write fault",
            matches!(
                f.fault,
                Fault::VmFault {
                    access: VmAccess::Write,
                    ..
                }
            ),
        )?;
        f.restart(t.tcb(), &t.initial_context())?;
        let _ = t.join()?;
        expect_eq("runs (the faulted one and the restart)", 2, RUNS.load(SeqCst))?;
        expect_eq("finished after the restart", 11, FINISHED.load(SeqCst))?;
        Ok(())
    })
}

/// The instructions and registers the faults above are made with and seen in, on x86_64.
#[cfg(target_arch = "x86_64")]
mod arch {
    use selkie::{sys, SyscallRegisters, UserContext};

    core::arch::global_asm!(
        ".global selkie_test_undefined",
        "selkie_test_undefined:",
        "ud2",
        "jmp selkie_test_undefined"
    );

    extern "C" {
        /// `ud2`, the invalid opcode.
        pub fn selkie_test_undefined() -> !;
    }

    /// The exception vector of an invalid opcode.
    pub const UNDEFINED_VECTOR: sys::Word = 6;

    /// Makes system call `number`, which the kernel does not have, with RDI = 0xfeed and R12 = 0x1212.
    pub fn unknown_syscall(number: sys::Word) {
        // SAFETY: a syscall the kernel does not have: it faults, and the supervisor kills the thread. RCX and
        // R11 are clobbered by `syscall`; RBX is not touched.
        unsafe {
            core::arch::asm!(
                "syscall",
                "2: jmp 2b",
                in("rdx") number,
                in("rdi") 0xfeed_u64,
                in("r12") 0x1212_u64,
                options(noreturn)
            )
        }
    }

    /// The two registers [`unknown_syscall`] marks, as the fault reports them.
    pub fn marked_registers(r: &SyscallRegisters) -> (sys::Word, sys::Word) {
        (r.rdi, r.r12)
    }

    /// Stores `0x77` through RAX = `addr`.
    pub fn store_through_register(addr: sys::Word) {
        // SAFETY: the first attempt faults on purpose; the supervisor then makes RAX point at `TARGET`, a live
        // atomic, before the store is re-executed.
        unsafe { core::arch::asm!("mov qword ptr [rax], rcx", in("rax") addr, in("rcx") 0x77_u64, options(nostack)) };
    }

    /// The register [`store_through_register`] stores through.
    pub fn address_register(regs: &mut UserContext) -> &mut sys::Word {
        &mut regs.rax
    }
}

/// The instructions and registers the faults above are made with and seen in, on aarch32.
#[cfg(target_arch = "arm")]
mod arch {
    use selkie::{sys, SyscallRegisters, UserContext};

    core::arch::global_asm!(
        ".global selkie_test_undefined",
        "selkie_test_undefined:",
        "udf #0",
        "b selkie_test_undefined"
    );

    extern "C" {
        /// `udf`, the permanently undefined instruction.
        pub fn selkie_test_undefined() -> !;
    }

    /// The exception number the kernel reports for an undefined instruction (its only user-level exception
    /// on ARM).
    pub const UNDEFINED_VECTOR: sys::Word = 0;

    /// Makes system call `number`, which the kernel does not have, with R0 = 0xfeed and R4 = 0x1212.
    pub fn unknown_syscall(number: sys::Word) {
        // SAFETY: a syscall the kernel does not have: it faults, and the supervisor kills the thread. The
        // kernel saves every register; nothing here touches memory.
        unsafe {
            core::arch::asm!(
                "swi 0",
                "2: b 2b",
                in("r7") number,
                in("r0") 0xfeed_u32,
                in("r4") 0x1212_u32,
                options(noreturn)
            )
        }
    }

    /// The two registers [`unknown_syscall`] marks, as the fault reports them.
    pub fn marked_registers(r: &SyscallRegisters) -> (sys::Word, sys::Word) {
        (r.r0, r.r4)
    }

    /// Stores `0x77` through R0 = `addr`.
    pub fn store_through_register(addr: sys::Word) {
        // SAFETY: the first attempt faults on purpose; the supervisor then makes R0 point at `TARGET`, a live
        // atomic, before the store is re-executed.
        unsafe { core::arch::asm!("str r1, [r0]", in("r0") addr, in("r1") 0x77_u32, options(nostack)) };
    }

    /// The register [`store_through_register`] stores through.
    pub fn address_register(regs: &mut UserContext) -> &mut sys::Word {
        &mut regs.r0
    }
}
