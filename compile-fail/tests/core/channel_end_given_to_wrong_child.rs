//! A channel set up between two children gives its caller end only to the client: handing the client's end to
//! the server process does not compile.
use selkie::channel::{Between, Buffered, Caller};
use selkie::process::{ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources};
use selkie::typenum::{U18, U64, U8};
use selkie::Local;

selkie::child_brand!(Client, Server);

#[derive(Clone, Copy)]
#[repr(C)]
struct Ping(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Ping {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ping {}
selkie::message!(Ping: U8 = 1);

/// The client's parameters: the caller end of a channel set up for `Client`.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct ClientSide {
    server: Caller<Ping, Ping, Buffered, Local, Client>,
}

fn client(_: ClientSide) {}

fn demo(
    kit: &ProcessKit,
    brand: ProcessBrand<Server>,
    res: ProcessResources<U18, U64, Local>,
    image: &selkie::process::RootImage,
    ends: ClientSide,
    config: ProcessConfig,
) {
    let _: Option<Between<Client, Server>> = None;
    let code = ImageFunction::new(image, client);
    let _ = Process::new(kit, brand, res, &code, ends, config);
}

fn main() {}
