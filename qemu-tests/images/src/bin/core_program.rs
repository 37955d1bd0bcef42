//! Issue 8, processes item 2, on the real kernel: a separately built program (qemu-tests/images/programs/report,
//! built and embedded by the images' build script) is loaded from its ELF segments into a fresh address space
//! and runs as a child thread there; it reports back values that show its data was copied, its bss zeroed,
//! its read-only data present and its stack and parameters where the parent put them. A malformed image is
//! refused with the reason, and nothing is mapped.
//!
//! The child's thread is made with raw TCB calls and uses the root task's CSpace (the typed `Process` API
//! lands separately); what is tested here is the loading. The same test runs on x86_64 (an ELF64 x86_64
//! program) and aarch32 (an ELF32 ARM program): each architecture's build embeds the program built for it.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use selkie::bootstrap::{BootInfo, Resources};
use selkie::elf::{load_elf_segments, ElfError, ElfImage, LoadError, SegmentRights};
use selkie::sys;
use selkie::sys::Word;
use selkie::typenum::{U14, U15, U4, U6};
use selkie::{Cap, Endpoint, KernelObject, Local, Other, Region, Scope, Tcb, TcbBits, VSpace, VSpaceRoot};
use support::{expect_eq, expect_word, wide, Fail};

selkie::test_main!();

/// The program's executable, built for the bare-metal target by build.rs.
static REPORT: &[u8] = include_bytes!(env!("SELKIE_PROGRAM_REPORT"));

/// The program's parameters (the same layout as the program's own `Params`: two machine words).
#[repr(C)]
struct Params {
    endpoint: sys::CPtr,
    seed: usize,
}

/// Where the child's stack (16 KiB) goes in its address space; its parameters sit at the top.
const STACK_BASE: Word = 0x2000_0000;
const STACK_SIZE: Word = 16 * 1024;
const PARAMS_AT: Word = STACK_BASE + STACK_SIZE - 64;
/// A machine word's size in bytes.
const WORD: usize = core::mem::size_of::<Word>();

fn load_error(e: LoadError) -> Fail {
    match e {
        LoadError::Map(e) => Fail::Selkie(e),
        LoadError::Elf(e) => {
            selkie::println!("{e}");
            Fail::Succeeded("loading refused the program")
        }
    }
}

/// A fresh address space with an ASID from the root task's pool.
fn fresh_vspace<S: Scope>(res: &mut Resources<S>) -> Result<VSpace<Other, S>, Fail> {
    let mem = res.untyped.alloc::<<VSpaceRoot as KernelObject>::SizeBits>()?;
    let root: Cap<VSpaceRoot, Local<S>> = mem.retype(res.slots.alloc()?)?;
    Ok(VSpace::new(root, &res.asid_pool)?)
}

#[selkie::test]
fn the_embedded_program_has_text_data_and_bss_with_their_rights() -> Result<(), Fail> {
    let img = ElfImage::parse(REPORT).map_err(|e| load_error(LoadError::Elf(e)))?;
    let text = img.segments().iter().filter(|s| s.executable).count() as u64;
    expect_eq("executable segments", 1, text)?;
    // Text (R X) maps read-only; the linker script gives read-only data (R) and data (RW) their own segments.
    for s in img.segments().iter().filter(|s| s.executable) {
        expect_eq("text is read-only", SegmentRights::ReadOnly as u64, s.rights as u64)?;
    }
    let read_only = img
        .segments()
        .iter()
        .filter(|s| s.rights == SegmentRights::ReadOnly)
        .count();
    expect_eq("read-only segments (text, rodata)", 2, read_only as u64)?;
    let bss = img
        .segments()
        .iter()
        .any(|s| s.mem_size > s.file_size && s.rights == SegmentRights::ReadWrite);
    expect_eq("a writable segment with bss", 1, bss as u64)?;
    Ok(())
}

#[selkie::test]
fn a_separately_built_program_runs_as_a_child_and_reports(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mut child = fresh_vspace(res)?;
        let loaded = load_elf_segments(
            REPORT,
            &mut child,
            &mut res.root_vspace,
            &mut res.untyped,
            &mut res.slots,
        )
        .map_err(load_error)?;
        let img = ElfImage::parse(REPORT).map_err(|e| load_error(LoadError::Elf(e)))?;
        expect_eq("entry point from the ELF header", img.entry(), loaded.entry)?;
        expect_eq("pages mapped", img.page_count(), loaded.pages)?;
        expect_eq("mappings in the child", img.page_count(), child.mapping_count() as u64)?;

        // The report endpoint, the stack with the parameters on top.
        let ep: Cap<Endpoint, _> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
        let stack = Region::new(res.untyped.alloc::<U14>()?, res.slots.alloc::<U4>()?)?;
        let params = Params {
            endpoint: ep.cptr(),
            seed: 1000,
        };
        let (stack, (), _left) =
            res.root_vspace
                .fill(stack, res.untyped.alloc::<U15>()?, res.slots.alloc::<U6>()?, |mem| {
                    let at = (PARAMS_AT - STACK_BASE) as usize;
                    mem[at..at + WORD].copy_from_slice(&params.endpoint.to_ne_bytes());
                    mem[at + WORD..at + 2 * WORD].copy_from_slice(&params.seed.to_ne_bytes());
                })?;
        let (_stack, _left) = child.map(stack, STACK_BASE, res.untyped.alloc::<U15>()?, res.slots.alloc::<U6>()?)?;

        // A thread in the child's address space (the root task's CSpace), started at the ELF's entry.
        let tcb: Cap<Tcb, _> = res.untyped.alloc::<TcbBits>()?.retype(res.slots.alloc()?)?;
        // The stack ends where the parameters start; their address is the first argument.
        let regs = selkie::entry_context(loaded.entry as usize, PARAMS_AT as usize, [PARAMS_AT, 0, 0, 0]);
        let words = (core::mem::size_of::<sys::UserContext>() / WORD) as Word;
        // SAFETY: the new thread runs in its own address space, touching none of the root task's memory; it
        // may use the root task's CSpace, and only sends on the endpoint made above.
        unsafe {
            sys::tcb_configure(
                tcb.cptr(),
                0,
                (254 << 8) | 254,
                res.cspace.cptr(),
                0,
                child.root().cptr(),
                0,
                0,
                sys::CAP_NULL,
            )
            .map_err(|code| Fail::Raw("seL4_TCB_Configure", code))?;
            // The whole context, as the architecture's entry convention sets it.
            sys::tcb_write_registers(tcb.cptr(), true, 0, words, &regs)
                .map_err(|code| Fail::Raw("seL4_TCB_WriteRegisters", code))?;
        }
        // SAFETY: a register-only receive on an endpoint the root task owns.
        let (info, _badge, mrs) = unsafe { sys::recv_with_mrs(ep.cptr()) };
        expect_word("report label", 0x5e1, info.label())?;
        expect_word("report length", 4, info.length())?;
        // seed 1000 + .data's 41 + its 42 after the increment + a bss word written and read back (7).
        expect_eq(
            "value computed from .data, .bss and the parameters",
            1000 + 41 + 42 + 7,
            wide(mrs[0]),
        )?;
        expect_word("bss was zero", 1, mrs[1])?;
        let greeting: u64 = b"hello from a separately built program".iter().map(|&b| b as u64).sum();
        expect_eq("read-only data", greeting, wide(mrs[2]))?;
        expect_eq(
            "the child's stack is the one mapped for it",
            1,
            (STACK_BASE..PARAMS_AT).contains(&mrs[3]) as u64,
        )?;
        // SAFETY: the child has reported and stops at its undefined instruction; suspending it changes no
        // memory of ours.
        let _ = unsafe { sys::tcb_suspend(tcb.cptr()) };
        Ok(())
    })
}

/// The embedded program is an executable of this architecture (a 64-bit ELF file on x86_64, a 32-bit one on
/// aarch32); the same file claiming the other architecture's machine is refused, with the number it claims.
#[selkie::test]
fn a_program_for_another_machine_is_refused_with_its_machine_number() -> Result<(), Fail> {
    const EM_ARM: u16 = 40;
    const EM_X86_64: u16 = 62;
    let class = if WORD == 4 { 1 } else { 2 };
    expect_eq(
        "the program's ELF class (1: 32-bit, 2: 64-bit)",
        class,
        REPORT[4] as u64,
    )?;
    let mut head = [0u8; 4096];
    let n = head.len().min(REPORT.len());
    head[..n].copy_from_slice(&REPORT[..n]);
    let other = if WORD == 4 { EM_X86_64 } else { EM_ARM };
    head[18..20].copy_from_slice(&other.to_le_bytes());
    // The copy ends before the section headers: the header says there are none (`e_shoff`, one word after
    // `e_entry` and `e_phoff` from byte 24, and `e_shnum`, 12 bytes after the three words).
    head[24 + 2 * WORD..24 + 3 * WORD].fill(0);
    head[36 + 3 * WORD..38 + 3 * WORD].fill(0);
    match ElfImage::parse(&head[..n]) {
        Err(ElfError::WrongKind { machine, kind }) => {
            expect_eq("the machine the file claims", other as u64, machine as u64)?;
            expect_eq("a static executable", 2, kind as u64)
        }
        Err(e) => {
            selkie::println!("unexpected: {e}");
            Err(Fail::Succeeded("a different error"))
        }
        Ok(_) => Err(Fail::Succeeded("parsing a program for another machine")),
    }
}

#[selkie::test]
fn a_malformed_program_is_refused_with_its_reason_and_nothing_is_mapped(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mut child = fresh_vspace(res)?;
        let slots_before = res.slots.len() as u64;
        let cut = &REPORT[..REPORT.len().min(200)];
        match load_elf_segments(cut, &mut child, &mut res.root_vspace, &mut res.untyped, &mut res.slots) {
            Err(LoadError::Elf(ElfError::SegmentOutsideFile { .. } | ElfError::Truncated { .. })) => {}
            Err(e) => {
                selkie::println!("unexpected: {e}");
                return Err(Fail::Succeeded("a different error"));
            }
            Ok(_) => return Err(Fail::Succeeded("loading a truncated program")),
        }
        expect_eq("mappings in the child", 0, child.mapping_count() as u64)?;
        expect_eq("slots used", slots_before, res.slots.len() as u64)?;
        Ok(())
    })
}
