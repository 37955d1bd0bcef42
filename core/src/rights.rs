//! Access rights as types: what a capability to an endpoint, notification or frame may do.
//!
//! `Rights<READ, WRITE, GRANT>` follows the kernel's three rights: on an endpoint READ receives, WRITE sends
//! and GRANT lets capabilities travel with a message; on a notification READ waits and WRITE signals; on a
//! frame they are the mapping's permissions. A copy can drop rights ([`Cap::copy`](crate::Cap::copy),
//! [`Cap::mint`](crate::Cap::mint)) but never gain them: that does not compile.

use selkie_sys as sys;

use crate::sealed::Sealed;

/// A set of kernel access rights, fixed at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights<const READ: bool, const WRITE: bool, const GRANT: bool>;

/// Read, write and grant: what a freshly retyped object's capability has.
pub type AllRights = Rights<true, true, true>;
/// Read and write, no grant.
pub type ReadWrite = Rights<true, true, false>;
/// Read only: receive on an endpoint, wait on a notification, map a frame read-only.
pub type ReadOnly = Rights<true, false, false>;
/// Write only: send on an endpoint, signal a notification.
pub type WriteOnly = Rights<false, true, false>;
/// Write and grant: send capabilities along with messages.
pub type WriteGrant = Rights<false, true, true>;

/// A rights type; implemented by every [`Rights`].
pub trait RightsSet: Sealed + Copy + Default + 'static {
    /// Whether the read right is included.
    const READ: bool;
    /// Whether the write right is included.
    const WRITE: bool;
    /// Whether the grant right is included.
    const GRANT: bool;

    /// The set as the kernel's `seL4_CapRights` word, laid out by the generated bindings.
    const BITS: sys::Word = sys::CapRights::new(Self::GRANT, Self::READ, Self::WRITE).into_word();
}

impl<const R: bool, const W: bool, const G: bool> Sealed for Rights<R, W, G> {}
impl<const R: bool, const W: bool, const G: bool> RightsSet for Rights<R, W, G> {
    const READ: bool = R;
    const WRITE: bool = W;
    const GRANT: bool = G;
}

/// Rights that include reading (receiving, waiting).
#[diagnostic::on_unimplemented(
    message = "this capability has no read right",
    label = "needs a capability with the read right",
    note = "receiving on an endpoint or waiting on a notification needs `Rights<true, _, _>`"
)]
pub trait CanRead: RightsSet {}
impl<const W: bool, const G: bool> CanRead for Rights<true, W, G> {}

/// Rights that include writing (sending, signalling).
#[diagnostic::on_unimplemented(
    message = "this capability has no write right",
    label = "needs a capability with the write right",
    note = "sending on an endpoint or signalling a notification needs `Rights<_, true, _>`"
)]
pub trait CanWrite: RightsSet {}
impl<const R: bool, const G: bool> CanWrite for Rights<R, true, G> {}

/// Rights that include granting (sending capabilities with a message).
#[diagnostic::on_unimplemented(
    message = "this capability has no grant right",
    label = "needs a capability with the grant right"
)]
pub trait CanGrant: RightsSet {}
impl<const R: bool, const W: bool> CanGrant for Rights<R, W, true> {}

/// One right of a rights set, for comparing sets right by right.
#[derive(Debug, Clone, Copy)]
pub struct Right<const HELD: bool>;

/// `Right<A>: NoWider<B>` holds unless `A` is held and `B` is not.
#[diagnostic::on_unimplemented(
    message = "a copy cannot gain a right its source lacks",
    label = "the new rights include one the source capability does not have",
    note = "copies and mints can only keep or drop rights"
)]
pub trait NoWider<const SOURCE: bool> {}
#[diagnostic::do_not_recommend]
impl<const SOURCE: bool> NoWider<SOURCE> for Right<false> {}
#[diagnostic::do_not_recommend]
impl NoWider<true> for Right<true> {}

/// `New: SubsetOf<Old>`: every right in `New` is in `Old`.
#[diagnostic::on_unimplemented(
    message = "a copy cannot gain a right its source lacks",
    label = "the new rights include one the source capability does not have"
)]
pub trait SubsetOf<Old: RightsSet>: RightsSet {}
impl<const R: bool, const W: bool, const G: bool, const R0: bool, const W0: bool, const G0: bool>
    SubsetOf<Rights<R0, W0, G0>> for Rights<R, W, G>
where
    Right<R>: NoWider<R0>,
    Right<W>: NoWider<W0>,
    Right<G>: NoWider<G0>,
{
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subset<New: SubsetOf<Old>, Old: RightsSet>() {}

    #[test]
    fn raw_words_follow_the_kernel_bitfield() {
        // seL4_CapRights: grant is bit 2, read bit 1, write bit 0.
        assert_eq!(<AllRights as RightsSet>::BITS, 0b111);
        assert_eq!(<ReadOnly as RightsSet>::BITS, 0b010);
        assert_eq!(<WriteOnly as RightsSet>::BITS, 0b001);
        assert_eq!(<WriteGrant as RightsSet>::BITS, 0b101);
    }

    #[test]
    fn dropping_rights_is_allowed() {
        subset::<ReadOnly, AllRights>();
        subset::<WriteOnly, ReadWrite>();
        subset::<ReadWrite, ReadWrite>();
        subset::<Rights<false, false, false>, ReadOnly>();
    }
}
