//! x86_64: four-level paging (PML4, PDPT, page directory, page table), 4 KiB and 2 MiB frames, I/O ports.

mod control;
mod paging;

pub use control::{AsidControl, AsidPool, IoPorts};
pub use paging::{Frame, FrameSize, LargePage, Page4K, PageDirectory, PageTable, Pdpt, Pml4};

/// The object at the root of an address space on this architecture.
pub type VSpaceRoot = Pml4;
