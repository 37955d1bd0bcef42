//! Issue 8, part 1, on the real kernel: regions mapped in a fresh address space and in the root task's own,
//! shared between them, filled and read through scratch mappings; physical addresses, large frames (2 MiB on
//! x86_64, 64 KiB on aarch32, and aarch32's 1 MiB sections and 16 MiB super-sections, which need no page
//! table), unmap, remap; mapping errors carry their addresses; map and unmap 100 times without losing slots
//! or memory.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use selkie::bootstrap::{BootInfo, Resources};
use selkie::rights::{ReadOnly, ReadWrite};
use selkie::sys;
use selkie::typenum::{Unsigned, U1, U12, U13, U14, U15, U2, U3, U4, U6};
use selkie::{
    Arch, Cap, CapType, Error, Frame, FrameSize, KernelObject, LargePage, Local, Other, Page4K, PagingArch, Refused,
    Region, Scope, VSpace, VSpaceRoot, VmAttributes, IMAGE_BASE, ROOT_FREE_BASE,
};
use support::{expect_eq, expect_slot, expect_type, expect_word, Fail};

/// The kernel's capability type of a 4 KiB frame.
const PAGE_TAG: sys::Word = <Frame as CapType>::KERNEL_TAG;

/// How many paging structures the first mapping of a frame of size `Sz` in the root task's free range makes:
/// the levels it goes through whose structure is not the one the root task's image already uses.
fn root_tables_made<Sz: FrameSize>() -> usize {
    <Arch as PagingArch>::LEVELS
        .iter()
        .take(Sz::Levels::USIZE)
        .filter(|level| IMAGE_BASE >> level.span_bits != ROOT_FREE_BASE >> level.span_bits)
        .count()
}

selkie::test_main!();

/// A value the test expects to be an error, or a failure naming what succeeded.
fn expect_err<T>(what: &'static str, r: Result<T, impl Into<Error>>) -> Result<Error, Fail> {
    match r {
        Ok(_) => Err(Fail::Succeeded(what)),
        Err(e) => Ok(e.into()),
    }
}

/// A refused operation the test expects, with what it handed back.
fn expect_err_refused<T, I>(what: &'static str, r: Result<T, Refused<I>>) -> Result<Refused<I>, Fail> {
    match r {
        Ok(_) => Err(Fail::Succeeded(what)),
        Err(refused) => Ok(refused),
    }
}

/// Checks an error is the one expected.
fn expect_error(what: &'static str, expected: Error, found: Error) -> Result<(), Fail> {
    if expected == found {
        Ok(())
    } else {
        selkie::println!("{what}: expected {expected}, found {found}");
        Err(Fail::Selkie(found))
    }
}

/// A fresh address space with an ASID from the root task's pool.
fn fresh_vspace<S: Scope>(res: &mut Resources<S>) -> Result<VSpace<Other, S>, Fail> {
    let mem = res.untyped.alloc::<<VSpaceRoot as KernelObject>::SizeBits>()?;
    let root: Cap<VSpaceRoot, Local<S>> = mem.retype(res.slots.alloc()?)?;
    Ok(VSpace::new(root, &res.asid_pool)?)
}

#[selkie::test]
fn a_region_maps_in_a_fresh_vspace_and_in_the_root_and_shares_data(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mut child = fresh_vspace(res)?;
        // Four 4 KiB frames from 16 KiB: Bits = 12 + log2(4).
        let mem = res.untyped.alloc::<U14>()?;
        let base = mem.paddr();
        let region = Region::new(mem, res.slots.alloc::<U4>()?)?;
        expect_slot("region's first frame", region.first_cptr(), PAGE_TAG)?;
        expect_slot("region's last frame", region.first_cptr() + 3, PAGE_TAG)?;
        for i in 0..4 {
            expect_word(
                "physical address from the kernel",
                base + i as sys::Word * 4096,
                region.frame_paddr(i)?,
            )?;
        }
        // Map it in the root task's own address space and write through it.
        let (mut mine, left) =
            res.root_vspace
                .map_next(region, res.untyped.alloc::<U15>()?, res.slots.alloc::<U6>()?)?;
        // x86_64: the root's PDPT for the low 512 GiB is the kernel's; a page directory and a page table are
        // new. aarch32: a page table is new.
        expect_eq(
            "paging slots left over",
            (6 - root_tables_made::<Page4K>()) as u64,
            left.slots.len() as u64,
        )?;
        expect_eq("paging memory used", 0, left.memory.is_some() as u64)?;
        expect_eq("zeroed", 0, mine.as_slice().iter().map(|&b| b as u64).sum())?;
        for (i, b) in mine.as_mut_slice().iter_mut().enumerate() {
            *b = (i % 251) as u8;
        }
        // Share: the root keeps its mapping (shared now); the copy goes to the child.
        let (mine, theirs) = mine.share(&res.cspace, res.slots.alloc::<U4>()?)?;
        expect_word("copy has the same frames", mine.paddr(), theirs.paddr())?;
        expect_slot("shared copy", theirs.first_cptr() + 3, PAGE_TAG)?;
        let (theirs, left) = child.map(
            theirs,
            0x1000_0000,
            res.untyped.alloc::<U15>()?,
            res.slots.alloc::<U6>()?,
        )?;
        // Every level a 4 KiB frame goes through is new in a fresh address space.
        let levels = <Page4K as FrameSize>::Levels::U64;
        expect_eq("child paging structures made", levels, child.table_count() as u64)?;
        expect_eq("child slots left", 6 - levels, left.slots.len() as u64)?;
        // The kernel has the copy mapped there: another frame at that address is refused.
        let other = arch::blocker(res)?;
        let e = expect_err(
            "a second frame at the child's mapped address",
            other.map::<ReadWrite>(child.root(), 0x1000_0000, VmAttributes::default()),
        )?;
        expect_error(
            "address taken in the child",
            Error::Kernel {
                op: arch::PAGE_MAP,
                code: sys::Error::DeleteFirst,
            },
            e,
        )?;
        // Bring the child's copy back into a root scratch mapping and read what the root wrote.
        let theirs = theirs.unmap(&mut child)?;
        let (_theirs, same, _) =
            res.root_vspace
                .inspect(theirs, res.untyped.alloc::<U15>()?, res.slots.alloc::<U6>()?, |bytes| {
                    bytes.iter().enumerate().all(|(i, &b)| b == (i % 251) as u8)
                })?;
        expect_eq(
            "data written in the root, read through the child's copy",
            1,
            same as u64,
        )?;
        expect_eq("root mapping still readable", 7, mine.as_slice()[7] as u64)?;
        Ok(())
    })
}

#[selkie::test]
fn mapping_errors_carry_their_addresses(boot: &mut BootInfo) -> Result<(), Fail> {
    // The kernel's boot mappings of the root task: its image, then its IPC buffer and bootinfo frames.
    let boot_end = boot.raw().ipc_buffer as usize as sys::Word + 2 * 4096;
    boot.lend(|res| {
        let mut child = fresh_vspace(res)?;
        let two = Region::new(res.untyped.alloc::<U13>()?, res.slots.alloc::<U2>()?)?;
        let (two, _) = child.map(two, 0x2000_0000, res.untyped.alloc::<U15>()?, res.slots.alloc::<U6>()?)?;
        // Overlapping the two pages at 0x2000_0000 from 0x2000_1000.
        let one = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
        let refused = expect_err_refused(
            "overlapping mapping",
            child.map(one, 0x2000_1000, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?),
        )?;
        expect_error(
            "overlap",
            Error::MappingOverlap {
                vaddr: 0x2000_1000,
                len: 0x1000,
                existing: 0x2000_0000,
                existing_len: 0x2000,
            },
            refused.error,
        )?;
        let (one, left) = refused.inputs;
        expect_eq("a refused mapping keeps its slots", 3, left.slots.len() as u64)?;
        expect_eq("and its memory", 1, left.memory.is_some() as u64)?;
        let (mem, mut pool) = (left.memory.ok_or(Fail::Missing("memory"))?, left.slots);
        let slots = pool.alloc::<U3>()?;
        // Not aligned to 4 KiB.
        let refused = expect_err_refused("misaligned mapping", child.map(one, 0x3000_0800, mem, slots))?;
        expect_error(
            "misaligned",
            Error::MisalignedAddress {
                vaddr: 0x3000_0800,
                align_bits: 12,
            },
            refused.error,
        )?;
        let (one, left) = refused.inputs;
        let (mem, mut pool) = (left.memory.ok_or(Fail::Missing("memory"))?, left.slots);
        let slots = pool.alloc::<U3>()?;
        // Reaching above the user address limit (two pages from the last one).
        let two = two.unmap(&mut child)?;
        let top = <Arch as PagingArch>::USER_TOP;
        let last_page = top - 0xfff;
        let refused = expect_err_refused(
            "mapping above the user limit",
            child.map(two, last_page, res.untyped.alloc::<U15>()?, res.slots.alloc::<U6>()?),
        )?;
        expect_error(
            "out of range",
            Error::AddressOutOfRange {
                vaddr: last_page,
                len: 0x2000,
                limit: top,
            },
            refused.error,
        )?;
        // In the root task's own address space, a page of its image is taken: an overlap error with the boot
        // mappings' range (the kernel would refuse on x86_64; on aarch32 it would replace the page).
        static IMAGE_PAGE: [u8; 8192] = [0; 8192];
        let page = (IMAGE_PAGE.as_ptr() as usize as sys::Word + 4095) & !4095;
        let refused = expect_err_refused(
            "mapping over the root task's image",
            res.root_vspace.map(one, page, mem, slots),
        )?;
        expect_error(
            "overlap with the image",
            Error::MappingOverlap {
                vaddr: page,
                len: 0x1000,
                existing: IMAGE_BASE,
                existing_len: boot_end - IMAGE_BASE,
            },
            refused.error,
        )?;
        Ok(())
    })
}

#[selkie::test]
fn mapping_before_an_asid_fails_with_the_kernels_error(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let root: Cap<VSpaceRoot, _> = res
            .untyped
            .alloc::<<VSpaceRoot as KernelObject>::SizeBits>()?
            .retype(res.slots.alloc()?)?;
        let table: Cap<arch::FirstTable, _> = res
            .untyped
            .alloc::<<arch::FirstTable as KernelObject>::SizeBits>()?
            .retype(res.slots.alloc()?)?;
        let frame: Cap<Frame, _> = res.untyped.alloc::<U12>()?.retype(res.slots.alloc()?)?;
        let no_asid = Error::Kernel {
            op: arch::TABLE_MAP,
            code: sys::Error::InvalidCapability,
        };
        let e = expect_err(
            "paging structure into a root without an ASID",
            table.map(&root, 0x1000_0000, VmAttributes::default()),
        )?;
        expect_error("paging structure before the ASID", no_asid, e)?;
        let e = expect_err(
            "frame into a root without an ASID",
            frame.map::<ReadWrite>(&root, 0x1000_0000, VmAttributes::default()),
        )?;
        expect_error(
            "frame before the ASID",
            Error::Kernel {
                op: arch::PAGE_MAP,
                code: sys::Error::InvalidCapability,
            },
            e,
        )?;
        res.asid_pool.assign(&root)?;
        let e = expect_err("a second ASID", res.asid_pool.assign(&root))?;
        expect_error(
            "second ASID",
            Error::Kernel {
                op: arch::ASID_ASSIGN,
                code: sys::Error::InvalidCapability,
            },
            e,
        )?;
        table.map(&root, 0x1000_0000, VmAttributes::default())?;
        Ok(())
    })
}

#[selkie::test]
fn large_pages_map_and_are_usable(boot: &mut BootInfo) -> Result<(), Fail> {
    let size: usize = 1 << <LargePage as FrameSize>::Bits::USIZE;
    boot.lend(|res| {
        let mem = res.untyped.alloc::<<LargePage as FrameSize>::Bits>()?;
        let base = mem.paddr();
        let region = Region::<U1, _, _, _, LargePage, _>::new_sized(mem, res.slots.alloc::<U1>()?)?;
        expect_type("large frame", region.frame())?;
        expect_word("physical address from the kernel", base, region.frame().get_address()?)?;
        let (mut big, left) =
            res.root_vspace
                .map_next(region, res.untyped.alloc::<U13>()?, res.slots.alloc::<U2>()?)?;
        expect_eq("aligned to its size", 0, (big.vaddr() as usize & (size - 1)) as u64)?;
        // x86_64: a page directory, no page table for a 2 MiB mapping; aarch32: a page table.
        expect_eq(
            "paging slots left over",
            (2 - root_tables_made::<LargePage>()) as u64,
            left.slots.len() as u64,
        )?;
        let bytes = big.as_mut_slice();
        expect_eq("size", size as u64, bytes.len() as u64)?;
        bytes[0] = 0x5a;
        bytes[size - 1] = 0xa5;
        let s = big.as_slice();
        expect_eq("first byte", 0x5a, s[0] as u64)?;
        expect_eq("last byte", 0xa5, s[size - 1] as u64)?;
        // SAFETY: reads the last byte through a raw pointer to check the mapping covers the whole frame.
        let last = unsafe { ((big.vaddr() as usize + size - 1) as *const u8).read_volatile() };
        expect_eq("last byte by address", 0xa5, last as u64)?;
        Ok(())
    })
}

#[selkie::test]
fn unmapped_memory_keeps_its_data_and_maps_elsewhere(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let region = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
        let (mut page, _) = res
            .root_vspace
            .map_next(region, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
        let old = page.vaddr();
        page.as_mut_slice()[100] = 42;
        let page = page.unmap(&mut res.root_vspace)?;
        // The kernel has nothing at the old address now: another frame maps there.
        let other: Cap<Frame, _> = res.untyped.alloc::<U12>()?.retype(res.slots.alloc()?)?;
        other.map::<ReadWrite>(res.root_vspace.root(), old, VmAttributes::default())?;
        // SAFETY: `old` now maps `other`, a fresh frame, which nothing else refers to.
        let there = unsafe { ((old as usize + 100) as *const u8).read_volatile() };
        expect_eq("a fresh frame at the old address", 0, there as u64)?;
        // SAFETY: nothing borrows `other`'s mapping.
        unsafe { other.unmap() }?;
        let (page, _) = res
            .root_vspace
            .map_next(page, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
        expect_eq("somewhere else", 1, (page.vaddr() != old) as u64)?;
        expect_eq("data kept across unmap", 42, page.as_slice()[100] as u64)?;
        Ok(())
    })
}

#[selkie::test]
fn remap_with_fewer_rights_keeps_the_data_readable(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let region = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
        let (mut page, _) = res
            .root_vspace
            .map_next(region, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
        page.as_mut_slice()[0] = 9;
        let vaddr = page.vaddr();
        let page = page.remap::<ReadOnly>()?;
        expect_word("same address", vaddr, page.vaddr())?;
        expect_eq("readable after the remap", 9, page.as_slice()[0] as u64)?;
        // The mapping is still the kernel's: the address stays taken for another frame.
        let other = arch::blocker(res)?;
        let e = expect_err(
            "a frame over the remapped page",
            other.map::<ReadWrite>(
                res.root_vspace.root(),
                arch::blocker_base(vaddr),
                VmAttributes::default(),
            ),
        )?;
        expect_error(
            "remapped page still mapped",
            Error::Kernel {
                op: arch::PAGE_MAP,
                code: sys::Error::DeleteFirst,
            },
            e,
        )?;
        Ok(())
    })
}

#[selkie::test]
fn map_and_unmap_100_times_loses_no_slots_or_memory(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let mut region = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
        let vaddr = res.root_vspace.reserve(12, 1)?;
        let mut mem = res.untyped.alloc::<U14>()?;
        let mut slots = res.slots.alloc::<U3>()?.into_runtime();
        let mut counts = (0u64, 0u128);
        for round in 0..100u64 {
            let (mut page, left) = res.root_vspace.map(region, vaddr, mem, slots.alloc::<U3>()?)?;
            page.as_mut_slice()[0] = round as u8;
            expect_eq("written", round & 0xff, page.as_slice()[0] as u64)?;
            region = page.unmap(&mut res.root_vspace)?;
            slots = left.slots;
            mem = match left.memory {
                Some(mem) => mem,
                None if round == 0 => res.untyped.alloc::<U14>()?,
                None => return Err(Fail::Missing("paging memory handed back")),
            };
            if slots.len() < 3 {
                slots = res.slots.alloc::<U3>()?.into_runtime();
            }
            if round == 0 {
                // The first round made the paging structures; from then on nothing more is used.
                counts = (res.slots.len() as u64, res.untyped.free_bytes());
            } else {
                expect_eq("paging slots handed back", 3, slots.len() as u64)?;
                expect_eq("free slots", counts.0, res.slots.len() as u64)?;
                expect_eq(
                    "free memory (KiB)",
                    (counts.1 >> 10) as u64,
                    (res.untyped.free_bytes() >> 10) as u64,
                )?;
            }
        }
        expect_eq("mappings left", 0, res.root_vspace.mapping_count() as u64)?;
        Ok(())
    })
}

#[selkie::test]
fn a_device_region_maps_at_its_physical_address(boot: &mut BootInfo) -> Result<(), Fail> {
    // A 4 KiB page of the first device untyped the kernel lists.
    let bi = boot.raw();
    let (list, range) = (bi.untyped_list, bi.untyped);
    let n = (range.end - range.start) as usize;
    let paddr = list
        .iter()
        .take(n)
        .find(|d| d.is_device != 0 && d.size_bits >= 12)
        .map(|d| d.paddr)
        .ok_or(Fail::Missing("a device untyped"))?;
    boot.lend(|res| {
        let mem = res.untyped.alloc_device::<U12>(paddr)?;
        expect_word("device memory where asked", paddr, mem.paddr())?;
        let region = Region::<U1, _, _, _, Page4K, _>::from_device(mem, res.slots.alloc::<U1>()?)?;
        expect_type("device frame", region.frame())?;
        expect_word("the kernel's physical address", paddr, region.frame_paddr(0)?)?;
        let vaddr = res.root_vspace.reserve(12, 1)?;
        let (page, _) = res.root_vspace.map_with(
            region.restrict::<ReadOnly>(),
            vaddr,
            arch::DEVICE,
            res.untyped.alloc::<U14>()?,
            res.slots.alloc::<U3>()?,
        )?;
        // Reading device memory through the uncached mapping works (what it holds is the device's business).
        let _ = page.as_slice()[0];
        expect_word("still at the device's address", paddr, page.frame().get_address()?)?;
        Ok(())
    })
}

/// What differs between the architectures in the tests above: the first paging structure below the root, the
/// operations whose errors the tests expect, and the attributes of a device mapping.
#[cfg(target_arch = "x86_64")]
mod arch {
    use super::{Fail, Resources};
    use selkie::typenum::U12;
    use selkie::{sys, Cap, Frame, Local, Operation, Scope, VmAttributes};

    /// The paging structure right below the root (a PDPT).
    pub type FirstTable = selkie::Pdpt;
    /// Mapping a frame.
    pub const PAGE_MAP: Operation = Operation::X86PageMap;
    /// Mapping a [`FirstTable`].
    pub const TABLE_MAP: Operation = Operation::X86PDPTMap;
    /// Assigning an ASID.
    pub const ASID_ASSIGN: Operation = Operation::X86ASIDPoolAssign;
    /// Device registers: caching disabled.
    pub const DEVICE: VmAttributes = VmAttributes::CacheDisabled;

    /// A frame the kernel refuses to map over a mapped 4 KiB page: any frame (another 4 KiB one here).
    pub fn blocker<S: Scope>(res: &mut Resources<S>) -> Result<Cap<Frame, Local<S>>, Fail> {
        Ok(res.untyped.alloc::<U12>()?.retype(res.slots.alloc()?)?)
    }

    /// Where [`blocker`] goes to cover the page at `vaddr`.
    pub fn blocker_base(vaddr: sys::Word) -> sys::Word {
        vaddr
    }
}

/// What differs between the architectures in the tests above: the first paging structure below the root, the
/// operations whose errors the tests expect, and the attributes of a device mapping.
#[cfg(target_arch = "arm")]
mod arch {
    use super::{Fail, Resources};
    use selkie::typenum::U16;
    use selkie::{sys, Cap, Frame, LargePage, Local, Operation, Scope, VmAttributes};

    /// The paging structure right below the root (a page table).
    pub type FirstTable = selkie::PageTable;
    /// Mapping a frame.
    pub const PAGE_MAP: Operation = Operation::ARMPageMap;
    /// Mapping a [`FirstTable`].
    pub const TABLE_MAP: Operation = Operation::ARMPageTableMap;
    /// Assigning an ASID.
    pub const ASID_ASSIGN: Operation = Operation::ARMASIDPoolAssign;
    /// Device registers: strongly ordered, uncached.
    pub const DEVICE: VmAttributes = VmAttributes::UNCACHED;

    /// A frame the kernel refuses to map over a mapped 4 KiB page. This kernel replaces a 4 KiB page mapped
    /// over another without a word (its page-map checks only refuse a page of another size in the way), so
    /// the frame is a 64 KiB one, whose 16 entries must not hold 4 KiB pages.
    pub fn blocker<S: Scope>(res: &mut Resources<S>) -> Result<Cap<Frame<LargePage>, Local<S>>, Fail> {
        Ok(res.untyped.alloc::<U16>()?.retype(res.slots.alloc()?)?)
    }

    /// Where [`blocker`] goes to cover the page at `vaddr`: its 64 KiB-aligned base.
    pub fn blocker_base(vaddr: sys::Word) -> sys::Word {
        vaddr & !0xffff
    }
}

#[cfg(target_arch = "arm")]
mod sections {
    //! aarch32's 1 MiB sections and 16 MiB super-sections through `VSpace` and `Region`.

    use super::*;
    use selkie::typenum::{U0, U10};
    use selkie::{PageTable, PagingMemory, PagingSlots, RegionMemory, Section, SuperSection, Untyped};

    /// A section's or super-section's memory in a region, mapped in the root task's own address space with a
    /// budget big enough for a page table and a slot for it (`Budget`, `Slots`), written and read through the
    /// mapping. The page directory maps these frames itself: the paging memory and slot handed over for the
    /// mapping must come back untouched.
    fn maps_without_a_page_table<Sz, S>(res: &mut Resources<S>, what: &'static str) -> Result<(), Fail>
    where
        Sz: FrameSize,
        S: Scope,
        Untyped<Sz::Bits>: RegionMemory<U1, Sz>,
        U10: PagingMemory<U1, Sz>,
        U1: PagingSlots<U1, Sz>,
        U0: PagingSlots<U1, Sz>,
    {
        let size: usize = 1 << Sz::Bits::USIZE;
        let mem = res.untyped.alloc::<Sz::Bits>()?;
        let base = mem.paddr();
        let region = Region::<U1, _, _, _, Sz, _>::new_sized(mem, res.slots.alloc::<U1>()?)?;
        expect_type(what, region.frame())?;
        expect_word("physical address from the kernel", base, region.frame().get_address()?)?;
        let tables = res.root_vspace.table_count();
        // Enough for one page table (1 KiB and a slot), had the mapping wanted one.
        let budget = res.untyped.alloc::<U10>()?;
        let budget_paddr = budget.paddr();
        let (mut big, left) = res.root_vspace.map_next(region, budget, res.slots.alloc::<U1>()?)?;
        expect_eq("aligned to its size", 0, (big.vaddr() as usize & (size - 1)) as u64)?;
        expect_eq(
            "paging structures made",
            tables as u64,
            res.root_vspace.table_count() as u64,
        )?;
        expect_eq("paging slots left over", 1, left.slots.len() as u64)?;
        expect_slot("the unused paging slot", left.slots.start(), sys::cap_tag::NULL)?;
        let Some(budget) = left.memory else {
            return Err(Fail::Missing("the paging memory handed back unused"));
        };
        expect_word("the same paging memory back", budget_paddr, budget.paddr())?;
        // The kernel agrees nothing was made from it: all of it still becomes one page table.
        let table: Cap<PageTable, _> = budget.retype(res.slots.alloc()?)?;
        expect_type("page table from the returned budget", &table)?;

        let bytes = big.as_mut_slice();
        expect_eq("size", size as u64, bytes.len() as u64)?;
        bytes[0] = 0x5a;
        bytes[size / 2] = 0x3c;
        bytes[size - 1] = 0xa5;
        let s = big.as_slice();
        expect_eq("first byte", 0x5a, s[0] as u64)?;
        expect_eq("middle byte", 0x3c, s[size / 2] as u64)?;
        // SAFETY: reads the last byte through a raw pointer to check the mapping covers the whole frame.
        let last = unsafe { ((big.vaddr() as usize + size - 1) as *const u8).read_volatile() };
        expect_eq("last byte by address", 0xa5, last as u64)?;
        // Unmapped and mapped again elsewhere, the data is still there.
        // No slots at all will do for this remapping: it needs no paging structure.
        let old = big.vaddr();
        let region = big.unmap(&mut res.root_vspace)?;
        let (again, _) = res
            .root_vspace
            .map_next(region, res.untyped.alloc::<U10>()?, res.slots.alloc::<U0>()?)?;
        expect_eq("mapped somewhere else", 1, (again.vaddr() != old) as u64)?;
        expect_eq("last byte after the remap", 0xa5, again.as_slice()[size - 1] as u64)?;
        Ok(())
    }

    /// Compile-time checks of the sizes (a compile-fail case cannot be built for aarch32 by the host's
    /// suite): a region of one section is made from exactly 2^20 bytes and of one super-section from exactly
    /// 2^24; memory one size off does not make either (the build fails if it did).
    mod sizes {
        use selkie::typenum::{U1, U19, U20, U21, U23, U24, U25};
        use selkie::{RegionMemory, Section, SuperSection, Untyped};

        /// Holds for memory that makes a region of one frame of size `Sz`.
        fn makes_one<Sz: selkie::FrameSize, M: RegionMemory<U1, Sz>>() {}
        const _: fn() = makes_one::<Section, Untyped<U20>>;
        const _: fn() = makes_one::<SuperSection, Untyped<U24>>;

        /// Has one implementation for every type, and a second, making `one_frame` ambiguous, for memory that
        /// makes a region of one frame of size `Sz`.
        trait AmbiguousIfItMakes<Sz, A> {
            fn one_frame() {}
        }
        impl<Sz, M> AmbiguousIfItMakes<Sz, ()> for M {}
        /// The second implementation's marker.
        struct Makes;
        impl<Sz: selkie::FrameSize, M: RegionMemory<U1, Sz>> AmbiguousIfItMakes<Sz, Makes> for M {}

        /// Does not compile if `$mem` makes a region of one `$size`.
        macro_rules! does_not_make {
            ($mem:ty, $size:ty) => {
                const _: fn() = || <$mem as AmbiguousIfItMakes<$size, _>>::one_frame();
            };
        }
        does_not_make!(Untyped<U19>, Section);
        does_not_make!(Untyped<U21>, Section);
        does_not_make!(Untyped<U23>, SuperSection);
        does_not_make!(Untyped<U25>, SuperSection);
    }

    /// A section, then a super-section.
    pub fn both<S: Scope>(res: &mut Resources<S>) -> Result<(), Fail> {
        maps_without_a_page_table::<Section, _>(res, "section frame")?;
        maps_without_a_page_table::<SuperSection, _>(res, "super-section frame")
    }
}

#[cfg(target_arch = "arm")]
#[selkie::test]
// The closure is needed: `lend` wants a function of every scope, and a generic function's item is one
// function per scope.
#[allow(clippy::redundant_closure)]
fn sections_and_super_sections_map_without_page_tables(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| sections::both(res))
}
