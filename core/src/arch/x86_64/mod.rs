//! x86_64: four-level paging (PML4, PDPT, page directory, page table), 4 KiB and 2 MiB frames, I/O ports,
//! the thread register layout and the fault message layout.

crate::object::object_modules!(control, io_port, layout, paging);

mod code;
mod context;
mod fault;
pub(crate) use code::*;
pub use context::*;
pub use fault::*;

/// The object at the root of an address space on this architecture.
pub type VSpaceRoot = Pml4;
