//! Where everything goes: the kernel at its physical addresses, the root task right after it, and the four
//! values the kernel's entry takes. Every rule the kernel's boot code relies on is checked here, with an error
//! that names it, before the loader copies a byte.

use crate::elf::{Elf, ElfError, Segment};

/// The page size the kernel maps the user image with.
pub const PAGE: u32 = 1 << 12;

/// The physical memory and the kernel's virtual window of a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Start of RAM; the kernel's window maps [`Layout::kernel_virtual_base`] here.
    pub ram_start: u32,
    /// End of RAM (exclusive).
    pub ram_end: u32,
    /// The virtual address of the kernel's window onto RAM (`kernelBase`).
    pub kernel_virtual_base: u32,
    /// The end (exclusive) of the physical memory the kernel reaches through its window: the user image must
    /// end below it.
    pub user_physical_limit: u32,
    /// A physical range nothing may be placed in (the loader's own image), `start..end`.
    pub reserved: (u32, u32),
}

impl Layout {
    /// The i.MX6 Sabre Lite: 1 GiB of RAM at `0x10000000`, the kernel's window at `0xe0000000`, whose last
    /// MiB holds the kernel's own mappings (so images end below physical `0x2ff00000`).
    pub const IMX6: Layout = Layout {
        ram_start: 0x1000_0000,
        ram_end: 0x5000_0000,
        kernel_virtual_base: 0xe000_0000,
        user_physical_limit: 0x2ff0_0000,
        reserved: (0, 0),
    };
}

/// Why the two images cannot be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanError {
    /// The kernel file is not a loadable ELF.
    Kernel(ElfError),
    /// The root task file is not a loadable ELF.
    RootTask(ElfError),
    /// A kernel segment is not linked for the kernel window (`vaddr - paddr` differs from
    /// `kernel_virtual_base - ram_start`), or lies outside the memory the window reaches.
    KernelOutsideWindow {
        /// The segment's physical address.
        paddr: u32,
        /// The segment's virtual address.
        vaddr: u32,
    },
    /// The root task's lowest virtual address is not page-aligned.
    RootTaskNotAligned {
        /// The lowest virtual address.
        vaddr: u32,
    },
    /// The root task's entry point is not inside its image.
    EntryOutsideImage {
        /// The entry point.
        entry: u32,
    },
    /// The root task's virtual end plus the IPC buffer and bootinfo pages reaches the kernel's window.
    RootTaskTooHigh {
        /// One past the root task's highest virtual address.
        vaddr_end: u32,
    },
    /// The root task placed after the kernel would end beyond the memory the kernel reaches.
    BeyondWindow {
        /// Where the user image would end (physical, exclusive).
        end: u32,
        /// The limit.
        limit: u32,
    },
    /// A placed range overlaps the reserved range (the loader itself).
    OverlapsReserved {
        /// The placed range's start.
        start: u32,
        /// Its end (exclusive).
        end: u32,
    },
}

/// One segment to copy: `filesz` bytes from `src_offset` in its file to physical `dest`, then zeros up to
/// `memsz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copy {
    /// Physical destination.
    pub dest: u32,
    /// Offset of the bytes in their file.
    pub src_offset: u32,
    /// Bytes to copy.
    pub filesz: u32,
    /// Bytes the segment takes in memory (zeroed after `filesz`).
    pub memsz: u32,
}

/// The placement of a kernel and a root task, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootPlan {
    kernel: Elf,
    user: Elf,
    /// The kernel's entry point (virtual: the MMU is on when the loader jumps).
    pub kernel_entry: u32,
    /// The user image's physical range `start..end`, page-aligned; the loader zeroes it before copying.
    pub user_region: (u32, u32),
    /// Physical minus virtual address of the user image.
    pub pv_offset: u32,
}

fn align_up(x: u64, a: u64) -> u64 {
    x.div_ceil(a) * a
}

fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

impl BootPlan {
    /// Places `kernel` at its physical addresses and `root_task` page-aligned right after it, and checks the
    /// kernel's boot rules against `layout`.
    pub fn new(kernel: &[u8], root_task: &[u8], layout: &Layout) -> Result<BootPlan, PlanError> {
        let k = Elf::parse(kernel).map_err(PlanError::Kernel)?;
        let u = Elf::parse(root_task).map_err(PlanError::RootTask)?;
        let window_offset = layout.kernel_virtual_base.wrapping_sub(layout.ram_start);
        for s in k.segments() {
            let end = s.paddr as u64 + s.memsz as u64;
            if s.vaddr.wrapping_sub(s.paddr) != window_offset
                || s.paddr < layout.ram_start
                || end > layout.user_physical_limit as u64
            {
                return Err(PlanError::KernelOutsideWindow {
                    paddr: s.paddr,
                    vaddr: s.vaddr,
                });
            }
        }
        let (_, kernel_end) = k.physical_range();
        let (v_lo, v_hi) = u.virtual_range();
        if v_lo % PAGE != 0 {
            return Err(PlanError::RootTaskNotAligned { vaddr: v_lo });
        }
        if u.entry < v_lo || u.entry >= v_hi {
            return Err(PlanError::EntryOutsideImage { entry: u.entry });
        }
        // The kernel maps the IPC buffer and the bootinfo frame in the two pages after the image.
        let v_end = align_up(v_hi as u64, PAGE as u64);
        if v_end + 2 * PAGE as u64 > layout.kernel_virtual_base as u64 {
            return Err(PlanError::RootTaskTooHigh { vaddr_end: v_hi });
        }
        let start = align_up(kernel_end as u64, PAGE as u64);
        let end = start + (v_end - v_lo as u64);
        if end > layout.user_physical_limit as u64 {
            return Err(PlanError::BeyondWindow {
                end: end.min(u32::MAX as u64) as u32,
                limit: layout.user_physical_limit,
            });
        }
        let (start, end) = (start as u32, end as u32);
        let (k_lo, _) = k.physical_range();
        for range in [(k_lo, kernel_end), (start, end)] {
            if overlaps(range, layout.reserved) {
                return Err(PlanError::OverlapsReserved {
                    start: range.0,
                    end: range.1,
                });
            }
        }
        Ok(BootPlan {
            kernel: k,
            user: u,
            kernel_entry: k.entry,
            user_region: (start, end),
            pv_offset: start.wrapping_sub(v_lo),
        })
    }

    /// The kernel's segments, to copy to their physical addresses.
    pub fn kernel_copies(&self) -> impl Iterator<Item = Copy> + '_ {
        self.kernel.segments().iter().map(|s| copy(s, s.paddr))
    }

    /// The root task's segments, to copy into [`BootPlan::user_region`].
    pub fn user_copies(&self) -> impl Iterator<Item = Copy> + '_ {
        self.user
            .segments()
            .iter()
            .map(|s| copy(s, s.vaddr.wrapping_add(self.pv_offset)))
    }

    /// What the kernel's entry takes in `r0`-`r3`: the user image's physical start and end, `pv_offset`
    /// (physical minus virtual), and the root task's (virtual) entry point.
    pub fn kernel_args(&self) -> [u32; 4] {
        [self.user_region.0, self.user_region.1, self.pv_offset, self.user.entry]
    }
}

fn copy(s: &Segment, dest: u32) -> Copy {
    Copy {
        dest,
        src_offset: s.offset,
        filesz: s.filesz,
        memsz: s.memsz,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elf::tests_support::elf;

    fn kernel() -> Vec<u8> {
        elf(2, 0xe000_0000, 0x1000_0000, &[0xaa; 0x200], 0x3_4000)
    }

    #[test]
    fn the_root_task_goes_page_aligned_after_the_kernel() {
        let user = elf(2, 0x1_0000, 0x1_0000, &[0xbb; 0x10], 0x5432);
        let p = BootPlan::new(&kernel(), &user, &Layout::IMX6).unwrap();
        assert_eq!(p.user_region, (0x1003_4000, 0x1003_a000));
        assert_eq!(
            p.kernel_args(),
            [0x1003_4000, 0x1003_a000, 0x1003_4000 - 0x1_0000, 0x1_0000]
        );
        let k: Vec<Copy> = p.kernel_copies().collect();
        assert_eq!(
            k,
            [Copy {
                dest: 0x1000_0000,
                src_offset: 0x100,
                filesz: 0x200,
                memsz: 0x3_4000
            }]
        );
        let u: Vec<Copy> = p.user_copies().collect();
        assert_eq!(
            u,
            [Copy {
                dest: 0x1003_4000,
                src_offset: 0x100,
                filesz: 0x10,
                memsz: 0x5432
            }]
        );
        // An unaligned kernel end is rounded up to the next page.
        let k = elf(2, 0xe000_0000, 0x1000_0000, &[0; 4], 0x1001);
        let p = BootPlan::new(&k, &user, &Layout::IMX6).unwrap();
        assert_eq!(p.user_region.0, 0x1000_2000);
    }

    #[test]
    fn the_kernels_boot_rules_are_checked() {
        let k = kernel();
        let user = |vaddr, memsz| elf(2, vaddr, vaddr, &[1; 4], memsz);
        assert_eq!(
            BootPlan::new(&k, &user(0x1_0800, 0x100), &Layout::IMX6),
            Err(PlanError::RootTaskNotAligned { vaddr: 0x1_0800 })
        );
        // The image plus the IPC buffer and bootinfo pages must stay below the kernel window.
        assert_eq!(
            BootPlan::new(&k, &user(0xdfff_e000, 0x1000), &Layout::IMX6),
            Err(PlanError::RootTaskTooHigh { vaddr_end: 0xdfff_f000 })
        );
        assert!(BootPlan::new(&k, &user(0xdfff_d000, 0x1000), &Layout::IMX6).is_ok());
        // Too large for the memory the kernel reaches.
        assert_eq!(
            BootPlan::new(&k, &user(0x1_0000, 0x2000_0000), &Layout::IMX6),
            Err(PlanError::BeyondWindow {
                end: 0x3003_4000,
                limit: 0x2ff0_0000
            })
        );
        // An entry point outside the image.
        let mut u = user(0x1_0000, 0x1000);
        u[24..28].copy_from_slice(&0x2_0000u32.to_le_bytes());
        assert_eq!(
            BootPlan::new(&k, &u, &Layout::IMX6),
            Err(PlanError::EntryOutsideImage { entry: 0x2_0000 })
        );
        // A kernel not linked for the window.
        let wrong = elf(2, 0xe000_0000, 0x2000_0000, &[0; 4], 0x1000);
        assert_eq!(
            BootPlan::new(&wrong, &user(0x1_0000, 0x1000), &Layout::IMX6),
            Err(PlanError::KernelOutsideWindow {
                paddr: 0x2000_0000,
                vaddr: 0xe000_0000
            })
        );
    }

    #[test]
    fn nothing_is_placed_over_the_loader() {
        let user = elf(2, 0x1_0000, 0x1_0000, &[1; 4], 0x1000);
        let clash = Layout {
            reserved: (0x1003_4000, 0x1004_0000),
            ..Layout::IMX6
        };
        assert_eq!(
            BootPlan::new(&kernel(), &user, &clash),
            Err(PlanError::OverlapsReserved {
                start: 0x1003_4000,
                end: 0x1003_5000
            })
        );
        let kernel_clash = Layout {
            reserved: (0x1000_1000, 0x1000_2000),
            ..Layout::IMX6
        };
        assert!(matches!(
            BootPlan::new(&kernel(), &user, &kernel_clash),
            Err(PlanError::OverlapsReserved { start: 0x1000_0000, .. })
        ));
        let clear = Layout {
            reserved: (0x4000_0000, 0x4010_0000),
            ..Layout::IMX6
        };
        assert!(BootPlan::new(&kernel(), &user, &clear).is_ok());
    }

    #[test]
    fn bad_files_are_named() {
        let user = elf(2, 0x1_0000, 0x1_0000, &[1; 4], 0x1000);
        assert_eq!(
            BootPlan::new(b"junk", &user, &Layout::IMX6),
            Err(PlanError::Kernel(ElfError::NotElf))
        );
        assert_eq!(
            BootPlan::new(&kernel(), &user[..60], &Layout::IMX6),
            Err(PlanError::RootTask(ElfError::HeadersOutOfBounds))
        );
    }
}
