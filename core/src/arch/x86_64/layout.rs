//! x86_64's answers to the architecture-neutral [`VSpace`](crate::VSpace) and [`Region`](crate::Region) code:
//! which paging structures a mapping goes through, where user addresses end, and the raw calls.

use selkie_sys as sys;
use typenum::U12;

use super::{AsidPool, Frame, FrameSize, PageDirectory, PageTable, Pdpt, VSpaceRoot, VmAttributes};
use crate::rights::RightsSet;
use crate::role::Local;
use crate::sealed::Sealed;
use crate::{Cap, Error};

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

/// x86_64 four-level paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct X86_64;
impl Sealed for X86_64 {}

/// The size of one intermediate paging structure as a power of two, as a type (the same as
/// [`PagingArch::TableBits`], named directly so bounds stay simple).
pub type TableBits = U12;

/// The architecture this build targets.
pub type Arch = X86_64;

/// A token for a capability the address-space code holds by address only.
fn cap<T: crate::KernelObject>(cptr: sys::CPtr) -> Cap<T, Local> {
    Cap::new(cptr, T::created_at(0))
}

impl PagingArch for X86_64 {
    type Root = VSpaceRoot;
    type AsidPool = AsidPool;
    type TableBits = TableBits;
    const LEVELS: &'static [TableLevel] = &[
        TableLevel {
            object: sys::ObjectType::X86Pdpt,
            span_bits: 39,
        },
        TableLevel {
            object: sys::ObjectType::X86PageDirectory,
            span_bits: 30,
        },
        TableLevel {
            object: sys::ObjectType::X86PageTable,
            span_bits: 21,
        },
    ];
    const USER_TOP: sys::Word = 0x7fff_ffff_ffff;

    fn assign(pool: sys::CPtr, root: sys::CPtr) -> Result<(), Error> {
        Cap::<AsidPool, Local>::new(pool, AsidPool::from_data(())).assign(&cap::<VSpaceRoot>(root))
    }

    fn map_table(level: usize, table: sys::CPtr, root: sys::CPtr, vaddr: sys::Word) -> Result<(), Error> {
        let root = cap::<VSpaceRoot>(root);
        let attr = VmAttributes::default();
        match level {
            0 => cap::<Pdpt>(table).map(&root, vaddr, attr),
            1 => cap::<PageDirectory>(table).map(&root, vaddr, attr),
            _ => cap::<PageTable>(table).map(&root, vaddr, attr),
        }
    }

    fn map_frame<Sz: FrameSize, Rt: RightsSet>(
        frame: sys::CPtr,
        root: sys::CPtr,
        vaddr: sys::Word,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        cap::<Frame<Sz>>(frame).map::<Rt>(&cap::<VSpaceRoot>(root), vaddr, attr)
    }

    fn remap_frame<Sz: FrameSize, Rt: RightsSet>(
        frame: sys::CPtr,
        root: sys::CPtr,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        cap::<Frame<Sz>>(frame).remap::<Rt>(&cap::<VSpaceRoot>(root), attr)
    }

    unsafe fn unmap_frame<Sz: FrameSize>(frame: sys::CPtr) -> Result<(), Error> {
        // SAFETY: the caller's guarantee, passed on.
        unsafe { cap::<Frame<Sz>>(frame).unmap() }
    }
}

const _: () = assert!(U12::USIZE == sys::PDPT_BITS && U12::USIZE == sys::PAGE_DIR_BITS && U12::USIZE == sys::PAGE_TABLE_BITS);
use typenum::Unsigned as _;
