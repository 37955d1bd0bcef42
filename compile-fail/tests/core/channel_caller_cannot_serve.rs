//! The caller end calls; it cannot serve (receive requests and reply).
use selkie::typenum::U8;

#[derive(Clone, Copy)]
#[repr(C)]
struct Req(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Req {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Req {}
selkie::message!(Req: U8 = 1);

fn demo(caller: &selkie::Caller<Req, Req>) {
    caller.serve(|_, r: Req| selkie::Served::Reply(r));
}

fn main() {}
