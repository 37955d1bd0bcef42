//! A slot pool is consumed by `alloc`; the old token cannot be used again.
use selkie::typenum::{U1, U4};
use selkie::CNodeSlots;

fn demo(slots: CNodeSlots<U4>) {
    let (_a, _rest) = slots.alloc::<U1>();
    let (_b, _rest) = slots.alloc::<U1>();
}

fn main() {}
