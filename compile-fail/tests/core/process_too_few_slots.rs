//! A process needs at least 64 slots of the caller's: 32 do not compile.
use selkie::process::ProcessResources;
use selkie::typenum::{U18, U32};
use selkie::{Cap, CNodeSlots, Untyped};

fn demo(memory: Cap<Untyped<U18>>, slots: CNodeSlots<U32>) {
    let _ = ProcessResources::new(memory, slots);
}

fn main() {}
