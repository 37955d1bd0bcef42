//! The boot first-level translation table (ARMv7-A short descriptors): 4096 entries of 1 MiB sections.
//!
//! The kernel's window (`kernel_virtual_base` and up) maps to RAM from `ram_start`; everything else maps to
//! itself, so the loader keeps running at its own addresses when it turns the MMU on. RAM is normal
//! write-back memory; everything else is device memory and never executable. All of it is reachable from
//! privileged modes only, in domain 0 (the loader makes domain 0 a client, so these permissions apply). The
//! kernel replaces this table with its own early in its boot.

use crate::plan::Layout;

/// Entries in a first-level table.
pub const ENTRIES: usize = 4096;
/// A first-level table's alignment (and size) in bytes.
pub const TABLE_ALIGN: usize = 16 * 1024;
/// Bytes one section maps.
pub const SECTION: u32 = 1 << 20;

/// Section descriptor type (bits 1:0 = 0b10).
const TYPE_SECTION: u32 = 0b10;
/// Bufferable.
const B: u32 = 1 << 2;
/// Cacheable.
const C: u32 = 1 << 3;
/// Execute never.
const XN: u32 = 1 << 4;
/// AP[1:0] = 0b01: read/write for privileged modes, no access for user mode.
const AP_KERNEL_ONLY: u32 = 0b01 << 10;
/// TEX = 0b001: with C and B set, outer and inner write-back, write-allocate.
const TEX_001: u32 = 0b001 << 12;

/// Attributes of a RAM section: normal memory, write-back, executable, kernel only, domain 0.
pub const RAM_ATTRS: u32 = TYPE_SECTION | TEX_001 | C | B | AP_KERNEL_ONLY;
/// Attributes of any other section: shareable device memory, never executed, kernel only, domain 0.
pub const DEVICE_ATTRS: u32 = TYPE_SECTION | B | XN | AP_KERNEL_ONLY;

/// The physical address that section `index` (virtual `index << 20`) maps.
pub fn section_target(index: usize, layout: &Layout) -> u32 {
    let vaddr = (index as u32) << 20;
    if vaddr >= layout.kernel_virtual_base {
        layout.ram_start.wrapping_add(vaddr - layout.kernel_virtual_base)
    } else {
        vaddr
    }
}

/// The descriptor of first-level entry `index`.
pub fn section_entry(index: usize, layout: &Layout) -> u32 {
    let paddr = section_target(index, layout);
    let ram = paddr >= layout.ram_start && paddr < layout.ram_end;
    paddr | if ram { RAM_ATTRS } else { DEVICE_ATTRS }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_window_maps_to_ram_and_the_rest_to_itself() {
        let l = Layout::IMX6;
        // 0xe0000000 -> 0x10000000, normal memory (the kernel's entry point).
        assert_eq!(section_entry(0xe00, &l), 0x1000_0000 | RAM_ATTRS);
        assert_eq!(section_entry(0xfff, &l), 0x2ff0_0000 | RAM_ATTRS);
        // The loader's own RAM, identity-mapped and executable.
        assert_eq!(section_entry(0x400, &l), 0x4000_0000 | RAM_ATTRS);
        assert_eq!(section_entry(0x100, &l), 0x1000_0000 | RAM_ATTRS);
        // A device (the UART at 0x021e8000), and memory past RAM: device, never executable.
        assert_eq!(section_entry(0x021, &l), 0x0210_0000 | DEVICE_ATTRS);
        assert_eq!(section_entry(0x500, &l), 0x5000_0000 | DEVICE_ATTRS);
        assert_eq!(section_entry(0, &l) & XN, XN);
        assert_eq!(RAM_ATTRS & XN, 0);
    }

    #[test]
    fn descriptors_are_sections_in_domain_0_for_the_kernel_only() {
        let l = Layout::IMX6;
        for i in 0..ENTRIES {
            let d = section_entry(i, &l);
            assert_eq!(d & 0b11, 0b10, "entry {i:#x} is a section");
            assert_eq!((d >> 5) & 0xf, 0, "entry {i:#x} is in domain 0");
            assert_eq!((d >> 10) & 0b11, 0b01, "entry {i:#x}: privileged access only");
            assert_eq!(d & (1 << 15), 0, "entry {i:#x}: writable (AP[2] clear)");
            assert_eq!(d & (1 << 18), 0, "entry {i:#x}: a section, not a supersection");
        }
    }
}
