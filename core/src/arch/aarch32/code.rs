//! aarch32: pages of a child process that hold code, and those that must not.
//!
//! - Execute permission: a page a child may not execute is mapped execute-never (`seL4_ARM_ExecuteNever`),
//!   so a jump into its data, stack or parameters is a VM fault (an instruction fetch) at its supervisor.
//! - Cache maintenance: the parent fills a child's page through its own data cache (a scratch mapping), and
//!   the child fetches instructions through its instruction cache, which ARMv7 does not keep coherent with
//!   the data cache. After an executable page is filled and mapped, its data is cleaned to the point of
//!   unification and the instruction cache invalidated for it (`seL4_ARM_Page_Unify_Instruction`, on the
//!   child's mapping).

use selkie_sys as sys;

use super::VmAttributes;
use crate::object::invoke;
use crate::{Error, Operation};

/// The attributes of a child's page mapped with the cache attributes `attr`: executable only if `execute`.
pub(crate) fn page_attributes(attr: VmAttributes, execute: bool) -> VmAttributes {
    if execute {
        attr
    } else {
        attr.execute_never()
    }
}

/// Makes the instructions written to the 4 KiB frame `frame` (mapped in a child's address space) visible to
/// instruction fetches there.
pub(crate) fn sync_instructions(frame: sys::CPtr) -> Result<(), Error> {
    let (_, ()) = invoke(Operation::ARMPageUnifyInstruction, (), |()| {
        // SAFETY: cache maintenance on a mapped frame the process owns: it changes no memory contents.
        unsafe { sys::arm_page_unify_instruction(frame, 0, crate::process::PAGE_SIZE as sys::Word) }
    })?;
    Ok(())
}
