//! A message must fit the IPC buffer's 120 words: a 121-word message on a channel does not compile.
use selkie::typenum::{U8, U968};
use selkie::{Buffered, Caller, ChannelError};

#[derive(Clone, Copy)]
#[repr(C)]
struct Big([u64; 121]);
// SAFETY: an array of `u64`.
unsafe impl selkie::bytemuck::Zeroable for Big {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Big {}
#[derive(Clone, Copy)]
#[repr(C)]
struct Ack(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Ack {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ack {}
selkie::message!(Big: U968 = 1, Ack: U8 = 2);

fn demo(caller: &Caller<Big, Ack, Buffered>, big: &Big) -> Result<Ack, ChannelError> {
    caller.call(big)
}

fn main() {}
