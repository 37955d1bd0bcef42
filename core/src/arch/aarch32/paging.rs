//! aarch32 paging objects and frames.

use selkie_sys as sys;
use typenum::{Unsigned, U0, U1, U10, U12, U14, U16, U20, U24, U254, U4, U8};

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
    /// How many levels of paging structures below the root a mapping of this size goes through (a page
    /// table for 4 KiB and 64 KiB frames; none for sections and super-sections, which the page directory
    /// maps itself), as a type.
    type Levels: Unsigned;
    /// How many frames of this size one structure of the lowest level it goes through maps, as a power of
    /// two, as a type (a page table maps 256 4 KiB frames or 16 64 KiB ones).
    type TableShift: Unsigned;
    /// `2^TableShift - 2`, as a type: the slack in the bound on how many structures a run of frames touches.
    type TableSlack: Unsigned;
    /// The kernel's object type for frames of this size.
    const OBJECT_TYPE: sys::ObjectType;
    /// The capability type tag the kernel gives frames of this size (4 KiB frames have their own).
    const KERNEL_TAG: sys::Word;
}

/// 4 KiB frames (small pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page4K;
/// 64 KiB frames (large pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LargePage;
/// 1 MiB frames (sections), mapped straight into the page directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section;
/// 16 MiB frames (super-sections), mapped straight into the page directory (16 entries of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuperSection;

impl Sealed for Page4K {}
impl Sealed for LargePage {}
impl Sealed for Section {}
impl Sealed for SuperSection {}
impl FrameSize for Page4K {
    type Bits = U12;
    type Levels = U1;
    type TableShift = U8;
    type TableSlack = U254;
    const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::ArmSmallPage;
    const KERNEL_TAG: sys::Word = sys::cap_tag::SMALL_FRAME;
}
impl FrameSize for LargePage {
    type Bits = U16;
    type Levels = U1;
    type TableShift = U4;
    type TableSlack = typenum::U14;
    const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::ArmLargePage;
    const KERNEL_TAG: sys::Word = sys::cap_tag::FRAME;
}
impl FrameSize for Section {
    type Bits = U20;
    type Levels = U0;
    type TableShift = U0;
    type TableSlack = U0;
    const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::ArmSection;
    const KERNEL_TAG: sys::Word = sys::cap_tag::FRAME;
}
impl FrameSize for SuperSection {
    type Bits = U24;
    type Levels = U0;
    type TableShift = U0;
    type TableSlack = U0;
    const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::ArmSuperSection;
    const KERNEL_TAG: sys::Word = sys::cap_tag::FRAME;
}
const _: () = assert!(
    U12::USIZE == sys::PAGE_BITS
        && U16::USIZE == sys::LARGE_PAGE_BITS
        && U20::USIZE == sys::SECTION_BITS
        && U24::USIZE == sys::SUPER_SECTION_BITS
);

kernel_object! {
    /// A frame of physical memory of size `S`; `Rt` are the rights a mapping of it may have.
    pub struct Frame<S: FrameSize = Page4K>(sys::Word);
    name: "frame",
    tag: (S::KERNEL_TAG),
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

/// How the MMU caches a mapping and whether it may execute (`seL4_ARM_VMAttributes`, a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmAttributes(sys::Word);

impl VmAttributes {
    /// Strongly ordered, uncached: device registers.
    pub const UNCACHED: VmAttributes = VmAttributes(0);
    /// Cacheable (`seL4_ARM_PageCacheable`).
    pub const CACHEABLE: VmAttributes = VmAttributes(1);
    /// Cacheable, with ECC and parity checking on (`seL4_ARM_ParityEnabled` with `seL4_ARM_PageCacheable`):
    /// the kernel's default for ordinary memory.
    pub const CACHEABLE_PARITY: VmAttributes = VmAttributes(3);
    /// Adds execute-never (`seL4_ARM_ExecuteNever`) to these attributes.
    pub const fn execute_never(self) -> VmAttributes {
        VmAttributes(self.0 | 4)
    }

    /// The kernel's word for these attributes.
    pub const fn word(self) -> sys::Word {
        self.0
    }
}

impl Default for VmAttributes {
    /// Ordinary memory: cacheable, parity on (`seL4_ARM_Default_VMAttributes`).
    fn default() -> Self {
        VmAttributes::CACHEABLE_PARITY
    }
}

/// The rights word of a mapping with rights `Rt` (grant means nothing to a mapping and is dropped).
pub(crate) const fn mapping_rights<Rt: RightsSet>() -> sys::CapRights {
    sys::CapRights::new(false, Rt::READ, Rt::WRITE)
}

impl<S: FrameSize, Rt: RightsSet, R: Invocable> Cap<Frame<S, Rt>, R> {
    /// Maps the frame at `vaddr` in the address space rooted at `root` with the rights `Mr` and attributes
    /// `attr` (`seL4_ARM_Page_Map`). The page table for `vaddr` must be there for 4 KiB and 64 KiB frames:
    /// the kernel answers `FailedLookup` when it is missing, `DeleteFirst` when the address is taken,
    /// `InvalidCapability` when the frame is already mapped or the root has no ASID.
    /// [`VSpace`](crate::VSpace) does this bookkeeping.
    pub fn map<Mr: RightsSet>(
        &self,
        root: &Cap<super::VSpaceRoot, impl Invocable>,
        vaddr: sys::Word,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::ARMPageMap, (), |()| {
            // SAFETY: maps a frame this token owns; the kernel checks the address, rights and root. Mapping
            // memory never invalidates memory Rust code relies on.
            unsafe { sys::arm_page_map(self.cptr(), root.cptr(), vaddr, mapping_rights::<Mr>(), attr.word()) }
        })?;
        Ok(())
    }

    /// Changes a mapped frame's rights to `Mr` and its attributes to `attr` (`seL4_ARM_Page_Remap`).
    pub fn remap<Mr: RightsSet>(
        &self,
        root: &Cap<super::VSpaceRoot, impl Invocable>,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::ARMPageRemap, (), |()| {
            // SAFETY: changes the rights of a mapping of a frame this token owns. Removing write access can
            // only fault a later write through it, which the typed layer prevents by the region's rights type.
            unsafe { sys::arm_page_remap(self.cptr(), root.cptr(), mapping_rights::<Mr>(), attr.word()) }
        })?;
        Ok(())
    }

    /// Unmaps the frame wherever it is mapped (`seL4_ARM_Page_Unmap`); unmapping an unmapped frame does
    /// nothing.
    ///
    /// # Safety
    ///
    /// No Rust reference may point into the frame's current mapping: after this, the addresses fault.
    pub unsafe fn unmap(&self) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::ARMPageUnmap, (), |()| {
            // SAFETY: the caller guarantees nothing borrows the mapping.
            unsafe { sys::arm_page_unmap(self.cptr()) }
        })?;
        Ok(())
    }

    /// The frame's physical address, as the kernel reports it (`seL4_ARM_Page_GetAddress`).
    pub fn get_address(&self) -> Result<sys::Word, Error> {
        let (_, paddr) = invoke(Operation::ARMPageGetAddress, (), |()| {
            // SAFETY: a query; it changes nothing.
            unsafe { sys::arm_page_get_address(self.cptr()) }
        })?;
        Ok(paddr)
    }
}

kernel_object! {
    /// A page table (1 KiB): maps 256 4 KiB frames or 16 64 KiB ones (1 MiB).
    pub struct PageTable<>(());
    name: "page table",
    tag: PAGE_TABLE,
    rights: [],
    retype: [U10 = PAGE_TABLE_BITS, sys::ObjectType::ArmPageTable],
    copy: as_is,
    mint: [],
    device: no,
}

kernel_object! {
    /// A page directory (16 KiB): the root of an aarch32 address space; maps 4096 page tables or sections
    /// (4 GiB, of which the kernel keeps the top).
    pub struct PageDirectory<>(());
    name: "page directory",
    tag: PAGE_DIRECTORY,
    rights: [],
    retype: [U14 = PAGE_DIR_BITS, sys::ObjectType::ArmPageDirectory],
    copy: as_is,
    mint: [],
    device: no,
}

impl<R: Invocable> Cap<PageTable, R> {
    /// Maps the page table into the address space rooted at `root`, covering `vaddr`
    /// (`seL4_ARM_PageTable_Map`). The kernel answers `DeleteFirst` when the place is taken and
    /// `InvalidCapability` when this one is already mapped or the root has no ASID.
    pub fn map(
        &self,
        root: &Cap<super::VSpaceRoot, impl Invocable>,
        vaddr: sys::Word,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::ARMPageTableMap, (), |()| {
            // SAFETY: adding a paging structure never invalidates memory Rust code relies on.
            unsafe { sys::arm_page_table_map(self.cptr(), root.cptr(), vaddr, attr.word()) }
        })?;
        Ok(())
    }

    /// Unmaps the page table, and with it every mapping under it (`seL4_ARM_PageTable_Unmap`).
    ///
    /// # Safety
    ///
    /// No Rust reference may point into memory mapped through it.
    pub unsafe fn unmap(&self) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::ARMPageTableUnmap, (), |()| {
            // SAFETY: the caller guarantees nothing borrows memory mapped through it.
            unsafe { sys::arm_page_table_unmap(self.cptr()) }
        })?;
        Ok(())
    }
}

impl<R: Invocable> Cap<AsidPool, R> {
    /// Assigns an ASID from this pool to the address space rooted at `root` (`seL4_ARM_ASIDPool_Assign`):
    /// nothing maps into a root before it has one. The kernel refuses a second assignment with
    /// `InvalidCapability`. [`VSpace::new`](crate::VSpace::new) does this for a fresh address space.
    pub fn assign(&self, root: &Cap<super::VSpaceRoot, impl Invocable>) -> Result<(), Error> {
        let (_, ()) = invoke(Operation::ARMASIDPoolAssign, (), |()| {
            // SAFETY: assigning an ASID changes no memory or capability Rust code relies on.
            unsafe { sys::arm_asid_pool_assign(self.cptr(), root.cptr()) }
        })?;
        Ok(())
    }
}
