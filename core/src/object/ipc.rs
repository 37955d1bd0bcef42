//! Endpoints and notifications: the objects messages and signals travel through.

use core::marker::PhantomData;

use selkie_sys as sys;
use typenum::{U4, U5};

use super::{assert_size, cap_type, Badge, Badgeable, KernelObject};
use crate::bounds::{CopyInto, MintInto};
use crate::rights::{AllRights, RightsSet, SubsetOf};

/// An endpoint: synchronous message passing. `Rt` says whether this capability may send (write), receive
/// (read) and pass capabilities along (grant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint<Rt: RightsSet = AllRights> {
    badge: Badge,
    rights: PhantomData<Rt>,
}

/// A notification: an asynchronous word of signal bits. `Rt`: write signals, read waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notification<Rt: RightsSet = AllRights> {
    badge: Badge,
    rights: PhantomData<Rt>,
}

cap_type!(Endpoint<Rt: RightsSet>, "endpoint", sys::cap_tag::ENDPOINT, rights = Rt);
cap_type!(Notification<Rt: RightsSet>, "notification", sys::cap_tag::NOTIFICATION, rights = Rt);
assert_size!(U4, sys::ENDPOINT_BITS);
assert_size!(U5, sys::NOTIFICATION_BITS);

/// Implements the traits the two badged IPC objects share.
macro_rules! ipc_object {
    ($ty:ident, $bits:ty, $object:ident) => {
        impl KernelObject for $ty<AllRights> {
            type SizeBits = $bits;
            const OBJECT_TYPE: sys::ObjectType = sys::ObjectType::$object;
            fn created_at(_: sys::Word) -> Self {
                $ty {
                    badge: Badge::NONE,
                    rights: PhantomData,
                }
            }
        }

        impl<Rt: RightsSet, New: SubsetOf<Rt>> CopyInto<$ty<New>> for $ty<Rt> {
            fn copied(&self) -> $ty<New> {
                $ty {
                    badge: self.badge,
                    rights: PhantomData,
                }
            }
        }

        impl<Rt: RightsSet, New: SubsetOf<Rt>> MintInto<$ty<New>> for $ty<Rt> {
            fn minted(&self, badge: Badge) -> $ty<New> {
                $ty {
                    badge,
                    rights: PhantomData,
                }
            }
        }

        impl<Rt: RightsSet> Badgeable for $ty<Rt> {
            fn badge(&self) -> Badge {
                self.badge
            }
        }
    };
}

ipc_object!(Endpoint, U4, Endpoint);
ipc_object!(Notification, U5, Notification);
