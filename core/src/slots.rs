//! Empty CNode slots, counted in the type.

use core::fmt;
use core::marker::PhantomData;

use selkie_sys as sys;
use typenum::{Unsigned, U1};

use crate::bounds::TakeSlots;
use crate::role::{Local, Role};
use crate::Error;

/// The count of a [`CNodeSlots`] whose size is only known at run time (the root task's free slot range).
/// [`CNodeSlots::<Runtime>::alloc`](CNodeSlots::alloc) checks the count and returns an error instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runtime;

/// `N` empty, consecutive slots of one CNode; capabilities put in them are valid in the CSpace of role `R`.
///
/// `N` is a type-level number ([`typenum::U8`](crate::typenum::U8), ...) or [`Runtime`]. Every operation that
/// fills a slot consumes a `CNodeSlots<U1, R>`, so a slot cannot be filled twice.
///
/// ```no_run
/// # fn demo(slots: selkie::CNodeSlots<selkie::typenum::U8>) {
/// use selkie::typenum::{U2, U6};
/// let (two, rest) = slots.alloc::<U2>();
/// let _: selkie::CNodeSlots<U6> = rest;
/// # let _ = two;
/// # }
/// ```
#[must_use = "unused slots are lost unless kept"]
pub struct CNodeSlots<N, R: Role = Local> {
    /// The CNode holding the slots, addressed in the caller's CSpace.
    cnode: sys::CPtr,
    /// How many bits address a slot in that CNode through `cnode`: the word size for the caller's root
    /// CNode (whose guard takes the rest), the radix for a CNode made by `retype_cnode`.
    depth: u8,
    /// The first slot's index in the CNode.
    start: sys::Word,
    /// The number of slots (equal to `N` when `N` is a type-level number).
    count: usize,
    marker: PhantomData<(N, R)>,
}

/// One empty CNode slot.
pub type CNodeSlot<R = Local> = CNodeSlots<U1, R>;

impl<N, R: Role> CNodeSlots<N, R> {
    pub(crate) fn new(cnode: sys::CPtr, depth: u8, start: sys::Word, count: usize) -> Self {
        CNodeSlots {
            cnode,
            depth,
            start,
            count,
            marker: PhantomData,
        }
    }

    /// The number of slots.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no slots.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The first slot's index in its CNode, which is also the address a capability placed there has in the
    /// CSpace of role `R`.
    pub fn start(&self) -> sys::Word {
        self.start
    }

    pub(crate) fn cnode(&self) -> sys::CPtr {
        self.cnode
    }

    pub(crate) fn depth(&self) -> u8 {
        self.depth
    }

    /// A second token for the same slots, for lending them to a temporary scope that gives them back.
    pub(crate) fn lend<R2: Role>(&self) -> CNodeSlots<N, R2> {
        CNodeSlots::new(self.cnode, self.depth, self.start, self.count)
    }

    /// Splits off the first `k` slots (the caller has checked `k <= count`).
    fn split_off<K>(self, k: usize) -> (CNodeSlots<K, R>, CNodeSlots<N, R>) {
        let head = CNodeSlots::new(self.cnode, self.depth, self.start, k);
        let tail = CNodeSlots::new(self.cnode, self.depth, self.start + k as sys::Word, self.count - k);
        (head, tail)
    }

    /// Forgets the count's type, whether it is a type-level number or already [`Runtime`].
    pub(crate) fn into_runtime_any(self) -> CNodeSlots<Runtime, R> {
        self.retag()
    }

    fn retag<M>(self) -> CNodeSlots<M, R> {
        CNodeSlots::new(self.cnode, self.depth, self.start, self.count)
    }
}

impl<N: Unsigned, R: Role> CNodeSlots<N, R> {
    /// Takes `K` slots; the other `N - K` come back as the second value. Taking more than `N` does not
    /// compile ("not enough CNode slots").
    pub fn alloc<K: Unsigned>(self) -> (CNodeSlots<K, R>, CNodeSlots<N::Rest, R>)
    where
        N: TakeSlots<K>,
    {
        // Built in place rather than through the generic helpers: this is instantiated once per pool size
        // (a chain of `alloc`s from one pool makes a new `N` each time), so it is kept to one small function.
        let k = K::USIZE;
        let head = CNodeSlots {
            cnode: self.cnode,
            depth: self.depth,
            start: self.start,
            count: k,
            marker: PhantomData,
        };
        let tail = CNodeSlots {
            cnode: self.cnode,
            depth: self.depth,
            start: self.start + k as sys::Word,
            count: self.count - k,
            marker: PhantomData,
        };
        (head, tail)
    }

    /// Forgets the count's type, for code that only knows it at run time.
    pub fn into_runtime(self) -> CNodeSlots<Runtime, R> {
        self.retag()
    }
}

impl<R: Role> CNodeSlots<Runtime, R> {
    /// Takes `K` slots if at least `K` are left, or returns [`Error::SlotsExhausted`] with the numbers.
    pub fn alloc<K: Unsigned>(&mut self) -> Result<CNodeSlots<K, R>, Error> {
        if K::USIZE > self.count {
            return Err(Error::SlotsExhausted {
                requested: K::USIZE,
                available: self.count,
            });
        }
        let rest = CNodeSlots::new(self.cnode, self.depth, self.start, self.count);
        let (head, tail) = rest.split_off::<K>(K::USIZE);
        *self = tail;
        Ok(head)
    }
}

impl<N, R: Role> fmt::Debug for CNodeSlots<N, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CNodeSlots({} at {:#x} in CNode {:#x})",
            self.count, self.start, self.cnode
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use typenum::{U3, U5, U8};

    fn pool<N>(count: usize) -> CNodeSlots<N> {
        CNodeSlots::new(2, 64, 100, count)
    }

    #[test]
    fn static_alloc_splits_the_range() {
        let (a, rest) = pool::<U8>(8).alloc::<U3>();
        assert_eq!((a.start(), a.len()), (100, 3));
        let (b, rest) = rest.alloc::<U5>();
        assert_eq!((b.start(), b.len()), (103, 5));
        assert!(rest.is_empty());
    }

    #[test]
    fn runtime_alloc_checks_the_count() {
        let mut p = pool::<Runtime>(4);
        let a = p.alloc::<U3>().unwrap();
        assert_eq!((a.start(), p.start(), p.len()), (100, 103, 1));
        assert_eq!(
            p.alloc::<U3>().unwrap_err(),
            Error::SlotsExhausted {
                requested: 3,
                available: 1
            }
        );
        assert_eq!(p.len(), 1, "a failed alloc leaves the pool as it was");
    }
}
