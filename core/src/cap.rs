//! The capability token.

use core::fmt;
use core::marker::PhantomData;

use selkie_sys as sys;

use crate::object::CapType;
use crate::role::{Local, Role};

/// A capability to a kernel object of type `T`, valid in the CSpace of role `R`.
///
/// A `Cap` is a linear token: it is neither `Copy` nor `Clone`, its address is private, and the operations
/// that change the kernel's capability state consume it and return the tokens that then exist (a copy into a
/// new slot, the slot a move vacated, ...). Only the typed layer creates one.
#[must_use = "a capability occupies a CNode slot: delete it to get the slot back"]
pub struct Cap<T: CapType, R: Role = Local> {
    cptr: sys::CPtr,
    object: T,
    role: PhantomData<R>,
}

impl<T: CapType, R: Role> Cap<T, R> {
    /// Wraps an address the typed layer knows holds a `T` in a CSpace of role `R`.
    pub(crate) fn new(cptr: sys::CPtr, object: T) -> Self {
        Cap {
            cptr,
            object,
            role: PhantomData,
        }
    }

    /// The capability's address in its CSpace, for calling the raw [`selkie_sys`] interface.
    ///
    /// The address is read-only: nothing can make a `Cap` point elsewhere.
    pub fn cptr(&self) -> sys::CPtr {
        self.cptr
    }

    /// The data the capability carries (a badge, a physical address, ...).
    pub fn object(&self) -> &T {
        &self.object
    }

    /// Takes the token apart; the capability itself stays in its slot.
    pub(crate) fn into_parts(self) -> (sys::CPtr, T) {
        (self.cptr, self.object)
    }
}

impl<T: CapType, R: Role> fmt::Debug for Cap<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cap<{}>({:#x})", T::NAME, self.cptr)
    }
}
