//! A capability of the caller's (`Local`) is only valid in the caller's CSpace: giving it to a child as its
//! parameters without the conversion a `ProcessParams` struct makes does not compile.
use selkie::process::{ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources};
use selkie::typenum::{U18, U64};
use selkie::{Cap, Endpoint, Local};

selkie::child_brand!(Worker);

fn work(_: Cap<Endpoint>) {}

fn demo(
    kit: &ProcessKit,
    brand: ProcessBrand<Worker>,
    res: ProcessResources<U18, U64, Local>,
    code: &ImageFunction<Cap<Endpoint>>,
    ep: Cap<Endpoint>,
    config: ProcessConfig,
) {
    let _ = Process::new(kit, brand, res, code, ep, config);
}

fn main() {}
