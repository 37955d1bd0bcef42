//! x86_64 paging objects and frames.

use selkie_sys as sys;
use typenum::{Unsigned, U12, U2, U21, U3, U510, U9};

use super::AsidPool;
use crate::object::{invoke, kernel_object};
use crate::rights::RightsSet;
use crate::role::Invocable;
use crate::sealed::Sealed;
use crate::{Cap, Error, Operation};

/// A frame size this architecture's MMU maps.
pub trait FrameSize: Sealed + Copy + 'static {
    /// The size as a power of two, as a type.
    type Bits: Unsigned;
    /// How many levels of paging structures below the root a mapping of this size goes through (PDPT, page
    /// directory and page table for 4 KiB frames; PDPT and page directory for 2 MiB ones), as a type.
    type Levels: Unsigned;
    /// How many frames of this size one structure of the lowest level it goes through maps, as a power of
    /// two, as a type (512 entries per structure at every level).
    type TableShift: Unsigned;
    /// `2^TableShift - 2`, as a type: the slack in the bound on how many structures a run of frames touches.
    type TableSlack: Unsigned;
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
    type Levels = U3;
    type TableShift = U9;
    type TableSlack = U510;
    const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::X86_4K;
}
impl FrameSize for LargePage {
    type Bits = U21;
    type Levels = U2;
    type TableShift = U9;
    type TableSlack = U510;
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
    /// The frame's physical address, as recorded when the frame was made.
    pub fn paddr(&self) -> sys::Word {
        self.data
    }
}

/// How the MMU caches a mapping (`seL4_X86_VMAttributes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u64)]
pub enum VmAttributes {
    /// Write-back caching: ordinary memory.
    #[default]
    WriteBack = 0,
    /// Write-through caching.
    WriteThrough = 1,
    /// Caching disabled (strong uncached, the usual choice for device registers).
    CacheDisabled = 2,
    /// Uncacheable, overridable by the MTRRs.
    Uncacheable = 3,
    /// Write-combining (frame buffers).
    WriteCombining = 4,
}

impl VmAttributes {
    /// The kernel's word for these attributes.
    pub const fn word(self) -> sys::Word {
        self as sys::Word
    }
}

/// The rights word of a mapping with rights `Rt` (grant means nothing to a mapping and is dropped).
pub(crate) const fn mapping_rights<Rt: RightsSet>() -> sys::CapRights {
    sys::CapRights::new(false, Rt::READ, Rt::WRITE)
}

impl<S: FrameSize, Rt: RightsSet, R: Invocable> Cap<Frame<S, Rt>, R> {
    /// Maps the frame at `vaddr` in the address space rooted at `root` with the rights `Mr` and attributes
    /// `attr` (`seL4_X86_Page_Map`). The paging structures for `vaddr` must be there: the kernel answers
    /// `FailedLookup` when one is missing, `DeleteFirst` when the address is taken, `InvalidCapability` when
    /// the frame is already mapped or the root has no ASID. [`VSpace`](crate::VSpace) does this bookkeeping.
    pub fn map<Mr: RightsSet>(
        &self,
        root: &Cap<super::VSpaceRoot, impl Invocable>,
        vaddr: sys::Word,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::X86PageMap, (), |()| {
            // SAFETY: maps a frame this token owns; the kernel checks the address, rights and root. Mapping
            // memory never invalidates memory Rust code relies on.
            unsafe { sys::x86_page_map(self.cptr(), root.cptr(), vaddr, mapping_rights::<Mr>(), attr.word()) }
        })?;
        Ok(())
    }

    /// Changes a mapped frame's rights to `Mr` and its attributes to `attr` (`seL4_X86_Page_Remap`).
    pub fn remap<Mr: RightsSet>(
        &self,
        root: &Cap<super::VSpaceRoot, impl Invocable>,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::X86PageRemap, (), |()| {
            // SAFETY: changes the rights of a mapping of a frame this token owns. Removing write access can
            // only fault a later write through it, which the typed layer prevents by the region's rights type.
            unsafe { sys::x86_page_remap(self.cptr(), root.cptr(), mapping_rights::<Mr>(), attr.word()) }
        })?;
        Ok(())
    }

    /// Unmaps the frame wherever it is mapped (`seL4_X86_Page_Unmap`); unmapping an unmapped frame does
    /// nothing.
    ///
    /// # Safety
    ///
    /// No Rust reference may point into the frame's current mapping: after this, the addresses fault.
    pub unsafe fn unmap(&self) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::X86PageUnmap, (), |()| {
            // SAFETY: the caller guarantees nothing borrows the mapping.
            unsafe { sys::x86_page_unmap(self.cptr()) }
        })?;
        Ok(())
    }

    /// The frame's physical address, as the kernel reports it (`seL4_X86_Page_GetAddress`).
    pub fn get_address(&self) -> Result<sys::Word, Error> {
        let (_, paddr) = invoke(Operation::X86PageGetAddress, (), |()| {
            // SAFETY: a query; it changes nothing.
            unsafe { sys::x86_page_get_address(self.cptr()) }
        })?;
        Ok(paddr)
    }
}

/// Declares the map and unmap invocations of an intermediate paging structure.
macro_rules! table_ops {
    ($ty:ident, $map:ident, $unmap:ident, $map_op:ident, $unmap_op:ident, $what:literal) => {
        impl<R: Invocable> Cap<$ty, R> {
            #[doc = concat!("Maps the ", $what, " into the address space rooted at `root`, covering `vaddr` (`seL4_", stringify!($map_op), "`).")]
            /// The kernel answers `DeleteFirst` when the place is taken, `FailedLookup` when the level above is
            /// missing, `InvalidCapability` when this one is already mapped or the root has no ASID.
            pub fn map(
                &self,
                root: &Cap<super::VSpaceRoot, impl Invocable>,
                vaddr: sys::Word,
                attr: VmAttributes,
            ) -> Result<(), Error> {
                let (_, ()) = invoke(Operation::$map_op, (), |()| {
                    // SAFETY: adding a paging structure never invalidates memory Rust code relies on.
                    unsafe { sys::$map(self.cptr(), root.cptr(), vaddr, attr.word()) }
                })?;
                Ok(())
            }

            #[doc = concat!("Unmaps the ", $what, ", and with it every mapping under it.")]
            ///
            /// # Safety
            ///
            /// No Rust reference may point into memory mapped through it.
            pub unsafe fn unmap(&self) -> Result<(), Error> {
                let (_, ()) = invoke(Operation::$unmap_op, (), |()| {
                    // SAFETY: the caller guarantees nothing borrows memory mapped through it.
                    unsafe { sys::$unmap(self.cptr()) }
                })?;
                Ok(())
            }
        }
    };
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

table_ops!(Pdpt, x86_pdpt_map, x86_pdpt_unmap, X86PDPTMap, X86PDPTUnmap, "PDPT");
table_ops!(
    PageDirectory,
    x86_page_directory_map,
    x86_page_directory_unmap,
    X86PageDirectoryMap,
    X86PageDirectoryUnmap,
    "page directory"
);
table_ops!(
    PageTable,
    x86_page_table_map,
    x86_page_table_unmap,
    X86PageTableMap,
    X86PageTableUnmap,
    "page table"
);

impl<R: Invocable> Cap<AsidPool, R> {
    /// Assigns an ASID from this pool to the address space rooted at `root` (`seL4_X86_ASIDPool_Assign`):
    /// nothing maps into a root before it has one. The kernel refuses a second assignment with
    /// `InvalidCapability`. [`VSpace::new`](crate::VSpace::new) does this for a fresh address space.
    pub fn assign(&self, root: &Cap<super::VSpaceRoot, impl Invocable>) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::X86ASIDPoolAssign, (), |()| {
            // SAFETY: assigning an ASID changes no memory or capability Rust code relies on.
            unsafe { sys::x86_asid_pool_assign(self.cptr(), root.cptr()) }
        })?;
        Ok(())
    }
}
