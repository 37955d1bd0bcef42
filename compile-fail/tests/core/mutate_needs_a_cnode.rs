//! `mutate` sets a CNode's guard; a frame capability has none (and on this kernel badges are minted).
use selkie::{CNodeGuard, CNodeSlot, Cap, Error, Frame, LocalCNode};

fn demo(page: Cap<Frame>, cspace: &Cap<LocalCNode>, slot: CNodeSlot) -> Result<(), Error> {
    let (_guarded, _old_slot) = page.mutate(cspace, slot, CNodeGuard::new(0, 52)?)?;
    Ok(())
}

fn main() {}
