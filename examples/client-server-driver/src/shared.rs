//! The region client and server share: one page, mapped read-write in both (and in the root task). The client
//! writes its requests' text at the bottom and keeps its tally near the top, where the root task reads it.

use core::sync::atomic::AtomicU64;

use selkie::process::GRANT_BASE;
use selkie::sys;

/// Where client and server see the shared region: the first (and only) region mapped in their grant windows.
pub const SHARED_AT: sys::Word = GRANT_BASE;
/// Where in the region the client keeps its tally (the text goes below it).
pub const TALLY_AT: usize = 0xf00;

/// The shared region in the client or the server.
pub fn shared() -> *mut u8 {
    SHARED_AT as *mut u8
}

/// The client's tally, in the shared region (a zeroed page is a valid one).
#[repr(C)]
pub struct Tally {
    /// Requests answered.
    pub answered: AtomicU64,
    /// Answers whose checksum matched the client's own over the text it read back from the region.
    pub checksums_ok: AtomicU64,
    /// Answers that said every byte was written.
    pub written_ok: AtomicU64,
    /// Texts the client found upper-cased in the region after the call.
    pub region_ok: AtomicU64,
}

/// The tally in a mapping of the shared region at `base`.
///
/// # Safety
/// `base` is the address of the shared region, mapped read-write in the caller's address space for the rest of
/// the program.
pub unsafe fn tally(base: sys::Word) -> &'static Tally {
    // SAFETY: the caller's promise; `TALLY_AT` is 8-aligned and inside the page; a zeroed `Tally` is valid.
    unsafe { &*((base as usize + TALLY_AT) as *const Tally) }
}
