//! What the architecture-neutral [`VSpace`](crate::VSpace) and [`Region`](crate::Region) code asks of an
//! architecture: the paging structures a mapping goes through, where user addresses end, and the raw calls.
//! Each architecture's `layout.rs` answers it.

use selkie_sys as sys;

use super::{FrameSize, VmAttributes};
use crate::rights::RightsSet;
use crate::sealed::Sealed;
use crate::Error;

/// One level of intermediate paging structure below the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableLevel {
    /// The kernel's object type for a structure of this level.
    pub object: sys::ObjectType,
    /// One structure of this level covers `2^span_bits` bytes of address space.
    pub span_bits: u8,
}

/// What the architecture-neutral address-space code needs from an architecture.
pub trait PagingArch: Sealed {
    /// The object at the root of an address space.
    type Root: crate::KernelObject;
    /// The pool ASIDs are assigned from.
    type AsidPool: crate::CapType;
    /// The size of one intermediate paging structure, as a power of two, as a type.
    type TableBits: typenum::Unsigned;
    /// The intermediate paging structures from the root down, the first `FrameSize::Levels` of which a
    /// mapping of a frame goes through.
    const LEVELS: &'static [TableLevel];
    /// The highest user virtual address (inclusive).
    const USER_TOP: sys::Word;

    /// Assigns an ASID from `pool` to `root`.
    fn assign(pool: sys::CPtr, root: sys::CPtr) -> Result<(), Error>;
    /// Maps the structure of level `level` (an index into [`LEVELS`](PagingArch::LEVELS)) at `table` into
    /// `root`, covering `vaddr`.
    fn map_table(level: usize, table: sys::CPtr, root: sys::CPtr, vaddr: sys::Word) -> Result<(), Error>;
    /// Maps the frame `frame` at `vaddr` in `root` with rights `Rt`.
    fn map_frame<Sz: FrameSize, Rt: RightsSet>(
        frame: sys::CPtr,
        root: sys::CPtr,
        vaddr: sys::Word,
        attr: VmAttributes,
    ) -> Result<(), Error>;
    /// Changes the rights of the mapped frame `frame` in `root` to `Rt`.
    fn remap_frame<Sz: FrameSize, Rt: RightsSet>(
        frame: sys::CPtr,
        root: sys::CPtr,
        attr: VmAttributes,
    ) -> Result<(), Error>;
    /// Unmaps the frame `frame`.
    ///
    /// # Safety
    ///
    /// Nothing may borrow memory through its mapping.
    unsafe fn unmap_frame<Sz: FrameSize>(frame: sys::CPtr) -> Result<(), Error>;
}
