//! aarch32 (ARMv7-A short-descriptor paging): a 16 KiB page directory at the root, 1 KiB page tables below
//! it, 4 KiB and 64 KiB frames mapped through a page table, 1 MiB sections and 16 MiB super-sections mapped
//! straight into the page directory, ASIDs, the thread register layout and the fault message layout.

crate::object::object_modules!(control, layout, paging);

mod code;
mod context;
mod fault;
pub(crate) use code::*;
pub use context::*;
pub use fault::*;

/// The object at the root of an address space on this architecture.
pub type VSpaceRoot = PageDirectory;
