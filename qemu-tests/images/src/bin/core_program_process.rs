//! Separately built programs as processes, and how a child's end reaches its supervisor: the `child`
//! program (qemu-tests/images/programs/child, built and embedded by the images' build script) runs in its
//! own address space and CSpace with typed parameters (a capability and plain numbers), reports a value
//! computed from them, and its exit arrives at the supervisor; writing its own read-only text is a VM fault
//! there; its panic, and the panic of a function of the image running as a child, arrive as
//! `Fault::Panicked` with the child's badge, and the root task goes on.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

#[path = "../../programs/child/src/params.rs"]
mod child_params;

use selkie::bootstrap::{BootInfo, Resources};
use selkie::elf::{ElfImage, ElfProgram};
use selkie::process::{
    ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources, RootImage, FIRST_PARAM_SLOT,
};
use selkie::sys;
use selkie::sys::Word;
use selkie::typenum::{U100, U18, U4, U5, U64};
use selkie::{Badge, Cap, Endpoint, Fault, Lent, Local, Priority, Supervisor, VmAccess};
use support::{expect_eq, expect_word, wide, Fail};

selkie::test_main!();

selkie::child_brand!(Reporter, TextWriter, Panicker, PanickingFunction, Server);

/// The `child` program's executable, built for the bare-metal target by build.rs.
static CHILD: &[u8] = include_bytes!(env!("SELKIE_PROGRAM_CHILD"));

type Res<'s> = ProcessResources<U18, U64, selkie::Borrowed<Lent<'s>>, Lent<'s>>;

/// Memory and slots for one process.
fn resources<'s>(res: &mut Resources<Lent<'s>>) -> Result<Res<'s>, Fail> {
    Ok(ProcessResources::new(
        res.untyped.alloc::<U18>()?,
        res.slots.alloc::<U64>()?,
    ))
}

fn config(badge: Word) -> Result<ProcessConfig, Fail> {
    Ok(ProcessConfig {
        priority: Priority::of::<U100>(),
        badge: Badge::new(badge)?,
    })
}

/// The supervisor and the process kit.
fn setup<'s>(res: &mut Resources<Lent<'s>>) -> Result<(Supervisor<Local<Lent<'s>>>, ProcessKit<Lent<'s>>), Fail> {
    let ep = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let sup = Supervisor::new(ep);
    let kit = ProcessKit::new(res, &sup)?;
    Ok((sup, kit))
}

/// An endpoint for the program's reports, and a copy of it for the program's parameters.
#[allow(clippy::type_complexity)]
fn report_endpoint<'s>(
    res: &mut Resources<Lent<'s>>,
) -> Result<(Cap<Endpoint, Local<Lent<'s>>>, Cap<Endpoint, Local<Lent<'s>>>), Fail> {
    let ep: Cap<Endpoint, _> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
    let theirs = ep.copy(&res.cspace, res.slots.alloc()?)?;
    Ok((ep, theirs))
}

/// Receives one report of the program: checks its label and length, returns its four words.
fn receive_report(ep: &Cap<Endpoint, impl selkie::Invocable>) -> Result<[Word; 4], Fail> {
    // SAFETY: a register-only receive on an endpoint the root task owns.
    let (info, _badge, mrs) = unsafe { sys::recv_with_mrs(ep.cptr()) };
    expect_word("report label", child_params::REPORT_LABEL, info.label())?;
    expect_word("report length", 4, info.length())?;
    Ok(mrs)
}

/// Fails the test with what arrived instead of `what`.
fn unexpected(what: &'static str, f: &Fault) -> Fail {
    selkie::println!("expected {what}, got {f:?}");
    Fail::Missing(what)
}

#[selkie::test]
fn a_separately_built_program_runs_as_a_process_with_typed_parameters(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let (mut sup, kit) = setup(res)?;
        let (ep, theirs) = report_endpoint(res)?;
        let code = ElfProgram::<child_params::Params>::new(CHILD)?;
        let params = child_params::Params {
            report: theirs,
            a: 6,
            b: 7,
            mode: child_params::REPORT,
        };
        let p = Process::new(
            &kit,
            ProcessBrand::<Reporter>::take()?,
            resources(res)?,
            &code,
            params,
            config(21)?,
        )?;
        let p = p.start()?;
        let [value, bss_zero, greeting, cptr] = receive_report(&ep)?;
        // a * b + .data's 41 + its 42 after the increment + a bss word written and read back (7).
        expect_word(
            "value computed from the parameters, .data and .bss",
            6 * 7 + 41 + 42 + 7,
            value,
        )?;
        expect_word("bss was zero", 1, bss_zero)?;
        let sum: u64 = b"hello from a child program".iter().map(|&b| b as u64).sum();
        expect_eq("read-only data", sum, wide(greeting))?;
        // The endpoint arrived in the program's own CSpace, in its first parameter slot (the root task's copy
        // sits elsewhere in the root task's CSpace).
        expect_word("the capability's slot in the program's CSpace", FIRST_PARAM_SLOT, cptr)?;
        let exit = sup.wait();
        expect_word("exit badge", 21, exit.badge.value())?;
        if exit.fault != (Fault::Exited { code: 0 }) {
            return Err(unexpected("the program's exit", &exit.fault));
        }
        let _ = p.kill(exit);
        Ok(())
    })
}

#[selkie::test]
fn a_program_writing_its_own_text_faults_to_the_supervisor(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let (mut sup, kit) = setup(res)?;
        let (ep, theirs) = report_endpoint(res)?;
        let code = ElfProgram::<child_params::Params>::new(CHILD)?;
        let params = child_params::Params {
            report: theirs,
            a: 0,
            b: 0,
            mode: child_params::WRITE_TEXT,
        };
        let p = Process::new(
            &kit,
            ProcessBrand::<TextWriter>::take()?,
            resources(res)?,
            &code,
            params,
            config(22)?,
        )?;
        let p = p.start()?;
        let [text, ..] = receive_report(&ep)?;
        let image = ElfImage::parse(CHILD).map_err(|e| Fail::Selkie(e.into()))?;
        let in_text = image
            .segments()
            .iter()
            .any(|s| s.executable && s.vaddr <= wide(text) && wide(text) < s.vaddr + s.mem_size);
        expect_eq(
            "the written address is in the program's text segment",
            1,
            in_text as u64,
        )?;
        let f = sup.wait();
        expect_word("fault badge", 22, f.badge.value())?;
        match f.fault {
            Fault::VmFault {
                address,
                access,
                present,
                ..
            } => {
                // This kernel reports the low 32 bits of the address.
                expect_eq("fault address", wide(text) & 0xffff_ffff, wide(address))?;
                expect_eq("a write", VmAccess::Write as u64, access as u64)?;
                expect_eq("to a present (read-only) page", 1, present as u64)?;
            }
            ref other => return Err(unexpected("a VM fault", other)),
        }
        let _ = p.kill(f);
        Ok(())
    })
}

/// What a function child is given.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Code {
    code: Word,
}

/// The line of `boom`'s panic (two lines down).
const BOOM_LINE: Word = line!() as Word + 2;
fn boom(_: Code) {
    panic!("a function child panics on purpose");
}

fn exit_with(c: Code) {
    selkie::rt::child::exit_child(c.code)
}

/// A child that never returns: it loops, then ends itself with an exit code computed from its parameter.
fn serve(c: Code) -> ! {
    let mut rounds = 0;
    loop {
        rounds += 1;
        if rounds == c.code {
            selkie::rt::child::exit_child(rounds * 2)
        }
        // SAFETY: yielding has no memory effects.
        unsafe { sys::yield_() };
    }
}

#[selkie::test]
fn a_panicking_program_is_reported_with_its_badge_and_the_root_task_goes_on(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit) = setup(res)?;
        let (ep, theirs) = report_endpoint(res)?;
        let code = ElfProgram::<child_params::Params>::new(CHILD)?;
        let params = child_params::Params {
            report: theirs,
            a: 0,
            b: 0,
            mode: child_params::PANIC,
        };
        let p = Process::new(
            &kit,
            ProcessBrand::<Panicker>::take()?,
            resources(res)?,
            &code,
            params,
            config(23)?,
        )?;
        let p = p.start()?;
        let [line, ..] = receive_report(&ep)?;
        let f = sup.wait();
        expect_word("panic badge", 23, f.badge.value())?;
        if f.fault != (Fault::Panicked { line }) {
            return Err(unexpected("the program's panic at the line it reported", &f.fault));
        }
        // The root task goes on: the same memory and slots run a function child that exits with a code.
        let torn = p.kill(f);
        let code = ImageFunction::new(&image, exit_with);
        let brand = ProcessBrand::<PanickingFunction>::take()?;
        let p = Process::new(&kit, brand, torn.resources, &code, Code { code: 77 }, config(24)?)?;
        let p = p.start()?;
        let exit = sup.wait();
        expect_word("exit badge", 24, exit.badge.value())?;
        if exit.fault != (Fault::Exited { code: 77 }) {
            return Err(unexpected("exit code 77", &exit.fault));
        }
        let _ = p.kill(exit);
        Ok(())
    })
}

#[selkie::test]
fn a_panicking_function_child_is_reported_with_its_badge_and_the_root_task_goes_on(
    boot: &mut BootInfo,
) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit) = setup(res)?;
        let code = ImageFunction::new(&image, boom);
        let p = Process::new(
            &kit,
            ProcessBrand::<PanickingFunction>::take()?,
            resources(res)?,
            &code,
            Code { code: 0 },
            config(25)?,
        )?;
        let p = p.start()?;
        let f = sup.wait();
        expect_word("panic badge", 25, f.badge.value())?;
        if f.fault != (Fault::Panicked { line: BOOM_LINE }) {
            return Err(unexpected("the function's panic at its line", &f.fault));
        }
        // The same memory runs the next child, which exits normally.
        let torn = p.kill(f);
        let code = ImageFunction::new(&image, exit_with);
        let p = Process::new(&kit, torn.brand, torn.resources, &code, Code { code: 5 }, config(26)?)?;
        let p = p.start()?;
        let exit = sup.wait();
        expect_word("exit badge", 26, exit.badge.value())?;
        if exit.fault != (Fault::Exited { code: 5 }) {
            return Err(unexpected("exit code 5", &exit.fault));
        }
        let _ = p.kill(exit);
        Ok(())
    })
}

#[selkie::test]
fn a_function_child_that_never_returns_runs_and_ends_with_its_exit_code(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit) = setup(res)?;
        let code = ImageFunction::never_returns(&image, serve);
        let p = Process::new(
            &kit,
            ProcessBrand::<Server>::take()?,
            resources(res)?,
            &code,
            Code { code: 9 },
            config(27)?,
        )?;
        let p = p.start()?;
        let exit = sup.wait();
        expect_word("exit badge", 27, exit.badge.value())?;
        if exit.fault != (Fault::Exited { code: 18 }) {
            return Err(unexpected("exit code 18 (9 rounds, doubled)", &exit.fault));
        }
        let _ = p.kill(exit);
        Ok(())
    })
}
