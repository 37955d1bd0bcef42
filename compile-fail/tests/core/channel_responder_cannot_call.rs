//! The responder end serves; it cannot call its own channel.
use selkie::typenum::U8;

#[derive(Clone, Copy)]
#[repr(C)]
struct Req(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Req {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Req {}
selkie::message!(Req: U8 = 1);

fn demo(responder: &selkie::Responder<Req, Req>) {
    let _ = responder.call(&Req(1));
}

fn main() {}
