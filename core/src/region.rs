//! Memory regions: a run of frames whose size, mapping state, sharing and rights are in its type.
//!
//! A [`Region<P, St, Sh, Rt, Sz, S>`](Region) is `P` frames of size `Sz` (4 KiB by default, or
//! [`LargePage`](crate::LargePage) for 2 MiB), made in one retype so their capabilities sit in consecutive
//! slots. `St` is [`Unmapped`] or [`Mapped<K>`] (in the caller's own address space, [`Own`], or another,
//! [`Other`]); `Sh` is [`Exclusive`] or [`Shared`]; `Rt` the rights of its mapping. Only a region mapped in
//! the caller's own address space can be read as a slice, and only an exclusive, writable one written:
//!
//! - [`Region::as_slice`] needs `Mapped<Own>` and the read right;
//! - [`Region::as_mut_slice`] needs `Mapped<Own>`, the read and write rights and `Exclusive`.
//!
//! Sharing between address spaces (the root task and processes) is [`Region::share`].

// A refused mapping hands back the region and the unused paging resources by value: there is no heap to box
// them in, and they are a few words each.
#![allow(clippy::result_large_err)]

use core::marker::PhantomData;
use core::ops::Add;

use selkie_sys as sys;
use typenum::{Eq, IsEqual, Sum, Unsigned, B1, U1};

use crate::arch::{Arch, Frame, FrameSize, Page4K, PagingArch, VmAttributes};
use crate::object::{LocalCNode, WORD_DEPTH};
use crate::rights::{ReadWrite, Rights, RightsSet, SubsetOf};
use crate::role::{FlowsInto, Forever, Invocable, Local, Scope};
use crate::sealed::Sealed;
use crate::slots::CNodeSlots;
use crate::untyped::retype::retype_call;
use crate::vspace::{Budget, Leftover, Own, PagingMemory, PagingSlots, VSpace, VSpaceKind};
use crate::{Cap, Error, MemoryKind, Operation, Refused, Untyped};

/// A region's mapping state: [`Unmapped`] or [`Mapped<K>`].
pub trait MapState: Sealed + 'static {}
/// Not mapped anywhere.
#[derive(Debug)]
pub struct Unmapped;
/// Mapped in an address space of kind `K`: [`Own`] (the caller's) or [`Other`](crate::Other).
#[derive(Debug)]
pub struct Mapped<K: VSpaceKind>(PhantomData<K>);
impl Sealed for Unmapped {}
impl<K: VSpaceKind> Sealed for Mapped<K> {}
impl MapState for Unmapped {}
impl<K: VSpaceKind> MapState for Mapped<K> {}

/// Whether other address spaces hold mappings of the same frames: [`Exclusive`] or [`Shared`].
pub trait Sharing: Sealed + 'static {}
/// Nobody else maps these frames.
#[derive(Debug)]
pub struct Exclusive;
/// Other address spaces may map these frames too.
#[derive(Debug)]
pub struct Shared;
impl Sealed for Exclusive {}
impl Sealed for Shared {}
impl Sharing for Exclusive {}
impl Sharing for Shared {}

/// A region state that is mapped somewhere.
#[diagnostic::on_unimplemented(
    message = "this region is not mapped",
    label = "the operation needs a mapped region",
    note = "map it first with `VSpace::map`"
)]
pub trait IsMapped: MapState {
    /// Whose address space it is mapped in.
    type Kind: VSpaceKind;
}
impl<K: VSpaceKind> IsMapped for Mapped<K> {
    type Kind = K;
}

/// A region state that is not mapped.
#[diagnostic::on_unimplemented(
    message = "this region is already mapped",
    label = "a region can only be mapped once",
    note = "unmap it first, or share it (`Region::share`) to get a second set of frame capabilities to map"
)]
pub trait IsUnmapped: MapState {}
impl IsUnmapped for Unmapped {}

/// A region state whose memory the caller can address: mapped in its own address space.
#[diagnostic::on_unimplemented(
    message = "this region is not mapped in the caller's own address space",
    label = "only a region mapped in the caller's own `VSpace` can be accessed as a slice",
    note = "a region mapped in another address space is not addressable here; use `VSpace::<Own>::fill` or \
            `inspect` with a scratch mapping"
)]
pub trait Addressable: MapState {}
impl Addressable for Mapped<Own> {}

/// Sharing that allows a `&mut` to the memory.
#[diagnostic::on_unimplemented(
    message = "no `&mut` through a shared mapping",
    label = "another address space may write these frames at any time",
    note = "only an `Exclusive` region can be written through `as_mut_slice`"
)]
pub trait IsExclusive: Sharing {}
impl IsExclusive for Exclusive {}

/// Sharing that allows more mappings of the same frames: [`Shared`].
#[diagnostic::on_unimplemented(
    message = "an exclusive region cannot be mapped in another address space",
    label = "this region is `Exclusive`: its owner may hold a `&mut` to its memory",
    note = "share it first: `Region::share` consumes the exclusive region and returns shared ones, which any \
            number of processes can map (`Process::map_region`)"
)]
pub trait IsShared: Sharing {}
impl IsShared for Shared {}

/// A region another process can map ([`Process::map_region`](crate::process::Process::map_region)): a
/// [`Shared`] region of 4 KiB frames of scope `S`. An exclusive one is refused at compile time.
pub trait ChildMappable<S: Scope>: Sealed {
    /// The first frame's capability, the number of frames, and whether the mapping is writable.
    #[doc(hidden)]
    fn grant_parts(&self) -> (sys::CPtr, usize, bool);
}

impl<P: Unsigned, St: MapState, Sh: Sharing, Rt: RightsSet, Sz: FrameSize, S: Scope> Sealed
    for Region<P, St, Sh, Rt, Sz, S>
{
}
impl<P: Unsigned, St: MapState, Sh: IsShared, Rt: RightsSet, S: Scope> ChildMappable<S>
    for Region<P, St, Sh, Rt, Page4K, S>
{
    fn grant_parts(&self) -> (sys::CPtr, usize, bool) {
        (self.first_cptr(), P::USIZE, Rt::WRITE)
    }
}

/// Mapping rights that allow reading.
#[diagnostic::on_unimplemented(
    message = "this mapping has no read right",
    label = "reading the region's memory needs a readable mapping",
    note = "map the region with rights that include read (`ReadOnly` or `ReadWrite`)"
)]
pub trait Readable: RightsSet {}
impl<const W: bool, const G: bool> Readable for Rights<true, W, G> {}

/// Mapping rights that allow writing.
#[diagnostic::on_unimplemented(
    message = "no `&mut` through a read-only mapping",
    label = "this region's mapping has no write right",
    note = "only a region mapped with write rights (`ReadWrite`) can be written through `as_mut_slice`"
)]
pub trait Writable: RightsSet {}
impl<const R: bool, const G: bool> Writable for Rights<R, true, G> {}

/// The check behind [`RegionMemory`]: implemented for `B1`, the result of `Bits == Sz::Bits + log2(P)`.
#[diagnostic::on_unimplemented(
    message = "the untyped memory's size does not match the region's",
    label = "a region of P frames of 2^F bytes is made from exactly 2^(F + log2 P) bytes",
    note = "use `Untyped<Bits>` with `2^Bits` equal to the region's size (for 4 KiB pages, `Bits = 12 + log2(P)`)"
)]
pub trait SizeMatches {}
impl SizeMatches for B1 {}

/// A region's frame count: a power of two from 1 to 256 (what one retype makes, the kernel's fan-out
/// limit), with its base-2 logarithm.
#[diagnostic::on_unimplemented(
    message = "a region's frame count must be a power of two from 1 to 256",
    label = "not a supported region size",
    note = "a region is made by one retype of an untyped of exactly its size"
)]
pub trait RegionPages: Unsigned {
    /// `log2` of the count.
    type Log2: Unsigned;
}

/// Implements [`RegionPages`] for each listed count and logarithm.
macro_rules! region_pages {
    ($($pages:ident = $log:ident),*) => {$(
        impl RegionPages for typenum::$pages {
            type Log2 = typenum::$log;
        }
    )*};
}
region_pages!(
    U1 = U0,
    U2 = U1,
    U4 = U2,
    U8 = U3,
    U16 = U4,
    U32 = U5,
    U64 = U6,
    U128 = U7,
    U256 = U8
);
const _: () = assert!(sys::config::RETYPE_FAN_OUT_LIMIT >= 256);

/// `Untyped<Bits, K>: RegionMemory<P, Sz>`: the memory is exactly `P` frames of size `Sz`, which one retype
/// makes.
pub trait RegionMemory<P, Sz: FrameSize> {}
impl<Bits, K, P, Sz> RegionMemory<P, Sz> for Untyped<Bits, K>
where
    K: MemoryKind,
    Sz: FrameSize,
    P: RegionPages,
    Sz::Bits: Add<P::Log2>,
    Bits: Unsigned + IsEqual<Sum<Sz::Bits, P::Log2>>,
    Eq<Bits, Sum<Sz::Bits, P::Log2>>: SizeMatches,
{
}

/// `P` frames of size `Sz` in consecutive slots, with mapping state `St`, sharing `Sh` and rights `Rt`; their
/// capabilities live in the caller's CSpace, in scope `S`.
#[must_use = "a region holds frames: unmap and keep it, or it is lost"]
pub struct Region<P, St = Unmapped, Sh = Exclusive, Rt = ReadWrite, Sz = Page4K, S = Forever>
where
    P: Unsigned,
    St: MapState,
    Sh: Sharing,
    Rt: RightsSet,
    Sz: FrameSize,
    S: Scope,
{
    /// The first frame's capability; the others follow it.
    first: Cap<Frame<Sz, Rt>, Local<S>>,
    /// Where it is mapped (0 when unmapped) and in which address space (its root's address).
    vaddr: sys::Word,
    vspace: sys::CPtr,
    marker: PhantomData<(P, St, Sh)>,
}

/// A region of the same frames in another state, sharing or rights.
type Moved<P, St, Sh, Rt, Sz, S> = Region<P, St, Sh, Rt, Sz, S>;

impl<P: Unsigned, St: MapState, Sh: Sharing, Rt: RightsSet, Sz: FrameSize, S: Scope> core::fmt::Debug
    for Region<P, St, Sh, Rt, Sz, S>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Region({} x 2^{} at {:#x}, paddr {:#x})",
            P::USIZE,
            Sz::Bits::USIZE,
            self.vaddr,
            self.paddr()
        )
    }
}

impl<P: Unsigned, S: Scope> Region<P, Unmapped, Exclusive, ReadWrite, Page4K, S> {
    /// Makes a region of `P` 4 KiB frames from `mem`, which must be exactly their size (`Bits = 12 +
    /// log2(P)`, else this does not compile), their capabilities in `slots`. Device memory makes a region of
    /// device registers (see [`Region::from_device`]). If the kernel refuses, the memory and the slots come
    /// back in the [`Refused`].
    #[allow(clippy::type_complexity)]
    pub fn new<Bits: Unsigned, K: MemoryKind, R>(
        mem: Cap<Untyped<Bits, K>, R>,
        slots: CNodeSlots<P, Local<S>>,
    ) -> Result<Self, Refused<(Cap<Untyped<Bits, K>, R>, CNodeSlots<P, Local<S>>)>>
    where
        R: Invocable + FlowsInto<Local<S>>,
        Untyped<Bits, K>: RegionMemory<P, Page4K>,
    {
        Region::<P, Unmapped, Exclusive, ReadWrite, Page4K, S>::new_sized::<Bits, K, R>(mem, slots)
    }
}

impl<P: Unsigned, Sz: FrameSize, S: Scope> Region<P, Unmapped, Exclusive, ReadWrite, Sz, S> {
    /// Makes a region of `P` frames of size `Sz` (for example [`LargePage`](crate::LargePage)) from `mem`,
    /// which must be exactly their size; as [`Region::new`].
    #[allow(clippy::type_complexity)]
    pub fn new_sized<Bits: Unsigned, K: MemoryKind, R>(
        mem: Cap<Untyped<Bits, K>, R>,
        slots: CNodeSlots<P, Local<S>>,
    ) -> Result<Self, Refused<(Cap<Untyped<Bits, K>, R>, CNodeSlots<P, Local<S>>)>>
    where
        R: Invocable + FlowsInto<Local<S>>,
        Untyped<Bits, K>: RegionMemory<P, Sz>,
    {
        let ((mem, slots), ()) = crate::object::invoke(Operation::UntypedRetype, (mem, slots), |(mem, slots)| {
            retype_call(mem.cptr(), Sz::OBJECT_TYPE, Sz::Bits::USIZE, slots)
        })?;
        Ok(Region {
            first: Cap::new(slots.start(), Frame::from_data(mem.paddr())),
            vaddr: 0,
            vspace: 0,
            marker: PhantomData,
        })
    }

    /// Makes a region of `P` frames of device memory (device registers) from `mem`, as [`Region::new_sized`];
    /// the frames are not zeroed and should be mapped with [`VmAttributes::CacheDisabled`].
    #[allow(clippy::type_complexity)]
    pub fn from_device<Bits: Unsigned, R>(
        mem: Cap<Untyped<Bits, crate::Device>, R>,
        slots: CNodeSlots<P, Local<S>>,
    ) -> Result<Self, Refused<(Cap<Untyped<Bits, crate::Device>, R>, CNodeSlots<P, Local<S>>)>>
    where
        R: Invocable + FlowsInto<Local<S>>,
        Untyped<Bits, crate::Device>: RegionMemory<P, Sz>,
    {
        Region::<P, Unmapped, Exclusive, ReadWrite, Sz, S>::new_sized::<Bits, crate::Device, R>(mem, slots)
    }
}

impl<P: Unsigned, St: MapState, Sh: Sharing, Rt: RightsSet, Sz: FrameSize, S: Scope> Region<P, St, Sh, Rt, Sz, S> {
    /// The region's size in bytes.
    pub const SIZE: usize = P::USIZE << Sz::Bits::USIZE;

    /// The first frame's physical address (the frames are consecutive in physical memory).
    pub fn paddr(&self) -> sys::Word {
        self.first.object().paddr()
    }

    /// The address of the first frame's capability; frame `i`'s is this plus `i`.
    pub fn first_cptr(&self) -> sys::CPtr {
        self.first.cptr()
    }

    /// The physical address of frame `i` as the kernel reports it (`X86_Page_GetAddress` on x86_64), or
    /// [`Error::FrameIndexOutOfRange`].
    pub fn frame_paddr(&self, i: usize) -> Result<sys::Word, Error> {
        if i >= P::USIZE {
            return Err(Error::FrameIndexOutOfRange {
                index: i,
                frames: P::USIZE,
            });
        }
        let frame: Cap<Frame<Sz, Rt>, Local<S>> = Cap::new(self.first.cptr() + i as sys::Word, *self.first.object());
        let paddr = frame.get_address();
        let _ = frame.into_parts();
        paddr
    }

    fn retag<St2: MapState, Sh2: Sharing, Rt2: RightsSet>(
        self,
        vaddr: sys::Word,
        vspace: sys::CPtr,
    ) -> Moved<P, St2, Sh2, Rt2, Sz, S> {
        let (cptr, frame) = self.first.into_parts();
        Region {
            first: Cap::new(cptr, Frame::from_data(frame.paddr())),
            vaddr,
            vspace,
            marker: PhantomData,
        }
    }

    /// Splits off the frame capabilities' copies for [`share`](Region::share).
    fn frame_at(&self, i: usize) -> Cap<Frame<Sz, Rt>, Local<S>> {
        Cap::new(self.first.cptr() + i as sys::Word, *self.first.object())
    }
}

impl<P: Unsigned, Sh: Sharing, Rt: RightsSet, Sz: FrameSize, S: Scope> Region<P, Unmapped, Sh, Rt, Sz, S> {
    /// The same unmapped region with fewer rights `Rt2`: its mappings will have only those.
    pub fn restrict<Rt2: SubsetOf<Rt>>(self) -> Region<P, Unmapped, Sh, Rt2, Sz, S> {
        self.retag(0, 0)
    }
}

impl<P: Unsigned, St: MapState, Rt: RightsSet, Sz: FrameSize, S: Scope> Region<P, St, Exclusive, Rt, Sz, S> {
    /// Shares the region: consumes the exclusive region and returns it as [`Shared`] (in the same state) and a
    /// second, unmapped, shared region of the same frames, whose capabilities are copies in `slots`, for
    /// mapping in another address space. Neither can be written through a `&mut` any more. If the kernel
    /// refuses a copy, the copies made so far are deleted and the region and slots come back.
    ///
    /// A shared region is mapped in the root task with
    /// [`VSpace::map`] and in any number of processes with
    /// [`Process::map_region`](crate::process::Process::map_region), which maps copies of its frames in the child
    /// (an [`Exclusive`] region does not compile there: its owner may hold a `&mut` to the memory). No shared
    /// mapping gives `as_mut_slice`: the memory is written through shared-memory protocols such as the
    /// [queue](crate::queue()), or volatile accesses. A queue is made the same way: [`queue`](crate::queue())
    /// consumes an exclusive region, and each end handed to a process maps the region in that process.
    ///
    /// ```no_run
    /// # use selkie::typenum::{U1, U14, U3};
    /// # fn demo<B: selkie::process::Brand>(
    /// #     res: &mut selkie::bootstrap::Resources,
    /// #     process: &mut selkie::process::Process<B, selkie::typenum::U18, selkie::typenum::U64, selkie::Local>,
    /// # ) -> Result<(), selkie::Error> {
    /// use selkie::Region;
    /// let region = Region::new(res.untyped.alloc::<selkie::typenum::U12>()?, res.slots.alloc::<U1>()?)?;
    /// let (region, _) = res.root_vspace.map_next(region, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
    /// // Exclusive: writable here. Sharing consumes it: neither half gives `as_mut_slice` any more.
    /// let (mine, _second) = region.share(&res.cspace, res.slots.alloc::<U1>()?)?;
    /// let at = process.map_region(&mine)?; // the child sees the same page at `at`
    /// let first_byte = mine.as_slice()[0]; // the root task still reads it
    /// # let _ = (at, first_byte); Ok(()) }
    /// ```
    #[allow(clippy::type_complexity)]
    pub fn share(
        self,
        cspace: &Cap<LocalCNode, impl Invocable>,
        slots: CNodeSlots<P, Local<S>>,
    ) -> Result<
        (Region<P, St, Shared, Rt, Sz, S>, Region<P, Unmapped, Shared, Rt, Sz, S>),
        Refused<(Self, CNodeSlots<P, Local<S>>)>,
    > {
        let start = slots.start();
        for i in 0..P::USIZE {
            let slot = CNodeSlots::<U1, Local<S>>::new(slots.cnode(), slots.depth(), start + i as sys::Word, 1);
            let copied = crate::object::invoke(Operation::CNodeCopy, (), |()| {
                let rights = sys::CapRights::from_word(Rt::BITS);
                let src = self.frame_at(i).into_parts().0;
                // SAFETY: the source is a frame capability this region owns, the destination an empty slot of
                // `slots`; the kernel checks both. Copying changes no memory.
                unsafe {
                    sys::cnode_copy(
                        slot.cnode(),
                        slot.start(),
                        slot.depth(),
                        cspace.cptr(),
                        src,
                        WORD_DEPTH,
                        rights,
                    )
                }
            });
            if let Err(refused) = copied {
                for j in 0..i {
                    let _ = crate::object::delete_raw(slots.cnode(), start + j as sys::Word, slots.depth());
                }
                return Err(Refused {
                    error: refused.error,
                    inputs: (self, slots),
                });
            }
        }
        let copy = Region {
            first: Cap::new(start, *self.first.object()),
            vaddr: 0,
            vspace: 0,
            marker: PhantomData,
        };
        let (vaddr, vspace) = (self.vaddr, self.vspace);
        Ok((self.retag(vaddr, vspace), copy))
    }
}

impl<P: Unsigned, St: MapState, Sh: Sharing, Rt: RightsSet, Sz: FrameSize, S: Scope> Region<P, St, Sh, Rt, Sz, S> {
    /// Where the region is mapped.
    pub fn vaddr(&self) -> sys::Word
    where
        St: IsMapped,
    {
        self.vaddr
    }

    /// The root of the address space it is mapped in.
    pub fn vspace_root(&self) -> sys::CPtr
    where
        St: IsMapped,
    {
        self.vspace
    }

    /// Unmaps the region from `vspace`, where it must be mapped ([`Error::NotMappedThere`] otherwise: then
    /// it comes back in the [`Refused`]).
    #[allow(clippy::type_complexity)]
    pub fn unmap(self, vspace: &mut VSpace<St::Kind, S>) -> Result<Moved<P, Unmapped, Sh, Rt, Sz, S>, Refused<Self>>
    where
        St: IsMapped,
    {
        if vspace.root().cptr() != self.vspace {
            return Err(Refused {
                error: Error::NotMappedThere {
                    vaddr: self.vaddr,
                    root: vspace.root().cptr(),
                },
                inputs: self,
            });
        }
        for i in 0..P::USIZE {
            // SAFETY: this consumes the mapped region; every borrow of its memory (`as_slice`,
            // `as_mut_slice`) borrowed it, so none is left.
            if let Err(error) = unsafe { Arch::unmap_frame::<Sz>(self.first.cptr() + i as sys::Word) } {
                return Err(Refused { error, inputs: self });
            }
        }
        vspace.forget(self.vaddr);
        Ok(self.retag(0, 0))
    }

    /// Changes the mapping's rights to `Rt2`, which may only be fewer (`X86_Page_Remap` on x86_64).
    #[allow(clippy::type_complexity)]
    pub fn remap<Rt2: SubsetOf<Rt>>(self) -> Result<Moved<P, St, Sh, Rt2, Sz, S>, Refused<Self>>
    where
        St: IsMapped,
    {
        for i in 0..P::USIZE {
            if let Err(error) =
                Arch::remap_frame::<Sz, Rt2>(self.first.cptr() + i as sys::Word, self.vspace, VmAttributes::default())
            {
                return Err(Refused { error, inputs: self });
            }
        }
        let (vaddr, vspace) = (self.vaddr, self.vspace);
        Ok(self.retag(vaddr, vspace))
    }
}

impl<St: MapState, Sh: Sharing, Rt: RightsSet, Sz: FrameSize, S: Scope> Region<U1, St, Sh, Rt, Sz, S> {
    /// The region's one frame: what a thread's IPC buffer is (with [`Region::vaddr`]).
    pub fn frame(&self) -> &Cap<Frame<Sz, Rt>, Local<S>> {
        &self.first
    }
}

impl<P: Unsigned, St: MapState, Sh: Sharing, Rt: RightsSet, Sz: FrameSize, S: Scope> Region<P, St, Sh, Rt, Sz, S> {
    /// The region's memory, read through its mapping in the caller's own address space. Only for a region
    /// mapped there ([`Addressable`]) with the read right ([`Readable`]); otherwise this does not compile.
    pub fn as_slice(&self) -> &[u8]
    where
        St: Addressable,
        Rt: Readable,
    {
        // SAFETY: the region is mapped readable at `vaddr` in the caller's address space for as long as this
        // token is `Mapped<Own>`, and unmapping consumes it, so the borrow cannot outlive the mapping.
        unsafe { core::slice::from_raw_parts(self.vaddr as *const u8, Self::SIZE) }
    }

    /// The region's memory, writable through its mapping in the caller's own address space. Only for an
    /// exclusive ([`IsExclusive`]), readable and writable ([`Writable`]) mapping there ([`Addressable`]):
    /// nobody else maps these frames, so this is the only way to them. Otherwise this does not compile.
    pub fn as_mut_slice(&mut self) -> &mut [u8]
    where
        St: Addressable,
        Sh: IsExclusive,
        Rt: Readable + Writable,
    {
        // SAFETY: mapped read-write at `vaddr` in the caller's address space while this token is
        // `Mapped<Own>`; `Exclusive` means no other mapping of the frames exists, and `&mut self` makes this
        // the only borrow.
        unsafe { core::slice::from_raw_parts_mut(self.vaddr as *mut u8, Self::SIZE) }
    }
}

/// Maps copies of the `pages` 4 KiB frames whose capabilities start at `first` (in the caller's CSpace) into a
/// child, at the next address of its grant window `next` (advanced past them), writable if `write`; returns
/// the address. The copies are made in the process's own slots, so its teardown removes them.
pub(crate) fn map_in_child<S: Scope>(
    loader: &mut crate::process::Loader<'_, S>,
    next: &mut sys::Word,
    first: sys::CPtr,
    pages: usize,
    write: bool,
    attr: VmAttributes,
) -> Result<sys::Word, Error> {
    let at = *next;
    let perms = if write {
        crate::process::Perms::RW
    } else {
        crate::process::Perms::R
    };
    for i in 0..pages {
        let page = crate::process::PAGE_SIZE as sys::Word;
        loader.map_copy_with(first + i as sys::Word, at + i as sys::Word * page, perms, attr)?;
    }
    *next = at + (pages * crate::process::PAGE_SIZE) as sys::Word;
    Ok(at)
}

/// A region's mapping refused: the region, unmapped, and the paging resources the mapping did not use.
pub type MapRefused<P, Sh, Rt, Sz, S, Bits, R> = Refused<(Region<P, Unmapped, Sh, Rt, Sz, S>, Leftover<Bits, R, S>)>;
/// A region mapped in an address space of kind `K`, and the paging resources left over.
pub type MapResult<P, K, Sh, Rt, Sz, S, Bits, R> =
    Result<(Region<P, Mapped<K>, Sh, Rt, Sz, S>, Leftover<Bits, R, S>), MapRefused<P, Sh, Rt, Sz, S, Bits, R>>;
/// A region after a scratch mapping ([`VSpace::fill`], [`VSpace::inspect`]), the closure's result and the
/// paging resources left over.
pub type ScratchResult<P, Sh, Rt, Sz, S, Bits, R, Out> =
    Result<(Region<P, Unmapped, Sh, Rt, Sz, S>, Out, Leftover<Bits, R, S>), MapRefused<P, Sh, Rt, Sz, S, Bits, R>>;

impl<K: VSpaceKind, S: Scope> VSpace<K, S> {
    /// Maps `region` at `vaddr` with its rights, making the paging structures that are missing from `mem` and
    /// `slots` (how many a region may need is in its type: too little does not compile, see
    /// [`crate::vspace`]). Returns the mapped region and the slots left over. A misaligned, out-of-range or
    /// overlapping address is an [`Error`] with the addresses; then, or when the kernel refuses, the region
    /// comes back unmapped with the unused slots.
    pub fn map<P, St, Sh, Rt, Sz, Bits, N, R>(
        &mut self,
        region: Region<P, St, Sh, Rt, Sz, S>,
        vaddr: sys::Word,
        mem: Cap<Untyped<Bits>, R>,
        slots: CNodeSlots<N, Local<S>>,
    ) -> MapResult<P, K, Sh, Rt, Sz, S, Bits, R>
    where
        P: Unsigned,
        St: IsUnmapped,
        Sh: Sharing,
        Rt: RightsSet,
        Sz: FrameSize,
        Bits: PagingMemory<P, Sz>,
        N: PagingSlots<P, Sz>,
        R: Invocable + FlowsInto<Local<S>>,
    {
        self.map_with(region, vaddr, VmAttributes::default(), mem, slots)
    }

    /// [`map`](VSpace::map) with caching attributes `attr` (for device registers,
    /// [`VmAttributes::CacheDisabled`]).
    pub fn map_with<P, St, Sh, Rt, Sz, Bits, N, R>(
        &mut self,
        region: Region<P, St, Sh, Rt, Sz, S>,
        vaddr: sys::Word,
        attr: VmAttributes,
        mem: Cap<Untyped<Bits>, R>,
        slots: CNodeSlots<N, Local<S>>,
    ) -> MapResult<P, K, Sh, Rt, Sz, S, Bits, R>
    where
        P: Unsigned,
        St: IsUnmapped,
        Sh: Sharing,
        Rt: RightsSet,
        Sz: FrameSize,
        Bits: PagingMemory<P, Sz>,
        N: PagingSlots<P, Sz>,
        R: Invocable + FlowsInto<Local<S>>,
    {
        let region: Region<P, Unmapped, Sh, Rt, Sz, S> = region.retag(0, 0);
        let mut budget = Budget::new(mem, slots);
        let len = Region::<P, Unmapped, Sh, Rt, Sz, S>::SIZE as sys::Word;
        let step: sys::Word = 1 << Sz::Bits::USIZE;
        let levels = Sz::Levels::USIZE;
        let mut done = 0;
        let result = self.check(vaddr, len, Sz::Bits::U8).and_then(|()| {
            for i in 0..P::USIZE {
                let at = vaddr + i as sys::Word * step;
                self.ensure_tables(at, levels, &mut budget)?;
                match Arch::map_frame::<Sz, Rt>(region.first.cptr() + i as sys::Word, self.root().cptr(), at, attr) {
                    Ok(()) => done += 1,
                    Err(Error::Kernel {
                        code: sys::Error::DeleteFirst,
                        ..
                    }) => {
                        return Err(Error::MappingOverlap {
                            vaddr,
                            len,
                            existing: at,
                            existing_len: step,
                        })
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => {
                self.record(vaddr, len);
                Ok((region.retag(vaddr, self.root().cptr()), budget.into_leftover()))
            }
            Err(error) => {
                for i in 0..done {
                    // SAFETY: these frames were mapped by this call a moment ago; nothing borrows them.
                    let _ = unsafe { Arch::unmap_frame::<Sz>(region.first.cptr() + i as sys::Word) };
                }
                Err(Refused {
                    error,
                    inputs: (region, budget.into_leftover()),
                })
            }
        }
    }
}

impl<S: Scope> VSpace<Own, S> {
    /// Maps `region` at the next free address of the root task's free range (see [`VSpace::reserve`]); as
    /// [`map`](VSpace::map).
    pub fn map_next<P, St, Sh, Rt, Sz, Bits, N, R>(
        &mut self,
        region: Region<P, St, Sh, Rt, Sz, S>,
        mem: Cap<Untyped<Bits>, R>,
        slots: CNodeSlots<N, Local<S>>,
    ) -> MapResult<P, Own, Sh, Rt, Sz, S, Bits, R>
    where
        P: Unsigned,
        St: IsUnmapped,
        Sh: Sharing,
        Rt: RightsSet,
        Sz: FrameSize,
        Bits: PagingMemory<P, Sz>,
        N: PagingSlots<P, Sz>,
        R: Invocable + FlowsInto<Local<S>>,
    {
        match self.reserve(Sz::Bits::U8, P::USIZE) {
            Ok(vaddr) => self.map(region, vaddr, mem, slots),
            Err(error) => Err(Refused {
                error,
                inputs: (region.retag(0, 0), Budget::new(mem, slots).into_leftover()),
            }),
        }
    }

    /// Fills an unmapped, exclusive region (say, another address space's memory before it starts) through a
    /// temporary mapping in the root task's own address space: maps it at the next free address, calls `f`
    /// with its memory, unmaps it. Returns `f`'s result and the slots the mapping did not use.
    #[allow(clippy::type_complexity)]
    pub fn fill<P, Rt, Sz, Bits, N, R, Out>(
        &mut self,
        region: Region<P, Unmapped, Exclusive, Rt, Sz, S>,
        mem: Cap<Untyped<Bits>, R>,
        slots: CNodeSlots<N, Local<S>>,
        f: impl FnOnce(&mut [u8]) -> Out,
    ) -> ScratchResult<P, Exclusive, Rt, Sz, S, Bits, R, Out>
    where
        P: Unsigned,
        Rt: Readable + Writable,
        Sz: FrameSize,
        Bits: PagingMemory<P, Sz>,
        N: PagingSlots<P, Sz>,
        R: Invocable + FlowsInto<Local<S>>,
    {
        let (mut mapped, rest) = self.map_next(region, mem, slots)?;
        let out = f(mapped.as_mut_slice());
        match mapped.unmap(self) {
            Ok(region) => Ok((region, out, rest)),
            Err(refused) => Err(Refused {
                error: refused.error,
                inputs: (refused.inputs.retag(0, 0), rest),
            }),
        }
    }

    /// Reads an unmapped region (exclusive or shared) through a temporary read-only mapping in the root
    /// task's own address space; as [`fill`](VSpace::fill) with `&[u8]`.
    #[allow(clippy::type_complexity)]
    pub fn inspect<P, Sh, Rt, Sz, Bits, N, R, Out>(
        &mut self,
        region: Region<P, Unmapped, Sh, Rt, Sz, S>,
        mem: Cap<Untyped<Bits>, R>,
        slots: CNodeSlots<N, Local<S>>,
        f: impl FnOnce(&[u8]) -> Out,
    ) -> ScratchResult<P, Sh, Rt, Sz, S, Bits, R, Out>
    where
        P: Unsigned,
        Sh: Sharing,
        Rt: Readable,
        Sz: FrameSize,
        Bits: PagingMemory<P, Sz>,
        N: PagingSlots<P, Sz>,
        R: Invocable + FlowsInto<Local<S>>,
    {
        let (mapped, rest) = self.map_next(region, mem, slots)?;
        let out = f(mapped.as_slice());
        match mapped.unmap(self) {
            Ok(region) => Ok((region, out, rest)),
            Err(refused) => Err(Refused {
                error: refused.error,
                inputs: (refused.inputs.retag(0, 0), rest),
            }),
        }
    }
}
