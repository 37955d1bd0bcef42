//! The error reply's label is reserved: a message declared with it does not compile.
use selkie::typenum::U8;

#[derive(Clone, Copy)]
#[repr(C)]
struct Sneaky(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Sneaky {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Sneaky {}
selkie::message!(Sneaky: U8 = selkie::channel::ERROR_LABEL);

fn main() {}
