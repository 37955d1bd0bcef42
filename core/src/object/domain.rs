//! Scheduling domains.

kernel_object! {
    /// The authority to move threads between scheduling domains.
    pub struct Domain<>(());
    name: "domain",
    tag: DOMAIN,
}
