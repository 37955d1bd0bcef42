//! Notifications, an asynchronous word of signal bits, and their invocations: signal, wait and poll.
//!
//! See [`Signals`] for the signal and wait ends and what a wait returns.

use core::fmt;

use selkie_sys as sys;

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
    retype: [crate::arch::NotificationBits = NOTIFICATION_BITS, selkie_sys::ObjectType::Notification],
    copy: rights,
    mint: [badge],
    device: no,
}

/// What a [`wait`](Cap::wait) or [`poll`](Cap::poll) on a notification returns: the bitwise OR of the badges
/// of every signal since the last wait.
///
/// The two ends are the rights of the capability: a signal end is a `Cap<Notification<WriteOnly>>` (it can
/// [`signal`](Cap::signal) but not wait) and a wait end a `Cap<Notification<ReadOnly>>` (it can
/// [`wait`](Cap::wait) and [`poll`](Cap::poll) but not signal); using an end for the other's job does not
/// compile. Signal ends are made with [`Cap::mint`], each with its own badge: a signal sets the badge's bits
/// in the notification's word, and a wait returns them OR-ed together, so the waiter learns which signallers
/// signalled, but not how often.
///
/// ```no_run
/// # fn demo(n: selkie::Cap<selkie::Notification>, cspace: &selkie::Cap<selkie::LocalCNode>,
/// #         a: selkie::CNodeSlot, b: selkie::CNodeSlot, c: selkie::CNodeSlot) -> Result<(), selkie::Error> {
/// use selkie::rights::{ReadOnly, WriteOnly};
/// use selkie::{Badge, Badgeable, Cap, Notification};
/// let disk: Cap<Notification<WriteOnly>> = n.mint(cspace, a, Badge::new(0b01)?)?;
/// let net: Cap<Notification<WriteOnly>> = n.mint(cspace, b, Badge::new(0b10)?)?;
/// let waiter: Cap<Notification<ReadOnly>> = n.copy(cspace, c)?;
/// disk.signal();
/// net.signal();
/// let signals = waiter.wait();
/// assert!(signals.contains(disk.object().badge()) && signals.contains(net.object().badge()));
/// # Ok(()) }
/// ```
///
/// Binding a notification to a thread (so it can wait on an endpoint and its notification at once) is a TCB
/// invocation; it takes a `Cap<Notification<impl CanRead>>`, a wait end.
///
/// ```
/// use selkie::{Badge, Signals};
/// let s = Signals::from_word(0b101);
/// assert!(s.contains(Badge::new(0b100).unwrap()));
/// assert!(!s.contains(Badge::new(0b110).unwrap()));
/// assert_eq!(s.iter().collect::<Vec<_>>(), [0, 2]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Signals(sys::Word);

impl Signals {
    /// No bits set.
    pub const NONE: Signals = Signals(0);

    /// Signals with the bits of `word` set.
    pub const fn from_word(word: sys::Word) -> Signals {
        Signals(word)
    }

    /// The bits as a word.
    pub const fn value(self) -> sys::Word {
        self.0
    }

    /// Whether no bit is set (for a [`poll`](Cap::poll): no badged signal has arrived).
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every bit of `badge` is set: a signaller with this badge has signalled (if no other
    /// signaller's badge shares its bits).
    pub fn contains(self, badge: Badge) -> bool {
        let b = badge.value();
        b != 0 && self.0 & b == b
    }

    /// The numbers of the set bits, lowest first.
    pub fn iter(self) -> impl Iterator<Item = u32> {
        (0..sys::WORD_BITS as u32).filter(move |bit| self.0 >> bit & 1 == 1)
    }
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signals({:#b})", self.0)
    }
}

impl<Rt: RightsSet, R: Role> Cap<Notification<Rt>, R> {
    /// Sets this capability's badge bits in the notification's word (`seL4_Signal`) and wakes a waiter.
    /// Needs the write right: a signal end.
    pub fn signal(&self)
    where
        R: Invocable,
        Rt: CanWrite,
    {
        // SAFETY: signalling only changes kernel state; an invalid capability makes the kernel ignore it.
        unsafe { sys::signal(self.cptr()) }
    }

    /// Blocks until the notification's word is non-zero, then returns and clears it (`seL4_Wait`): the
    /// bitwise OR of the badges of every signal since the last wait. Needs the read right: a wait end.
    pub fn wait(&self) -> Signals
    where
        R: Invocable,
        Rt: CanRead,
    {
        // SAFETY: waiting only blocks the calling thread; the badge comes back in a register.
        Signals(unsafe { sys::wait(self.cptr()) })
    }

    /// Returns and clears the notification's word without blocking (`seL4_Poll`): empty if nothing was
    /// signalled since the last wait. A signal through an unbadged capability sets no bit, so a poll cannot
    /// see it; give every signaller a badge. Needs the read right.
    pub fn poll(&self) -> Signals
    where
        R: Invocable,
        Rt: CanRead,
    {
        // SAFETY: a non-blocking receive; like every typed invocation it relies on the thread's IPC buffer being
        // mapped, where it stores message registers 0-3 (no Rust reference covers them). The badge comes back
        // in a register.
        let (_, word) = unsafe { sys::nb_recv(self.cptr()) };
        Signals(word)
    }
}
