//! Carving one frame at a given physical address out of a larger untyped, without losing the rest of it.
//!
//! The kernel places each object it retypes from an untyped at the untyped's next free offset, aligned up to
//! the object's size. To get a frame at offset `o` of a `2^p`-byte untyped, the runtime first retypes
//! untypeds that fill `[0, o)` (one per set bit of `o`, largest first, so each is aligned where it lands),
//! then the frame, then untypeds that fill the rest up to `2^p` (each as large as the alignment of where it
//! starts allows). Every byte of the parent ends up in exactly one child, and the filler untypeds go back to
//! the root task's allocator: at most `2 * (p - frame bits) + 1` slots for the whole carve.

use arrayvec::ArrayVec;
use selkie_sys as sys;

/// The most retypes a carve takes (two fillers per size between a page and a 2^64-byte untyped, and the
/// frame).
pub(crate) const MAX_STEPS: usize = 2 * 64 + 1;

/// One retype of the parent untyped, in the order the kernel must see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    /// Where the object lands, as an offset into the parent.
    pub(crate) offset: u64,
    /// Its size as a power of two.
    pub(crate) bits: u8,
    /// Whether it is the frame; otherwise it is a filler untyped (handed to the root task).
    pub(crate) frame: bool,
}

/// The retypes that put a `2^frame_bits`-byte frame at `offset` inside a `2^parent_bits`-byte untyped, or
/// `None` when the frame does not fit there (misaligned, or past the end).
pub(crate) fn steps(parent_bits: u8, offset: u64, frame_bits: u8) -> Option<ArrayVec<Step, MAX_STEPS>> {
    if parent_bits >= 64 || frame_bits > parent_bits || !offset.is_multiple_of(1 << frame_bits) {
        return None;
    }
    let end = 1u64 << parent_bits;
    if offset >= end {
        return None;
    }
    let mut out = ArrayVec::new();
    let mut at = 0u64;
    for bits in (frame_bits..parent_bits).rev() {
        if offset & (1 << bits) != 0 {
            out.push(Step {
                offset: at,
                bits,
                frame: false,
            });
            at += 1 << bits;
        }
    }
    out.push(Step {
        offset,
        bits: frame_bits,
        frame: true,
    });
    at += 1 << frame_bits;
    while at < end {
        // `at` is a non-zero multiple of the frame size below `end`: its lowest set bit is below
        // `parent_bits`, and a block of that size starting at `at` ends at or before `end`.
        let bits = at.trailing_zeros() as u8;
        out.push(Step {
            offset: at,
            bits,
            frame: false,
        });
        at += 1 << bits;
    }
    Some(out)
}

/// The index, in the bootinfo's untyped list, of the smallest device untyped that holds the page at
/// `paddr`.
pub(crate) fn covering_device(list: &[sys::UntypedDesc], paddr: u64, frame_bits: u8) -> Option<usize> {
    list.iter()
        .enumerate()
        .filter(|(_, d)| {
            #[allow(clippy::useless_conversion)] // a no-op where the word is 64 bits, a widening on aarch32
            let start = u64::from(d.paddr);
            let end = start as u128 + (1u128 << d.size_bits);
            d.is_device != 0 && start <= paddr && (paddr as u128 + (1u128 << frame_bits)) <= end
        })
        .min_by_key(|(_, d)| d.size_bits)
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::vec::Vec;

    /// Checks that `steps` tile the parent exactly, each object aligned to its size, with one frame at
    /// `offset`.
    fn check(parent_bits: u8, offset: u64, frame_bits: u8) {
        let s = steps(parent_bits, offset, frame_bits).expect("fits");
        let mut at = 0;
        for step in &s {
            assert_eq!(step.offset, at, "{s:?}: objects follow each other");
            assert_eq!(
                step.offset % (1 << step.bits),
                0,
                "{s:?}: aligned where the kernel puts it"
            );
            at += 1u64 << step.bits;
        }
        assert_eq!(at, 1 << parent_bits, "{s:?}: the whole parent is used");
        let frames: Vec<&Step> = s.iter().filter(|st| st.frame).collect();
        assert_eq!(frames.len(), 1);
        assert_eq!((frames[0].offset, frames[0].bits), (offset, frame_bits));
        let bound = 2 * (parent_bits - frame_bits) as usize + 1;
        assert!(s.len() <= bound, "{} steps, at most {bound}", s.len());
    }

    #[test]
    fn a_frame_anywhere_in_an_untyped_tiles_it_exactly() {
        for parent in 12..=20u8 {
            for page in 0..(1u64 << (parent - 12)) {
                check(parent, page << 12, 12);
            }
        }
        check(31, 0x021e_8000, 12);
        check(32, 0xffff_f000, 12);
        check(16, 0, 16);
    }

    #[test]
    fn the_imx6_uart_region_takes_three_slots() {
        // UART2's region: 16 KiB at 0x021e_8000, the registers in its first page.
        let s = steps(14, 0, 12).unwrap();
        assert_eq!(
            s.iter().map(|st| (st.offset, st.bits, st.frame)).collect::<Vec<_>>(),
            [(0, 12, true), (0x1000, 12, false), (0x2000, 13, false)]
        );
    }

    #[test]
    fn frames_that_do_not_fit_have_no_plan() {
        assert!(steps(14, 0x800, 12).is_none(), "misaligned");
        assert!(steps(14, 0x4000, 12).is_none(), "past the end");
        assert!(steps(11, 0, 12).is_none(), "parent smaller than the frame");
    }

    fn desc(paddr: u64, size_bits: u8, device: bool) -> sys::UntypedDesc {
        // SAFETY: `UntypedDesc` is plain integers; all zeroes is a valid value.
        let mut d: sys::UntypedDesc = unsafe { core::mem::zeroed() };
        d.paddr = paddr as sys::Word;
        d.size_bits = size_bits;
        d.is_device = device.into();
        d
    }

    #[test]
    fn the_smallest_device_untyped_holding_the_page_is_chosen() {
        let list = [
            desc(0x1000_0000, 27, false), // RAM holding nothing of interest
            desc(0x0200_0000, 25, true),  // a large device region holding it
            desc(0x021e_8000, 14, true),  // the UART's own region
            desc(0x021e_c000, 14, true),  // a neighbour
            desc(0x021e_8000 - 0x4000, 14, false),
        ];
        assert_eq!(covering_device(&list, 0x021e_8000, 12), Some(2));
        assert_eq!(covering_device(&list, 0x021e_b000, 12), Some(2));
        assert_eq!(
            covering_device(&list, 0x1000_0000, 12),
            None,
            "general memory is not a device's"
        );
        assert_eq!(covering_device(&list[..2], 0x021e_8000, 12), Some(1));
        assert_eq!(covering_device(&list[3..], 0x021e_8000, 12), None);
    }
}
