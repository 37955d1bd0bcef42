//! A region of 2 pages (8 KiB) cannot be made from 16 KiB of memory.
use selkie::typenum::{U14, U2};
use selkie::{CNodeSlots, Cap, Region, Untyped};

fn demo(mem: Cap<Untyped<U14>>, slots: CNodeSlots<U2>) {
    let _ = Region::new(mem, slots);
}

fn main() {}
