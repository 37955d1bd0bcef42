//! A caller sends only its channel's request type: a request of another message type does not compile.
use selkie::typenum::U8;
use selkie::{ChannelError, Caller};

#[derive(Clone, Copy)]
#[repr(C)]
struct Ping(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Ping {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ping {}
#[derive(Clone, Copy)]
#[repr(C)]
struct Halt(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Halt {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Halt {}
selkie::message!(Ping: U8 = 1, Halt: U8 = 2);

fn demo(caller: &Caller<Ping, Ping>) -> Result<Ping, ChannelError> {
    caller.call(&Halt(0))
}

fn main() {}
