//! aarch32 control capabilities: ASIDs.

use crate::object::kernel_object;

kernel_object! {
    /// The authority to create ASID pools.
    pub struct AsidControl<>(());
    name: "ASID control",
    tag: ASID_CONTROL,
    rights: [],
    retype: [],
    copy: as_is,
    mint: [],
    device: no,
}

kernel_object! {
    /// A pool of address-space identifiers that VSpace roots are assigned from.
    pub struct AsidPool<>(());
    name: "ASID pool",
    tag: ASID_POOL,
    rights: [],
    retype: [],
    copy: as_is,
    mint: [],
    device: no,
}
