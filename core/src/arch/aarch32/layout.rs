//! aarch32's answers to the architecture-neutral [`VSpace`](crate::VSpace) and [`Region`](crate::Region) code:
//! one level of page tables below the page directory, user addresses below the kernel's window at
//! 0xe000_0000, and the raw calls.

use selkie_sys as sys;
use typenum::U10;

use super::{AsidPool, Frame, FrameSize, PageTable, VSpaceRoot, VmAttributes};
use crate::arch::{PagingArch, TableLevel};
use crate::rights::RightsSet;
use crate::role::Local;
use crate::sealed::Sealed;
use crate::{Cap, Error};

/// ARMv7-A short-descriptor paging: a page directory and page tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aarch32;
impl Sealed for Aarch32 {}

/// The size of one intermediate paging structure (a 1 KiB page table) as a power of two, as a type (the same
/// as [`PagingArch::TableBits`], named directly so bounds stay simple).
pub type TableBits = U10;

/// The size of one CNode slot (`seL4_SlotBits`, 2^4 bytes on this architecture), as a type.
pub type SlotBits = typenum::U4;

/// The size of a thread control block (`seL4_TCBBits`) on this architecture, as a type.
pub type TcbBits = typenum::U9;

/// The size of a notification (`seL4_NotificationBits`) on this architecture, as a type.
pub type NotificationBits = typenum::U4;

/// The architecture's name, as users and the kernel's build call it.
pub const ARCH_NAME: &str = "aarch32";

/// The ELF machine of this architecture's executables.
pub(crate) const ELF_MACHINE: u16 = elf::abi::EM_ARM;
/// The ELF class of this architecture's executables.
pub(crate) const ELF_CLASS: elf::file::Class = elf::file::Class::ELF32;
/// What an executable of the other class is told.
pub(crate) const ELF_CLASS_MISMATCH: &str = "not a 32-bit ELF file";

/// Where the root task's image starts: the base of the link script `link/<arch>.ld` (64 KiB).
pub const IMAGE_BASE: sys::Word = 0x1_0000;

/// Where the root task's free virtual range starts: from 1 GiB, far above the image at 64 KiB, to 3 GiB, below the kernel at 0xe000_0000.
pub const ROOT_FREE_BASE: sys::Word = 0x4000_0000;
/// Where the root task's free virtual range ends (exclusive).
pub const ROOT_FREE_END: sys::Word = 0xc000_0000;

/// The architecture this build targets.
pub type Arch = Aarch32;

/// A token for a capability the address-space code holds by address only.
fn cap<T: crate::KernelObject>(cptr: sys::CPtr) -> Cap<T, Local> {
    Cap::new(cptr, T::created_at(0))
}

impl PagingArch for Aarch32 {
    type Root = VSpaceRoot;
    type AsidPool = AsidPool;
    type TableBits = TableBits;
    const LEVELS: &'static [TableLevel] = &[TableLevel {
        object: sys::ObjectType::ArmPageTable,
        span_bits: 20,
    }];
    // The kernel's window starts at 0xe000_0000 on this platform.
    const USER_TOP: sys::Word = 0xdfff_ffff;

    fn assign(pool: sys::CPtr, root: sys::CPtr) -> Result<(), Error> {
        Cap::<AsidPool, Local>::new(pool, AsidPool::from_data(())).assign(&cap::<VSpaceRoot>(root))
    }

    fn map_table(_level: usize, table: sys::CPtr, root: sys::CPtr, vaddr: sys::Word) -> Result<(), Error> {
        cap::<PageTable>(table).map(&cap::<VSpaceRoot>(root), vaddr, VmAttributes::default())
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

const _: () = assert!(<U10 as typenum::Unsigned>::USIZE == sys::PAGE_TABLE_BITS);
