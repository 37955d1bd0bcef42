//! Taking more slots than a pool holds does not compile.
use selkie::typenum::{U3, U5};
use selkie::CNodeSlots;

fn demo(slots: CNodeSlots<U3>) {
    let (_five, _rest) = slots.alloc::<U5>();
}

fn main() {}
