//! A channel set up for threads of the root task (`Threads`) keeps its ends there: giving one to a child
//! process does not compile.
use selkie::channel::{Buffered, Responder};
use selkie::process::{ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources};
use selkie::typenum::{U18, U64, U8};
use selkie::Local;

selkie::child_brand!(Server);

#[derive(Clone, Copy)]
#[repr(C)]
struct Ping(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Ping {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ping {}
selkie::message!(Ping: U8 = 1);

/// A responder end of the root task's own (owner `ThisProcess`, the default).
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct ServerSide {
    clients: Responder<Ping, Ping, Buffered, Local>,
}

fn serve(_: ServerSide) {}

fn demo(
    kit: &ProcessKit,
    brand: ProcessBrand<Server>,
    res: ProcessResources<U18, U64, Local>,
    image: &selkie::process::RootImage,
    ends: ServerSide,
    config: ProcessConfig,
) {
    let code = ImageFunction::new(image, serve);
    let _ = Process::new(kit, brand, res, &code, ends, config);
}

fn main() {}
