//! A message is plain old data: a reference means nothing in another address space, so it is not a message.
use selkie::typenum::U8;
use selkie::{Caller, ChannelError};

#[derive(Clone, Copy)]
#[repr(C)]
struct Ack(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Ack {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ack {}
selkie::message!(Ack: U8 = 1);

fn demo(caller: &Caller<&'static u64, Ack>, r: &'static u64) -> Result<Ack, ChannelError> {
    caller.call(&r)
}

fn main() {}
