//! A capability the root task copied into a running child's CSpace ([`RunningProcess::copy_in`]): a token
//! that borrows the process, so it cannot outlive it.
//!
//! [`RunningProcess::copy_in`]: super::RunningProcess::copy_in

use core::marker::PhantomData;
use core::ops::Deref;

use crate::object::CapType;
use crate::role::{ChildOf, Scope};
use crate::Cap;

/// A capability in child `B`'s CSpace, made by [`copy_in`](super::RunningProcess::copy_in). It borrows the
/// process (`'p`): [`teardown`](super::RunningProcess::teardown), which empties the child's CSpace, does not
/// compile while such a token is still used, so no token names a slot of a torn-down process. Read it as
/// the [`Cap<T, ChildOf<B, S>>`] it is (a child's capability: the caller cannot invoke it); give it back with
/// [`delete_in`](super::RunningProcess::delete_in).
#[must_use = "a capability in the child's CSpace: delete it with `delete_in` to take it back"]
pub struct ChildCap<'p, T: CapType, B: 'static, S: Scope> {
    cap: Cap<T, ChildOf<B, S>>,
    process: PhantomData<&'p ()>,
}

impl<T: CapType, B: 'static, S: Scope> ChildCap<'_, T, B, S> {
    pub(super) fn new(cap: Cap<T, ChildOf<B, S>>) -> Self {
        ChildCap {
            cap,
            process: PhantomData,
        }
    }

    pub(super) fn into_cap(self) -> Cap<T, ChildOf<B, S>> {
        self.cap
    }
}

impl<T: CapType, B: 'static, S: Scope> Deref for ChildCap<'_, T, B, S> {
    type Target = Cap<T, ChildOf<B, S>>;
    fn deref(&self) -> &Self::Target {
        &self.cap
    }
}

impl<T: CapType, B: 'static, S: Scope> core::fmt::Debug for ChildCap<'_, T, B, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.cap.fmt(f)
    }
}
