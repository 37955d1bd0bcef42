//! The private supertrait that keeps selkie's marker traits closed to other crates.

/// Implemented only inside selkie: a type outside it cannot become a role, a capability type or a memory kind.
pub trait Sealed {}
