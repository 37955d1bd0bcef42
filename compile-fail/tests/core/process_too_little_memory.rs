//! A process is built from at least 256 KiB (2^18 bytes) of untyped memory: 128 KiB does not compile.
use selkie::process::ProcessResources;
use selkie::typenum::{U17, U64};
use selkie::{Cap, CNodeSlots, Untyped};

fn demo(memory: Cap<Untyped<U17>>, slots: CNodeSlots<U64>) {
    let _ = ProcessResources::new(memory, slots);
}

fn main() {}
