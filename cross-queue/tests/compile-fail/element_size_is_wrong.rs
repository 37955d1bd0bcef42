//! An element's declared size must be its real size, or the fit check would be wrong.
use cross_queue::typenum::U8;

#[derive(Clone, Copy)]
#[repr(transparent)]
struct Big([u64; 4]);
unsafe impl cross_queue::bytemuck::Zeroable for Big {}
unsafe impl cross_queue::bytemuck::Pod for Big {}
cross_queue::element!(Big: U8); // really 32 bytes

fn main() {}
