//! x86_64 paging objects and frames.

use core::marker::PhantomData;

use selkie_sys as sys;
use typenum::{Unsigned, U12, U21};

use crate::bounds::CopyInto;
use crate::object::{assert_size, cap_type, KernelObject};
use crate::rights::{AllRights, RightsSet, SubsetOf};
use crate::sealed::Sealed;

/// A frame size this architecture's MMU maps.
pub trait FrameSize: Sealed + Copy + 'static {
    /// The size as a power of two, as a type.
    type Bits: Unsigned;
    /// The kernel's object type for frames of this size.
    const OBJECT_TYPE: sys::ObjectType;
}

/// 4 KiB frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page4K;
/// 2 MiB frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LargePage;

impl Sealed for Page4K {}
impl Sealed for LargePage {}
impl FrameSize for Page4K {
    type Bits = U12;
    const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::X86_4K;
}
impl FrameSize for LargePage {
    type Bits = U21;
    const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::X86LargePage;
}
assert_size!(U12, sys::PAGE_BITS);
assert_size!(U21, sys::LARGE_PAGE_BITS);

/// A frame of physical memory of size `S`; `Rt` are the rights a mapping of it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<S: FrameSize = Page4K, Rt: RightsSet = AllRights> {
    paddr: sys::Word,
    marker: PhantomData<(S, Rt)>,
}

impl<S: FrameSize, Rt: RightsSet> Frame<S, Rt> {
    /// The frame's physical address.
    pub fn paddr(&self) -> sys::Word {
        self.paddr
    }
}

cap_type!(Frame<S: FrameSize, Rt: RightsSet>, "frame", sys::cap_tag::FRAME, rights = Rt);

impl<S: FrameSize> KernelObject for Frame<S, AllRights> {
    type SizeBits = S::Bits;
    const OBJECT_TYPE: sys::ObjectType = S::OBJECT_TYPE;
    fn created_at(paddr: sys::Word) -> Self {
        Frame {
            paddr,
            marker: PhantomData,
        }
    }
}

impl<S: FrameSize, Rt: RightsSet, New: SubsetOf<Rt>> CopyInto<Frame<S, New>> for Frame<S, Rt> {
    fn copied(&self) -> Frame<S, New> {
        Frame {
            paddr: self.paddr,
            marker: PhantomData,
        }
    }
}

/// Declares a paging structure: a 4 KiB kernel object with no data.
macro_rules! paging_object {
    ($(#[$doc:meta])* $ty:ident, $name:expr, $tag:expr, $object:ident, $bits:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty {
            _private: (),
        }
        cap_type!($ty, $name, $tag);
        assert_size!(U12, $bits);
        impl KernelObject for $ty {
            type SizeBits = U12;
            const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::$object;
            fn created_at(_: sys::Word) -> Self {
                $ty { _private: () }
            }
        }
    };
}

paging_object!(
    /// A page table: maps 512 4 KiB frames (2 MiB).
    PageTable, "page table", sys::cap_tag::PAGE_TABLE, X86PageTable, sys::PAGE_TABLE_BITS
);
paging_object!(
    /// A page directory: maps 512 page tables or 2 MiB frames (1 GiB).
    PageDirectory, "page directory", sys::cap_tag::PAGE_DIRECTORY, X86PageDirectory, sys::PAGE_DIR_BITS
);
paging_object!(
    /// A page-directory pointer table: maps 512 page directories (512 GiB).
    Pdpt, "PDPT", sys::cap_tag::PDPT, X86Pdpt, sys::PDPT_BITS
);
paging_object!(
    /// A PML4: the root of an x86_64 address space.
    Pml4, "PML4", sys::cap_tag::PML4, X64Pml4, sys::PML4_BITS
);

impl Pml4 {
    pub(crate) const fn new() -> Self {
        Pml4 { _private: () }
    }
}
