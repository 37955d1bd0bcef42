//! Address spaces: a [`VSpace`] owns the root paging object of one address space (with its ASID), knows what
//! it has mapped, and makes the intermediate paging structures a mapping needs from memory and slots the
//! caller hands over with the mapping, never from anywhere else.
//!
//! # What a mapping may need
//!
//! A run of `P` frames touches at most `ceil((P - 1) / 512) + 1` structures of each level it goes through
//! (512 entries per structure on x86_64), so a mapping of `P` frames of size `Sz` needs at most
//!
//! ```text
//! PagingObjects<P, Sz> = Sz::Levels * (((P + 510) >> 9) + 1)
//! ```
//!
//! structures (`Sz::Levels` is 3 for 4 KiB frames: PDPT, page directory, page table; 2 for 2 MiB frames).
//! One 4 KiB region needs 3, a 512-page (2 MiB) region 6. The mapping takes slots for that many and untyped
//! memory of at least `PagingObjects * 4 KiB`; handing over less does not compile. (On aarch32 a page table
//! holds 256 entries and is 1 KiB, and 1 MiB sections and 16 MiB super-sections go straight into the root
//! page directory: `Levels` is 0 for them, a mapping of them needs no paging structure, and any untyped and
//! any number of slots, none included, will do; both come back unused.) Structures already
//! there are not made again: the slots left over come back (counted at run time), and the paging memory is
//! consumed (what is not used stays inside the untyped, which the address space keeps behind its structures;
//! revoking its parent, or the end of a temporary scope, gives it all back).
//!
//! ```no_run
//! # fn demo(res: &mut selkie::bootstrap::Resources) -> Result<(), selkie::Error> {
//! use selkie::typenum::{U1, U12, U14, U3};
//! use selkie::{Cap, Pml4, Region, VSpace};
//! // A fresh address space, and a page filled by the root task, then mapped there.
//! let root: Cap<Pml4> = res.untyped.alloc::<U12>()?.retype(res.slots.alloc()?)?;
//! let mut child: VSpace = VSpace::new(root, &res.asid_pool)?;
//! let page = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?; // 4 KiB = 2^12
//! let (page, (), _left) = res.root_vspace.fill(
//!     page,
//!     res.untyped.alloc::<U14>()?, // up to 3 paging structures for one page: 16 KiB
//!     res.slots.alloc::<U3>()?,
//!     |bytes| bytes[..5].copy_from_slice(b"hello"),
//! )?;
//! let (page, _left) = child.map(page, 0x1000_0000, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
//! # let _ = page; Ok(()) }
//! ```

use core::marker::PhantomData;
use core::ops::{Add, Mul, Shl, Shr, Sub};

use arrayvec::ArrayVec;
use selkie_sys as sys;
use typenum::{
    Add1, GrEq, IsGreaterOrEqual, Log2, Logarithm2, Max, Maximum, Min, Minimum, Prod, Shleft, Shright, Sub1, Sum,
    Unsigned, B1, U1, U2,
};

use crate::arch::{Arch, FrameSize, PagingArch, TableBits};
use crate::object::KernelObject;
use crate::role::{FlowsInto, Forever, Invocable, Local, Role, Scope};
use crate::sealed::Sealed;
use crate::slots::{CNodeSlots, Runtime};
use crate::untyped::retype::retype_call;
use crate::{Cap, Error, Refused, Untyped};

/// How many mappings one [`VSpace`] keeps track of.
pub const MAX_MAPPINGS: usize = 64;
/// How many intermediate paging structures one [`VSpace`] keeps track of.
pub const MAX_TABLES: usize = 64;
/// Where the root task's free virtual range starts and ends (exclusive): above its image, IPC buffer and
/// bootinfo frames, below the kernel; each architecture says where.
pub use crate::arch::{ROOT_FREE_BASE, ROOT_FREE_END};

/// Whose address space a [`VSpace`] is: [`Own`] (the caller's: its mappings can be read and written here)
/// or [`Other`] (another one, for a process to come).
pub trait VSpaceKind: Sealed + 'static {}
/// The caller's own address space: what is mapped in it can be touched through Rust slices.
#[derive(Debug)]
pub struct Own;
/// Another address space: what is mapped there is not addressable by the caller.
#[derive(Debug)]
pub struct Other;
impl Sealed for Own {}
impl Sealed for Other {}
impl VSpaceKind for Own {}
impl VSpaceKind for Other {}

/// The number of paging structures a mapping of `P` frames of size `Sz` may need (see the module docs).
pub type PagingObjects<P, Sz> = <P as PagingCount<Sz>>::Objects;

/// `P: PagingCount<Sz>`: the number of paging structures a mapping of `P` frames of size `Sz` may need,
/// `Sz::Levels * (((P + 510) >> 9) + 1)`, as a type ([`PagingObjects`]). The arithmetic's bounds are named here
/// once, for [`PagingSlots`] and [`PagingMemory`].
pub trait PagingCount<Sz: FrameSize> {
    /// The number of paging structures.
    type Objects: Unsigned;
}
impl<P, Sz> PagingCount<Sz> for P
where
    Sz: FrameSize,
    P: Add<Sz::TableSlack>,
    Sum<P, Sz::TableSlack>: Shr<Sz::TableShift>,
    Shright<Sum<P, Sz::TableSlack>, Sz::TableShift>: Add<B1>,
    Sz::Levels: Mul<Add1<Shright<Sum<P, Sz::TableSlack>, Sz::TableShift>>>,
    Prod<Sz::Levels, Add1<Shright<Sum<P, Sz::TableSlack>, Sz::TableShift>>>: Unsigned,
{
    type Objects = Prod<Sz::Levels, Add1<Shright<Sum<P, Sz::TableSlack>, Sz::TableShift>>>;
}

/// The check behind [`PagingSlots`]: implemented for `B1`, the result of `N >= PagingObjects`.
#[diagnostic::on_unimplemented(
    message = "not enough CNode slots for the paging structures this mapping may need",
    label = "a mapping of P frames needs slots for Levels * (((P + 510) >> 9) + 1) paging structures",
    note = "see `selkie::vspace` for the formula; leftover slots come back after the mapping"
)]
pub trait EnoughPagingSlots {}
impl EnoughPagingSlots for B1 {}

/// The check behind [`PagingMemory`]: implemented for `B1`, the result of `2^Bits >= PagingObjects * 4 KiB`.
#[diagnostic::on_unimplemented(
    message = "not enough memory for the paging structures this mapping may need",
    label = "a mapping of P frames needs Levels * (((P + 510) >> 9) + 1) paging structures of 4 KiB each",
    note = "see `selkie::vspace` for the formula; hand over a larger `Untyped`"
)]
pub trait EnoughPagingMemory {}
impl EnoughPagingMemory for B1 {}

/// `N: PagingSlots<P, Sz>`: `N` slots are enough for the paging structures a mapping of `P` frames of size
/// `Sz` may need.
pub trait PagingSlots<P, Sz: FrameSize>: Unsigned {}
impl<N, P, Sz> PagingSlots<P, Sz> for N
where
    Sz: FrameSize,
    P: PagingCount<Sz>,
    N: Unsigned + IsGreaterOrEqual<PagingObjects<P, Sz>>,
    GrEq<N, PagingObjects<P, Sz>>: EnoughPagingSlots,
{
}

/// The size, as a power of two, of the untyped memory that holds [`PagingObjects<P, Sz>`] paging structures:
/// `TableBits + ceil(log2(PagingObjects))`, computed as `TableBits + floor(log2(max(2 * PagingObjects, 2) - 1))`
/// (the same for every count of at least one), and 0 when no structure is needed (frames the root maps
/// itself, such as aarch32's sections): then any untyped will do, and it comes back unused.
pub type PagingMemoryBits<P, Sz> = Prod<Minimum<PagingObjects<P, Sz>, U1>, TablesBits<PagingObjects<P, Sz>>>;

/// `TableBits + floor(log2(max(2 * n, 2) - 1))`: the bits of memory for `n` paging structures when `n >= 1`.
type TablesBits<N> = Sum<TableBits, Log2<Sub1<Maximum<Shleft<N, U1>, U2>>>>;

/// `Bits: PagingMemory<P, Sz>`: `2^Bits` bytes of untyped memory are enough for the paging structures a
/// mapping of `P` frames of size `Sz` may need (`Bits >= PagingMemoryBits<P, Sz>`).
pub trait PagingMemory<P, Sz: FrameSize>: Unsigned {}
impl<Bits, P, Sz> PagingMemory<P, Sz> for Bits
where
    Sz: FrameSize,
    P: PagingCount<Sz>,
    PagingObjects<P, Sz>: Shl<U1> + Min<U1>,
    Shleft<PagingObjects<P, Sz>, U1>: Max<U2>,
    Maximum<Shleft<PagingObjects<P, Sz>, U1>, U2>: Sub<B1>,
    Sub1<Maximum<Shleft<PagingObjects<P, Sz>, U1>, U2>>: Logarithm2,
    TableBits: Add<Log2<Sub1<Maximum<Shleft<PagingObjects<P, Sz>, U1>, U2>>>>,
    Minimum<PagingObjects<P, Sz>, U1>: Mul<TablesBits<PagingObjects<P, Sz>>>,
    Bits: Unsigned + IsGreaterOrEqual<PagingMemoryBits<P, Sz>>,
    GrEq<Bits, PagingMemoryBits<P, Sz>>: EnoughPagingMemory,
{
}

/// One mapping a [`VSpace`] made: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: sys::Word,
    end: sys::Word,
}

/// A paging structure a [`VSpace`] knows is there: its level and the address it covers from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Table {
    level: u8,
    base: sys::Word,
}

/// The untyped memory and slots handed over with one mapping, used to make missing paging structures.
pub(crate) struct Budget<Bits: Unsigned, R: Role, S: Scope> {
    mem: Cap<Untyped<Bits>, R>,
    used: bool,
    slots: CNodeSlots<Runtime, Local<S>>,
}

impl<Bits: Unsigned, R: Role, S: Scope> Budget<Bits, R, S> {
    pub(crate) fn new<N>(mem: Cap<Untyped<Bits>, R>, slots: CNodeSlots<N, Local<S>>) -> Self {
        Budget {
            mem,
            used: false,
            slots: slots.into_runtime_any(),
        }
    }

    /// What was not used: the slots left, and the memory if no structure was made from it.
    pub(crate) fn into_leftover(self) -> Leftover<Bits, R, S> {
        let memory = if self.used {
            // The memory now backs paging structures of the address space; its token goes with them.
            let _ = self.mem.into_parts();
            None
        } else {
            Some(self.mem)
        };
        Leftover {
            slots: self.slots,
            memory,
        }
    }
}

/// The paging resources a mapping did not use: the slots left over (counted at run time), and the untyped
/// memory if no paging structure was made from it (once one is, the memory stays with the address space's
/// paging structures; revoking its parent, or the end of a temporary scope, reclaims it).
#[derive(Debug)]
#[must_use = "unused slots and memory are lost unless kept"]
pub struct Leftover<Bits: Unsigned, R: Role, S: Scope> {
    /// The slots no paging structure went into.
    pub slots: CNodeSlots<Runtime, Local<S>>,
    /// The memory, when nothing was made from it.
    pub memory: Option<Cap<Untyped<Bits>, R>>,
}

/// One address space: the root paging object (with an ASID), the mappings made in it and the paging
/// structures under them. `K` says whose it is ([`Own`] or [`Other`]), `S` the scope of the tokens it holds.
///
/// Mappings are checked before the kernel sees them: an address not aligned to the frame size, a range above
/// the user address limit, or one overlapping a mapping this `VSpace` made are [`Error`]s with the addresses
/// (as is the kernel's `DeleteFirst` when something it did not make is in the way).
pub struct VSpace<K: VSpaceKind = Other, S: Scope = Forever> {
    root: Cap<Root, Local<S>>,
    mappings: ArrayVec<Span, MAX_MAPPINGS>,
    tables: ArrayVec<Table, MAX_TABLES>,
    /// Structures made for a place that turned out to be taken: kept for the next place that needs one.
    spare: ArrayVec<(u8, sys::CPtr), 4>,
    /// The kernel's boot mappings of the root task ([`Own`] only; empty otherwise).
    boot: Span,
    /// The bump allocator's next free address ([`Own`] only) and its end.
    next_free: sys::Word,
    free_end: sys::Word,
    marker: PhantomData<(K, S)>,
}

impl<K: VSpaceKind, S: Scope> core::fmt::Debug for VSpace<K, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VSpace")
            .field("root", &self.root.cptr())
            .field("mappings", &self.mappings.len())
            .field("tables", &self.tables.len())
            .finish()
    }
}

/// The root object of this architecture's address spaces.
type Root = <Arch as PagingArch>::Root;

impl<S: Scope> VSpace<Other, S> {
    /// Makes `root` an address space: assigns it an ASID from `pool` (the kernel maps nothing into a root
    /// without one). If the kernel refuses (the root already has an ASID, the pool is full), the root comes
    /// back in the [`Refused`].
    pub fn new<R>(
        root: Cap<Root, R>,
        pool: &Cap<<Arch as PagingArch>::AsidPool, impl Invocable>,
    ) -> Result<Self, Refused<Cap<Root, R>>>
    where
        R: Invocable + FlowsInto<Local<S>>,
    {
        if let Err(error) = Arch::assign(pool.cptr(), root.cptr()) {
            return Err(Refused { error, inputs: root });
        }
        Ok(VSpace::with_root(root.into_parts().0, 0, 0))
    }
}

impl<S: Scope> VSpace<Own, S> {
    /// The root task's own address space, from bootstrap: its root already has an ASID; the free range
    /// starts at [`ROOT_FREE_BASE`], whose PDPT (the one holding the image) is there already on x86_64. The
    /// kernel's boot mappings (the image from [`IMAGE_BASE`](crate::IMAGE_BASE), its IPC buffer and bootinfo
    /// frames, up to `boot_end`) are recorded apart from the mappings made here, so that a mapping over them
    /// is an overlap error on every architecture: aarch32's kernel does not refuse a 4 KiB page over another, it replaces it.
    pub(crate) fn root_task(root: sys::CPtr, boot_end: sys::Word) -> Self {
        let mut v = VSpace::with_root(root, ROOT_FREE_BASE, ROOT_FREE_END);
        v.tables.push(Table { level: 0, base: 0 });
        v.boot = Span {
            start: crate::arch::IMAGE_BASE,
            end: boot_end,
        };
        v
    }

    /// Reserves `2^bits * count` bytes of the root task's free virtual range, aligned to `2^bits`, with an
    /// unmapped guard gap after; returns its start. [`Error::VirtualRangeExhausted`] when the range is used up.
    pub fn reserve(&mut self, bits: u8, count: usize) -> Result<sys::Word, Error> {
        let align: sys::Word = 1 << bits;
        let start = (self.next_free + align - 1) & !(align - 1);
        let len = (count as sys::Word) << bits;
        let end = start.checked_add(len + align).filter(|&e| e <= self.free_end);
        match end {
            Some(end) => {
                self.next_free = end;
                Ok(start)
            }
            None => Err(Error::VirtualRangeExhausted {
                size: len,
                next: self.next_free,
                end: self.free_end,
            }),
        }
    }
}

impl<K: VSpaceKind, S: Scope> VSpace<K, S> {
    fn with_root(root: sys::CPtr, next_free: sys::Word, free_end: sys::Word) -> Self {
        VSpace {
            root: Cap::new(root, Root::created_at(0)),
            mappings: ArrayVec::new(),
            tables: ArrayVec::new(),
            spare: ArrayVec::new(),
            boot: Span { start: 0, end: 0 },
            next_free,
            free_end,
            marker: PhantomData,
        }
    }

    /// An address space with no root yet (a process being built fills it in).
    pub(crate) fn placeholder() -> Self {
        VSpace::with_root(0, 0, 0)
    }

    /// Forgets the address space's bookkeeping; returns its root's address (teardown revokes the objects).
    pub(crate) fn into_root_cptr(self) -> sys::CPtr {
        self.root.into_parts().0
    }

    /// The root paging object's capability (for a thread's address space, for the raw paging calls).
    pub fn root(&self) -> &Cap<Root, Local<S>> {
        &self.root
    }

    /// How many mappings this address space has now.
    pub fn mapping_count(&self) -> usize {
        self.mappings.len()
    }

    /// How many paging structures this address space has made or found so far.
    pub fn table_count(&self) -> usize {
        self.tables.len()
    }

    /// Checks that `len` bytes at `vaddr` may be mapped here: aligned to `2^align_bits`, under the user
    /// address limit, not overlapping a mapping made here, and room to record it.
    pub(crate) fn check(&self, vaddr: sys::Word, len: sys::Word, align_bits: u8) -> Result<(), Error> {
        if vaddr & ((1 << align_bits) - 1) != 0 {
            return Err(Error::MisalignedAddress { vaddr, align_bits });
        }
        let last = vaddr.checked_add(len - 1);
        match last {
            Some(last) if last <= Arch::USER_TOP => {}
            _ => {
                return Err(Error::AddressOutOfRange {
                    vaddr,
                    len,
                    limit: Arch::USER_TOP,
                })
            }
        }
        let boot = core::iter::once(&self.boot).filter(|b| b.start < b.end);
        if let Some(m) = self
            .mappings
            .iter()
            .chain(boot)
            .find(|m| vaddr < m.end && m.start < vaddr + len)
        {
            return Err(Error::MappingOverlap {
                vaddr,
                len,
                existing: m.start,
                existing_len: m.end - m.start,
            });
        }
        if self.mappings.is_full() {
            return Err(Error::MappingsFull { capacity: MAX_MAPPINGS });
        }
        Ok(())
    }

    /// Makes sure the first `levels` paging structures covering `vaddr` are there, making missing ones from
    /// `budget`.
    pub(crate) fn ensure_tables<Bits: Unsigned, R: Role>(
        &mut self,
        vaddr: sys::Word,
        levels: usize,
        budget: &mut Budget<Bits, R, S>,
    ) -> Result<(), Error> {
        for (i, level) in Arch::LEVELS.iter().enumerate().take(levels) {
            let base = vaddr & !(((1 as sys::Word) << level.span_bits) - 1);
            let want = Table { level: i as u8, base };
            if self.tables.contains(&want) {
                continue;
            }
            if self.tables.is_full() {
                return Err(Error::TablesFull { capacity: MAX_TABLES });
            }
            let table = match self.spare.iter().position(|&(l, _)| l == i as u8) {
                Some(p) => self.spare.swap_remove(p).1,
                None => {
                    let slot = budget.slots.alloc::<U1>()?;
                    budget.used = true;
                    retype_call(budget.mem.cptr(), level.object, TableBits::USIZE, &slot).map_err(|code| {
                        Error::Kernel {
                            op: crate::Operation::UntypedRetype,
                            code,
                        }
                    })?;
                    slot.start()
                }
            };
            match Arch::map_table(i, table, self.root.cptr(), base) {
                Ok(()) => {}
                // Something made elsewhere (the kernel's boot mappings) is there: keep ours for later.
                Err(Error::Kernel {
                    code: sys::Error::DeleteFirst,
                    ..
                }) => {
                    let _ = self.spare.try_push((i as u8, table));
                }
                Err(e) => return Err(e),
            }
            self.tables.push(want);
        }
        Ok(())
    }

    /// Records a mapping (after [`check`](VSpace::check) said there is room).
    pub(crate) fn record(&mut self, vaddr: sys::Word, len: sys::Word) {
        self.mappings.push(Span {
            start: vaddr,
            end: vaddr + len,
        });
    }

    /// Forgets the mapping at `vaddr`; whether there was one.
    pub(crate) fn forget(&mut self, vaddr: sys::Word) -> bool {
        match self.mappings.iter().position(|m| m.start == vaddr) {
            Some(i) => {
                self.mappings.swap_remove(i);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{LargePage, Page4K};
    use typenum::{U0, U4, U512, U513, U514};

    #[test]
    fn the_paging_formula_bounds_what_a_run_of_frames_touches() {
        assert_eq!(PagingObjects::<U1, Page4K>::USIZE, 3);
        assert_eq!(PagingObjects::<U4, Page4K>::USIZE, 6);
        assert_eq!(PagingObjects::<U512, Page4K>::USIZE, 6);
        assert_eq!(PagingObjects::<U513, Page4K>::USIZE, 6);
        assert_eq!(PagingObjects::<U514, Page4K>::USIZE, 9);
        assert_eq!(PagingObjects::<U1, LargePage>::USIZE, 2);
        assert_eq!(PagingMemoryBits::<U1, Page4K>::USIZE, 14);
        assert_eq!(PagingMemoryBits::<U4, Page4K>::USIZE, 15);
        assert_eq!(PagingMemoryBits::<U1, LargePage>::USIZE, 13);
        // A frame size the root maps itself (aarch32's sections) needs no structure and no memory.
        assert_eq!(<Prod<Minimum<U0, U1>, TablesBits<U0>> as Unsigned>::USIZE, 0);
        assert_eq!(<Prod<Minimum<U2, U1>, TablesBits<U2>> as Unsigned>::USIZE, 13);
    }

    #[test]
    fn checks_name_the_addresses() {
        let mut v: VSpace<Own> = VSpace::root_task(3, crate::arch::IMAGE_BASE + 0x1_0000);
        v.record(0x10_0000_0000, 0x2000);
        assert_eq!(
            v.check(0x10_0000_1000, 0x1000, 12),
            Err(Error::MappingOverlap {
                vaddr: 0x10_0000_1000,
                len: 0x1000,
                existing: 0x10_0000_0000,
                existing_len: 0x2000
            })
        );
        assert_eq!(v.check(0x10_0000_2000, 0x1000, 12), Ok(()), "the end is exclusive");
        assert_eq!(
            v.check(0x20_0000_0800, 0x1000, 12),
            Err(Error::MisalignedAddress {
                vaddr: 0x20_0000_0800,
                align_bits: 12
            })
        );
        assert_eq!(
            v.check(0x7fff_ffff_f000, 0x2000, 12),
            Err(Error::AddressOutOfRange {
                vaddr: 0x7fff_ffff_f000,
                len: 0x2000,
                limit: 0x7fff_ffff_ffff
            })
        );
        // The root task's boot mappings are taken too, whatever the kernel would say.
        let image = crate::arch::IMAGE_BASE;
        assert_eq!(
            v.check(image + 0x1000, 0x1000, 12),
            Err(Error::MappingOverlap {
                vaddr: image + 0x1000,
                len: 0x1000,
                existing: image,
                existing_len: 0x1_0000
            })
        );
        assert_eq!(
            v.mapping_count(),
            1,
            "the boot mappings are not counted as mappings made here"
        );
        assert!(v.forget(0x10_0000_0000));
        assert_eq!(v.check(0x10_0000_1000, 0x1000, 12), Ok(()));
        let _ = v.root.into_parts();
    }

    #[test]
    fn the_root_range_is_handed_out_aligned_with_gaps() {
        let mut v: VSpace<Own> = VSpace::root_task(3, crate::arch::IMAGE_BASE + 0x1_0000);
        assert_eq!(v.reserve(12, 2), Ok(ROOT_FREE_BASE));
        assert_eq!(v.reserve(21, 1), Ok(ROOT_FREE_BASE + (1 << 21)));
        // The 2 MiB one is followed by a 2 MiB gap.
        assert_eq!(v.reserve(12, 1), Ok(ROOT_FREE_BASE + (3 << 21)));
        assert!(matches!(v.reserve(39, 1), Err(Error::VirtualRangeExhausted { .. })));
        let _ = v.root.into_parts();
    }
}
