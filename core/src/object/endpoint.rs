//! Endpoints: synchronous message passing.

use typenum::U4;

use super::Badge;

kernel_object! {
    /// An endpoint: synchronous message passing. `Rt` says whether this capability may send (write), receive
    /// (read) and pass capabilities along (grant).
    pub struct Endpoint<>(Badge);
    name: "endpoint",
    tag: ENDPOINT,
    rights: [Rt],
    retype: [U4 = ENDPOINT_BITS, selkie_sys::ObjectType::Endpoint],
    copy: rights,
    mint: [badge],
    device: no,
}
