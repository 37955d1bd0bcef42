//! x86_64: four-level paging (PML4, PDPT, page directory, page table), 4 KiB and 2 MiB frames, I/O ports.

crate::object::object_modules!(control, io_port, layout, paging);

/// The object at the root of an address space on this architecture.
pub type VSpaceRoot = Pml4;
