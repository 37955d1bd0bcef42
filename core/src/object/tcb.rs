//! Thread control blocks.

use typenum::U11;

kernel_object! {
    /// A thread control block: a thread's registers, scheduling state and CSpace/VSpace roots.
    pub struct Tcb<>(());
    name: "TCB",
    tag: THREAD,
    rights: [],
    retype: [U11 = TCB_BITS, selkie_sys::ObjectType::Tcb],
    copy: as_is,
    mint: [],
    device: no,
}
