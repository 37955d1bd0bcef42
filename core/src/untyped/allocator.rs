//! The untyped allocator: hands out untyped memory of a requested size from the kernel's untyped list,
//! splitting larger pieces, with runtime checks that return errors carrying the numbers.

use arrayvec::ArrayVec;
use selkie_sys as sys;
use typenum::Unsigned;

use super::retype::retype_call;
use super::{Device, General, Untyped};
use crate::object::invoke;
use crate::role::{Forever, Local, Scope};
use crate::slots::{CNodeSlots, Runtime};
use crate::{Cap, Error, Operation};

/// One free untyped the allocator knows: a capability in the caller's CSpace and what it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FreeUntyped {
    pub(crate) cptr: sys::CPtr,
    pub(crate) paddr: sys::Word,
    pub(crate) bits: u8,
    pub(crate) device: bool,
}

impl FreeUntyped {
    fn end(&self) -> u128 {
        self.paddr as u128 + (1u128 << self.bits)
    }
}

/// How many free untypeds the allocator can track: the bootinfo list plus the halves splitting leaves.
const CAPACITY: usize = sys::config::MAX_NUM_BOOTINFO_UNTYPED_CAPS + 2 * sys::Word::BITS as usize;
/// How many slot pools [`UntypedAllocator::add_slots`] can give the allocator besides its own.
const SLOT_POOLS: usize = 8;

/// Hands out [`Untyped`] memory of the size asked for from the kernel's untyped list, splitting larger
/// pieces in half until one has the right size. It owns a pool of slots for the halves; when they run out it
/// says so ([`Error::AllocatorSlotsExhausted`]) and [`add_slots`](UntypedAllocator::add_slots) gives it more.
///
/// The memory it hands out has the allocator's scope `S`: [`Forever`] for the one from
/// [`BootInfo::take`](crate::bootstrap::BootInfo::take), [`Lent`](crate::Lent) inside
/// [`BootInfo::lend`](crate::bootstrap::BootInfo::lend).
///
/// ```no_run
/// # fn demo(res: &mut selkie::bootstrap::Resources) -> Result<(), selkie::Error> {
/// use selkie::typenum::{U20, U40};
/// let mem = res.untyped.alloc::<U20>()?; // 1 MiB
/// // Asking for more than exists is an error with the numbers, never a panic:
/// let err = res.untyped.alloc::<U40>().unwrap_err();
/// selkie::println!("{err}"); // asked for 2^40 bytes of untyped memory, the largest free untyped is 2^27
/// # let _ = mem; Ok(()) }
/// ```
pub struct UntypedAllocator<S: Scope = Forever> {
    free: ArrayVec<FreeUntyped, CAPACITY>,
    /// The slots the next split takes from.
    slots: CNodeSlots<Runtime, Local<S>>,
    /// Pools given with `add_slots`, used in turn when `slots` runs out.
    more_slots: ArrayVec<CNodeSlots<Runtime, Local<S>>, SLOT_POOLS>,
}

impl<S: Scope> core::fmt::Debug for UntypedAllocator<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UntypedAllocator")
            .field("free", &self.free.len())
            .field("largest_bits", &self.largest_free_bits())
            .field("slots", &self.slots_left())
            .finish()
    }
}

/// Picks the smallest free untyped of the right kind with at least `bits`, or says how large the largest
/// one is.
pub(crate) fn best_fit(free: &[FreeUntyped], bits: u8, device: bool) -> Result<usize, Option<u8>> {
    let candidates = free.iter().enumerate().filter(|(_, u)| u.device == device);
    match candidates
        .clone()
        .filter(|(_, u)| u.bits >= bits)
        .min_by_key(|(_, u)| u.bits)
    {
        Some((i, _)) => Ok(i),
        None => Err(candidates.map(|(_, u)| u.bits).max()),
    }
}

/// Picks the smallest free device untyped that covers `2^bits` bytes at `paddr`.
pub(crate) fn covering(free: &[FreeUntyped], paddr: sys::Word, bits: u8) -> Option<usize> {
    let end = paddr as u128 + (1u128 << bits);
    free.iter()
        .enumerate()
        .filter(|(_, u)| u.device && u.bits >= bits && u.paddr <= paddr && end <= u.end())
        .min_by_key(|(_, u)| u.bits)
        .map(|(i, _)| i)
}

impl<S: Scope> UntypedAllocator<S> {
    pub(crate) fn new(slots: CNodeSlots<Runtime, Local<S>>) -> Self {
        UntypedAllocator {
            free: ArrayVec::new(),
            slots,
            more_slots: ArrayVec::new(),
        }
    }

    pub(crate) fn add(&mut self, u: FreeUntyped) -> Result<(), Error> {
        self.free
            .try_push(u)
            .map_err(|_| Error::AllocatorFull { capacity: CAPACITY })
    }

    /// The slots the allocator splits into now (its own pool until that runs out).
    pub(crate) fn slots(&self) -> &CNodeSlots<Runtime, Local<S>> {
        &self.slots
    }

    /// Gives the allocator more slots for the halves it makes when it splits memory, for when its own pool
    /// runs out ([`Error::AllocatorSlotsExhausted`]). Each split takes two slots. The slots must be of the
    /// allocator's scope; they stay the allocator's. Fails with [`Error::AllocatorFull`] when it already holds
    /// as many extra pools as it can track.
    ///
    /// ```no_run
    /// # fn demo(res: &mut selkie::bootstrap::Resources) -> Result<(), selkie::Error> {
    /// use selkie::typenum::{U1024, U20};
    /// let more = res.slots.alloc::<U1024>()?;
    /// res.untyped.add_slots(more)?;
    /// let mem = res.untyped.alloc::<U20>()?;
    /// # let _ = mem; Ok(()) }
    /// ```
    pub fn add_slots<N>(&mut self, slots: CNodeSlots<N, Local<S>>) -> Result<(), Error> {
        let slots = slots.into_runtime_any();
        if self.slots.len() < 2 {
            self.slots = slots;
            return Ok(());
        }
        self.more_slots
            .try_push(slots)
            .map_err(|_| Error::AllocatorFull { capacity: SLOT_POOLS })
    }

    /// The number of splits the allocator's slots still allow.
    fn splits_left(&self) -> usize {
        self.slots.len() / 2 + self.more_slots.iter().map(|p| p.len() / 2).sum::<usize>()
    }

    /// Two slots for the next split, from the current pool or the next added one.
    fn pair(&mut self) -> Result<CNodeSlots<typenum::U2, Local<S>>, Error> {
        while self.slots.len() < 2 {
            match self.more_slots.pop() {
                Some(next) => self.slots = next,
                None => {
                    return Err(Error::AllocatorSlotsExhausted {
                        needed: 2,
                        left: self.slots_left(),
                    })
                }
            }
        }
        self.slots.alloc::<typenum::U2>()
    }

    /// The size of the largest free general-memory untyped, as a power of two.
    pub fn largest_free_bits(&self) -> Option<u8> {
        self.free.iter().filter(|u| !u.device).map(|u| u.bits).max()
    }

    /// The total free general memory in bytes.
    pub fn free_bytes(&self) -> u128 {
        self.free.iter().filter(|u| !u.device).map(|u| 1u128 << u.bits).sum()
    }

    /// How many slots the allocator has left for splitting.
    pub fn slots_left(&self) -> usize {
        self.slots.len() + self.more_slots.iter().map(|p| p.len()).sum::<usize>()
    }

    /// `2^Bits` bytes of general memory. Returns [`Error::UntypedExhausted`] with the requested and the
    /// largest available size when no free untyped is large enough, and [`Error::AllocatorSlotsExhausted`]
    /// when the allocator's own slots for splitting run out (give it more with
    /// [`add_slots`](UntypedAllocator::add_slots)).
    pub fn alloc<Bits: Unsigned>(&mut self) -> Result<Cap<Untyped<Bits, General>, S::Root>, Error> {
        let bits = Bits::U8;
        let i = best_fit(&self.free, bits, false).map_err(|largest_bits| Error::UntypedExhausted {
            requested_bits: bits,
            largest_bits,
        })?;
        let u = self.shrink(i, bits, None)?;
        Ok(Cap::new(u.cptr, Untyped::from_data(u.paddr)))
    }

    /// `2^Bits` bytes of device memory at physical address `paddr` (aligned to its size). Returns
    /// [`Error::DeviceMemoryNotFound`] when no free device untyped covers that range.
    pub fn alloc_device<Bits: Unsigned>(
        &mut self,
        paddr: sys::Word,
    ) -> Result<Cap<Untyped<Bits, Device>, S::Root>, Error> {
        let bits = Bits::U8;
        let not_found = Error::DeviceMemoryNotFound { paddr, size_bits: bits };
        if paddr & ((1 << bits) - 1) != 0 {
            return Err(not_found);
        }
        let i = covering(&self.free, paddr, bits).ok_or(not_found)?;
        let u = self.shrink(i, bits, Some(paddr))?;
        Ok(Cap::new(u.cptr, Untyped::from_data(u.paddr)))
    }

    /// Takes free untyped `i` and halves it until it has `bits`, keeping the half that contains `target` (or
    /// the first), returning the other halves to the free list.
    fn shrink(&mut self, i: usize, bits: u8, target: Option<sys::Word>) -> Result<FreeUntyped, Error> {
        let levels = (self.free[i].bits - bits) as usize;
        if levels > self.splits_left() {
            return Err(Error::AllocatorSlotsExhausted {
                needed: 2 * levels,
                left: self.slots_left(),
            });
        }
        if self.free.len() - 1 + levels > CAPACITY {
            return Err(Error::AllocatorFull { capacity: CAPACITY });
        }
        let mut u = self.free.swap_remove(i);
        while u.bits > bits {
            let half = u.bits - 1;
            let dest = match self.pair() {
                Ok(dest) => dest,
                Err(e) => {
                    self.free.push(u);
                    return Err(e);
                }
            };
            let split = invoke(Operation::UntypedRetype, dest, |dest| {
                retype_call(u.cptr, sys::ObjectType::Untyped, half as usize, dest)
            });
            let dest = match split {
                Ok((dest, ())) => dest,
                Err(refused) => {
                    // Put the piece back so the allocator stays consistent.
                    self.free.push(u);
                    return Err(refused.error);
                }
            };
            let low = FreeUntyped {
                cptr: dest.start(),
                paddr: u.paddr,
                bits: half,
                device: u.device,
            };
            let high = FreeUntyped {
                cptr: dest.start() + 1,
                paddr: u.paddr + (1 << half),
                ..low
            };
            let keep_high = matches!(target, Some(t) if t >= high.paddr);
            let (kept, spare) = if keep_high { (high, low) } else { (low, high) };
            self.free.push(spare);
            u = kept;
        }
        Ok(u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ut(cptr: u64, paddr: u64, bits: u8, device: bool) -> FreeUntyped {
        FreeUntyped {
            cptr,
            paddr,
            bits,
            device,
        }
    }

    #[test]
    fn best_fit_takes_the_smallest_large_enough() {
        let free = [
            ut(1, 0, 20, false),
            ut(2, 0, 14, false),
            ut(3, 0, 16, false),
            ut(4, 0, 30, true),
        ];
        assert_eq!(best_fit(&free, 12, false), Ok(1));
        assert_eq!(best_fit(&free, 15, false), Ok(2));
        assert_eq!(best_fit(&free, 20, false), Ok(0));
    }

    #[test]
    fn best_fit_reports_the_largest_when_nothing_fits() {
        let free = [ut(1, 0, 18, false), ut(2, 0, 12, false), ut(4, 0, 30, true)];
        assert_eq!(best_fit(&free, 20, false), Err(Some(18)));
        assert_eq!(best_fit(&[], 20, false), Err(None));
        assert_eq!(best_fit(&free, 31, true), Err(Some(30)));
    }

    #[test]
    fn covering_finds_device_memory_by_address() {
        let free = [
            ut(1, 0xfe00_0000, 24, true),
            ut(2, 0xfe00_0000, 12, true),
            ut(3, 0, 30, false),
        ];
        assert_eq!(covering(&free, 0xfe00_0000, 12), Some(1));
        assert_eq!(covering(&free, 0xfe10_0000, 12), Some(0));
        assert_eq!(
            covering(&free, 0x1000, 12),
            None,
            "general memory is never device memory"
        );
        assert_eq!(covering(&free, 0xff00_0000, 12), None);
    }
}
