//! x86_64 paging objects and frames.

use selkie_sys as sys;
use typenum::{Unsigned, U12, U21};

use crate::object::kernel_object;
use crate::rights::RightsSet;
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
const _: () = assert!(U12::USIZE == sys::PAGE_BITS && U21::USIZE == sys::LARGE_PAGE_BITS);

kernel_object! {
    /// A frame of physical memory of size `S`; `Rt` are the rights a mapping of it may have.
    pub struct Frame<S: FrameSize = Page4K>(sys::Word);
    name: "frame",
    tag: FRAME,
    rights: [Rt],
    retype: [S::Bits, S::OBJECT_TYPE],
    copy: rights,
    mint: [],
    device: yes,
}

impl<S: FrameSize, Rt: RightsSet> Frame<S, Rt> {
    /// The frame's physical address.
    pub fn paddr(&self) -> sys::Word {
        self.data
    }
}

kernel_object! {
    /// A page table: maps 512 4 KiB frames (2 MiB).
    pub struct PageTable<>(());
    name: "page table",
    tag: PAGE_TABLE,
    rights: [],
    retype: [U12 = PAGE_TABLE_BITS, sys::ObjectType::X86PageTable],
    copy: as_is,
    mint: [],
    device: no,
}

kernel_object! {
    /// A page directory: maps 512 page tables or 2 MiB frames (1 GiB).
    pub struct PageDirectory<>(());
    name: "page directory",
    tag: PAGE_DIRECTORY,
    rights: [],
    retype: [U12 = PAGE_DIR_BITS, sys::ObjectType::X86PageDirectory],
    copy: as_is,
    mint: [],
    device: no,
}

kernel_object! {
    /// A page-directory pointer table: maps 512 page directories (512 GiB).
    pub struct Pdpt<>(());
    name: "PDPT",
    tag: PDPT,
    rights: [],
    retype: [U12 = PDPT_BITS, sys::ObjectType::X86Pdpt],
    copy: as_is,
    mint: [],
    device: no,
}

kernel_object! {
    /// A PML4: the root of an x86_64 address space.
    pub struct Pml4<>(());
    name: "PML4",
    tag: PML4,
    rights: [],
    retype: [U12 = PML4_BITS, sys::ObjectType::X64Pml4],
    copy: as_is,
    mint: [],
    device: no,
}
