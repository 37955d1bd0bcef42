//! A parameter field typed as a caller end takes only a caller: the responder end of the same channel does not
//! fit it.
use selkie::channel::{channel, Between, Buffered, Caller};
use selkie::typenum::{U4, U8};
use selkie::{Cap, Endpoint, Local};

selkie::child_brand!(Client);

#[derive(Clone, Copy)]
#[repr(C)]
struct Ping(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Ping {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ping {}
selkie::message!(Ping: U8 = 1);

/// The client's parameters: a caller end.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct ClientSide {
    server: Caller<Ping, Ping, Buffered, Local, Client>,
}

fn demo(res: &mut selkie::bootstrap::Resources) -> Result<ClientSide, selkie::Error> {
    let ep: Cap<Endpoint> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
    let (_caller, responder) =
        channel::<Ping, Ping, Buffered, Between<Client, Client>, _>(ep, &res.cspace, res.slots.alloc()?)?;
    Ok(ClientSide { server: responder })
}

fn main() {}
