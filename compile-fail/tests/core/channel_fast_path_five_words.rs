//! A fast-path channel keeps messages in four registers: a five-word message on it does not compile.
use selkie::typenum::{U40, U8};
use selkie::{Caller, ChannelError, FastPath};

#[derive(Clone, Copy)]
#[repr(C)]
struct Five([u64; 5]);
// SAFETY: an array of `u64`.
unsafe impl selkie::bytemuck::Zeroable for Five {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Five {}
#[derive(Clone, Copy)]
#[repr(C)]
struct Ack(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Ack {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ack {}
selkie::message!(Five: U40 = 1, Ack: U8 = 2);

fn demo(caller: &Caller<Five, Ack, FastPath>) -> Result<Ack, ChannelError> {
    caller.call(&Five([0; 5]))
}

fn main() {}
