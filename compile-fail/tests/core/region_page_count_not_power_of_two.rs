//! A region is made by one retype of an untyped of exactly its size: its page count is a power of two.
use selkie::typenum::{U14, U3};
use selkie::{CNodeSlots, Cap, Region, Untyped};

fn demo(mem: Cap<Untyped<U14>>, slots: CNodeSlots<U3>) {
    let _ = Region::new(mem, slots);
}

fn main() {}
