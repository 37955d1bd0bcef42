//! CNodes: the tables capabilities live in.

use core::marker::PhantomData;

use selkie_sys as sys;
use typenum::Unsigned;

use super::cap_type;
use crate::Error;

/// A CNode with `2^Radix` slots, made by [`Cap::retype_cnode`](crate::Cap::retype_cnode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CNode<Radix: Unsigned> {
    radix: PhantomData<Radix>,
}

impl<Radix: Unsigned> CNode<Radix> {
    pub(crate) const fn new() -> Self {
        CNode { radix: PhantomData }
    }
}

/// The CNode at the root of the caller's own CSpace. Operations that name a source capability by its
/// address in the caller's CSpace (copy, mint, move, delete, ...) take a reference to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalCNode {
    _private: (),
}

impl LocalCNode {
    pub(crate) const fn new() -> Self {
        LocalCNode { _private: () }
    }
}

cap_type!(CNode<Radix: Unsigned>, "CNode", sys::cap_tag::CNODE);
cap_type!(LocalCNode, "CNode", sys::cap_tag::CNODE);

/// A CNode capability's guard: `size_bits` address bits, which must equal `value`, that a lookup consumes
/// before the CNode's radix. Set with [`Cap::mutate`](crate::Cap::mutate).
///
/// ```
/// use selkie::CNodeGuard;
/// // A 2^12-slot CSpace root resolves 64-bit addresses with a 52-bit zero guard.
/// let g = CNodeGuard::new(0, 52).unwrap();
/// assert_eq!(g.size_bits(), 52);
/// assert!(CNodeGuard::new(1 << 18, 20).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CNodeGuard {
    value: sys::Word,
    size_bits: u8,
}

impl CNodeGuard {
    /// The widest guard value the kernel stores, in bits.
    pub const VALUE_BITS: u8 = 18;

    /// A guard of `size_bits` bits (at most 63) with value `value` (which must fit in it and in
    /// [`CNodeGuard::VALUE_BITS`]).
    pub fn new(value: sys::Word, size_bits: u8) -> Result<Self, Error> {
        let fits = size_bits < 64 && value >> Self::VALUE_BITS == 0 && (size_bits >= 18 || value >> size_bits == 0);
        if fits {
            Ok(CNodeGuard { value, size_bits })
        } else {
            Err(Error::BadGuard { value, size_bits })
        }
    }

    /// The guard's value.
    pub fn value(self) -> sys::Word {
        self.value
    }

    /// The guard's size in bits.
    pub fn size_bits(self) -> u8 {
        self.size_bits
    }

    /// The kernel's CNode cap-data word: guard in bits 8-25, guard size in bits 2-7.
    pub(crate) fn cap_data(self) -> sys::Word {
        (self.value << 8) | ((self.size_bits as sys::Word) << 2)
    }
}

/// Capabilities whose guard [`Cap::mutate`](crate::Cap::mutate) sets: CNodes.
#[diagnostic::on_unimplemented(
    message = "only CNode capabilities can be mutated",
    label = "`mutate` sets a CNode's guard; this is not a CNode capability",
    note = "on this kernel a badge is set with `mint`, not `mutate`"
)]
pub trait Guardable: super::CapType {}
impl<Radix: Unsigned> Guardable for CNode<Radix> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_cap_data_follows_the_kernel_bitfield() {
        // cnode_capdata (64-bit): guard in bits 8-25, guardSize in bits 2-7.
        assert_eq!(CNodeGuard::new(0, 52).unwrap().cap_data(), 52 << 2);
        assert_eq!(CNodeGuard::new(0x3, 2).unwrap().cap_data(), (0x3 << 8) | (2 << 2));
    }

    #[test]
    fn guards_that_do_not_fit_are_errors() {
        assert_eq!(CNodeGuard::new(4, 2), Err(Error::BadGuard { value: 4, size_bits: 2 }));
        assert_eq!(
            CNodeGuard::new(0, 64),
            Err(Error::BadGuard {
                value: 0,
                size_bits: 64
            })
        );
        assert!(CNodeGuard::new(1 << 18, 40).is_err());
        assert!(CNodeGuard::new((1 << 18) - 1, 40).is_ok());
    }
}
