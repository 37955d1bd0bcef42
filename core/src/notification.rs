//! Signalling and waiting on notifications.

use selkie_sys as sys;

use crate::object::Notification;
use crate::rights::{CanRead, CanWrite, RightsSet};
use crate::role::{Invocable, Role};
use crate::Cap;

impl<Rt: RightsSet, R: Role> Cap<Notification<Rt>, R> {
    /// Sets this capability's badge bits in the notification's word (`seL4_Signal`). Needs the write right.
    pub fn signal(&self)
    where
        R: Invocable,
        Rt: CanWrite,
    {
        // SAFETY: signalling only changes kernel state; an invalid capability makes the kernel ignore it.
        unsafe { sys::signal(self.cptr()) }
    }

    /// Blocks until the notification's word is non-zero, then returns and clears it (`seL4_Wait`): the
    /// bitwise OR of the badges of every signal since the last wait. Needs the read right.
    pub fn wait(&self) -> sys::Word
    where
        R: Invocable,
        Rt: CanRead,
    {
        // SAFETY: waiting only blocks the calling thread; the badge comes back in a register.
        unsafe { sys::wait(self.cptr()) }
    }
}
