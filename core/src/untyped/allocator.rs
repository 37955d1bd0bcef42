//! The untyped allocator: hands out untyped memory of a requested size from the kernel's untyped list,
//! splitting larger pieces, with runtime checks that return errors carrying the numbers.

use arrayvec::ArrayVec;
use selkie_sys as sys;
use typenum::Unsigned;

use super::{Device, General, Untyped};
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

/// Hands out [`Untyped`] memory of the size asked for from the kernel's untyped list, splitting larger
/// pieces in half until one has the right size. It owns a pool of slots for the halves.
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
pub struct UntypedAllocator {
    free: ArrayVec<FreeUntyped, CAPACITY>,
    slots: CNodeSlots<Runtime>,
}

impl core::fmt::Debug for UntypedAllocator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UntypedAllocator")
            .field("free", &self.free.len())
            .field("largest_bits", &self.largest_free_bits())
            .field("slots", &self.slots.len())
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

impl UntypedAllocator {
    pub(crate) fn new(slots: CNodeSlots<Runtime>) -> Self {
        UntypedAllocator {
            free: ArrayVec::new(),
            slots,
        }
    }

    pub(crate) fn add(&mut self, u: FreeUntyped) -> Result<(), Error> {
        self.free
            .try_push(u)
            .map_err(|_| Error::AllocatorFull { capacity: CAPACITY })
    }

    pub(crate) fn slots(&self) -> &CNodeSlots<Runtime> {
        &self.slots
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
        self.slots.len()
    }

    /// `2^Bits` bytes of general memory. Returns [`Error::UntypedExhausted`] with the requested and the
    /// largest available size when no free untyped is large enough, and [`Error::SlotsExhausted`] when the
    /// allocator's slots for splitting run out.
    pub fn alloc<Bits: Unsigned>(&mut self) -> Result<Cap<Untyped<Bits, General>>, Error> {
        let bits = Bits::U8;
        let i = best_fit(&self.free, bits, false).map_err(|largest_bits| Error::UntypedExhausted {
            requested_bits: bits,
            largest_bits,
        })?;
        let u = self.shrink(i, bits, None)?;
        Ok(Cap::new(u.cptr, Untyped::at(u.paddr)))
    }

    /// `2^Bits` bytes of device memory at physical address `paddr` (aligned to its size). Returns
    /// [`Error::DeviceMemoryNotFound`] when no free device untyped covers that range.
    pub fn alloc_device<Bits: Unsigned>(&mut self, paddr: sys::Word) -> Result<Cap<Untyped<Bits, Device>>, Error> {
        let bits = Bits::U8;
        let not_found = Error::DeviceMemoryNotFound { paddr, size_bits: bits };
        if paddr & ((1 << bits) - 1) != 0 {
            return Err(not_found);
        }
        let i = covering(&self.free, paddr, bits).ok_or(not_found)?;
        let u = self.shrink(i, bits, Some(paddr))?;
        Ok(Cap::new(u.cptr, Untyped::at(u.paddr)))
    }

    /// Takes free untyped `i` and halves it until it has `bits`, keeping the half that contains `target` (or
    /// the first), returning the other halves to the free list.
    fn shrink(&mut self, i: usize, bits: u8, target: Option<sys::Word>) -> Result<FreeUntyped, Error> {
        let levels = (self.free[i].bits - bits) as usize;
        if 2 * levels > self.slots.len() {
            return Err(Error::SlotsExhausted {
                requested: 2 * levels,
                available: self.slots.len(),
            });
        }
        if self.free.len() - 1 + levels > CAPACITY {
            return Err(Error::AllocatorFull { capacity: CAPACITY });
        }
        let mut u = self.free.swap_remove(i);
        while u.bits > bits {
            let half = u.bits - 1;
            let dest = self.slots.alloc::<typenum::U2>()?;
            // SAFETY: `u` is a free untyped with no children that only the allocator names, and `dest` two
            // empty slots it owns; the kernel checks the rest.
            let result = unsafe {
                sys::untyped_retype(
                    u.cptr,
                    sys::ObjectType::Untyped as sys::Word,
                    half as sys::Word,
                    dest.cnode(),
                    0,
                    0,
                    dest.start(),
                    2,
                )
            };
            if let Err(code) = result {
                // Put the piece back so the allocator stays consistent.
                self.free.push(u);
                return Err(Error::Kernel {
                    op: Operation::UntypedRetype,
                    code,
                });
            }
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
