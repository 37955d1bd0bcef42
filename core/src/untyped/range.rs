//! The capabilities made by one retype of several objects.

use core::marker::PhantomData;

use selkie_sys as sys;

use crate::object::KernelObject;
use crate::role::Role;
use crate::Cap;

/// `Count` capabilities to consecutive new objects of type `T`, from
/// [`Cap::retype_multi`](crate::Cap::retype_multi). Iterating hands each one out once.
#[must_use = "the objects' capabilities are lost unless taken"]
pub struct CapRange<T: KernelObject, R: Role, Count> {
    next: sys::CPtr,
    end: sys::CPtr,
    paddr: sys::Word,
    marker: PhantomData<(T, R, Count)>,
}

impl<T: KernelObject, R: Role, Count> CapRange<T, R, Count> {
    pub(crate) fn new(start: sys::CPtr, count: usize, paddr: sys::Word) -> Self {
        CapRange {
            next: start,
            end: start + count as sys::CPtr,
            paddr,
            marker: PhantomData,
        }
    }
}

impl<T: KernelObject, R: Role, Count> Iterator for CapRange<T, R, Count> {
    type Item = Cap<T, R>;

    fn next(&mut self) -> Option<Cap<T, R>> {
        if self.next == self.end {
            return None;
        }
        let cap = Cap::new(self.next, T::created_at(self.paddr));
        self.next += 1;
        self.paddr += 1 << <T::SizeBits as typenum::Unsigned>::U32;
        Some(cap)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.end - self.next) as usize;
        (n, Some(n))
    }
}

impl<T: KernelObject, R: Role, Count> ExactSizeIterator for CapRange<T, R, Count> {}
