//! Notifications, an asynchronous word of signal bits, and their invocations: signal and wait.

use selkie_sys as sys;
use typenum::U5;

use super::Badge;
use crate::rights::{CanRead, CanWrite, RightsSet};
use crate::role::{Invocable, Role};
use crate::Cap;

kernel_object! {
    /// A notification: an asynchronous word of signal bits. `Rt`: write signals, read waits.
    pub struct Notification<>(Badge);
    name: "notification",
    tag: NOTIFICATION,
    rights: [Rt],
    retype: [U5 = NOTIFICATION_BITS, selkie_sys::ObjectType::Notification],
    copy: rights,
    mint: [badge],
    device: no,
}

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
