//! A separately built program takes parameters of one type (the one its `main` reads): building its process
//! with another does not compile.
use selkie::elf::ElfProgram;
use selkie::process::{Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources};
use selkie::typenum::{U18, U64};
use selkie::Local;

selkie::child_brand!(Worker);

#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Count {
    n: u64,
}

#[derive(selkie::ProcessParams)]
#[repr(C)]
struct Other {
    flag: bool,
}

fn demo(
    kit: &ProcessKit,
    brand: ProcessBrand<Worker>,
    res: ProcessResources<U18, U64, Local>,
    code: &ElfProgram<Count>,
    config: ProcessConfig,
) {
    let _ = Process::new(kit, brand, res, code, Other { flag: true }, config);
}

fn main() {}
