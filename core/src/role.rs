//! Roles: which CSpace a capability's address is valid in.

use crate::sealed::Sealed;

/// Which CSpace a capability's address is valid in: [`Local`] or [`Child`].
pub trait Role: Sealed + 'static {}

/// The caller's own CSpace: the capability can be invoked directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Local;

/// A child's CSpace: the capability's address means something only to the child, so the parent cannot invoke
/// it; it can only hand it over when it sets the child up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Child;

impl Sealed for Local {}
impl Sealed for Child {}
impl Role for Local {}
impl Role for Child {}

/// A role whose capabilities the caller may invoke. Only [`Local`] is.
#[diagnostic::on_unimplemented(
    message = "a `Child` capability cannot be invoked by the parent",
    label = "this capability's address is only valid in a child's CSpace",
    note = "only `Cap<_, Local>` can be invoked; a `Child` capability is for handing to the child"
)]
pub trait Invocable: Role {}

impl Invocable for Local {}
