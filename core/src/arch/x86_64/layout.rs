//! x86_64's answers to the architecture-neutral [`VSpace`](crate::VSpace) and [`Region`](crate::Region) code:
//! which paging structures a mapping goes through, where user addresses end, and the raw calls.

use selkie_sys as sys;
use typenum::U12;

use super::{AsidPool, Frame, FrameSize, PageDirectory, PageTable, Pdpt, VSpaceRoot, VmAttributes};
use crate::arch::{PagingArch, TableLevel};
use crate::rights::RightsSet;
use crate::role::Local;
use crate::sealed::Sealed;
use crate::{Cap, Error};

/// x86_64 four-level paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct X86_64;
impl Sealed for X86_64 {}

/// The size of one intermediate paging structure as a power of two, as a type (the same as
/// [`PagingArch::TableBits`], named directly so bounds stay simple).
pub type TableBits = U12;

/// The size of one CNode slot (`seL4_SlotBits`, 2^5 bytes on this architecture), as a type.
pub type SlotBits = typenum::U5;

/// The size of a thread control block (`seL4_TCBBits`) on this architecture, as a type.
pub type TcbBits = typenum::U11;

/// The size of a notification (`seL4_NotificationBits`) on this architecture, as a type.
pub type NotificationBits = typenum::U5;

/// The architecture's name, as users and the kernel's build call it.
pub const ARCH_NAME: &str = "x86_64";

/// The ELF machine of this architecture's executables.
pub(crate) const ELF_MACHINE: u16 = elf::abi::EM_X86_64;
/// The ELF class of this architecture's executables.
pub(crate) const ELF_CLASS: elf::file::Class = elf::file::Class::ELF64;
/// What an executable of the other class is told.
pub(crate) const ELF_CLASS_MISMATCH: &str = "not a 64-bit ELF file";

/// Where the root task's image starts: the base of the link script `link/<arch>.ld` (4 MiB).
pub const IMAGE_BASE: sys::Word = 0x40_0000;

/// Where the root task's free virtual range starts: in a PDPT of its own (64 GiB up), far above the image at 4 MiB.
pub const ROOT_FREE_BASE: sys::Word = 0x10_0000_0000;
/// Where the root task's free virtual range ends (exclusive).
pub const ROOT_FREE_END: sys::Word = 0x80_0000_0000;

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
