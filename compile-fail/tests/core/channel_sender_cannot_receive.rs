//! A one-way sender end cannot receive.
use selkie::typenum::U8;

#[derive(Clone, Copy)]
#[repr(C)]
struct Req(u64);
// SAFETY: one `u64`.
unsafe impl selkie::bytemuck::Zeroable for Req {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Req {}
selkie::message!(Req: U8 = 1);

fn demo(sender: &selkie::Sender<Req>) {
    let _ = sender.recv();
}

fn main() {}
