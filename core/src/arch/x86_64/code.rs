//! x86_64: pages of a child process that hold code. This kernel's x86_64 mappings have no execute-never
//! attribute (every mapped page is executable), and the instruction and data caches are coherent (a page
//! filled through one mapping is fetched correctly through another), so there is nothing to do for either.

use selkie_sys as sys;

use super::VmAttributes;
use crate::Error;

/// The attributes of a child's page mapped with the cache attributes `attr`: `attr` whether or not it may
/// execute (see the module docs).
pub(crate) fn page_attributes(attr: VmAttributes, execute: bool) -> VmAttributes {
    let _ = execute;
    attr
}

/// Makes the instructions written to the 4 KiB frame `frame` visible to instruction fetches: nothing to do here.
pub(crate) fn sync_instructions(frame: sys::CPtr) -> Result<(), Error> {
    let _ = frame;
    Ok(())
}
