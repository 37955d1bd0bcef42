//! selkie's boot loader for seL4 on aarch32 (the i.MX6 Sabre Lite board), as a plain `no_std` library.
//!
//! seL4 on ARM does not load itself: a loader must copy the kernel and the root task ("user image") into
//! physical memory, turn the MMU on with the kernel's virtual window mapped, and enter the kernel with the
//! user image's placement in `r0`-`r3`. This crate holds everything about that which can be computed (and
//! tested on the host): reading ELF32 files ([`elf`]), deciding where every segment goes and checking that it
//! fits ([`plan`]), and the boot first-level translation table ([`mmu`]). The bare-metal program that does
//! the copying and the system-register writes is `loader/image` (built by `selkie-kernel`'s pipeline, once
//! per kernel and root task pair, with both ELFs embedded).
//!
//! ```
//! use selkie_loader::plan::{BootPlan, Layout};
//! # let kernel = selkie_loader::elf::tests_support::elf(0x2, 0xe000_0000, 0x1000_0000, &[1; 0x100], 0x2000);
//! # let root_task = selkie_loader::elf::tests_support::elf(0x2, 0x1_0000, 0x1_0000, &[2; 0x80], 0x3000);
//! let plan = BootPlan::new(&kernel, &root_task, &Layout::IMX6).unwrap();
//! let [ui_start, ui_end, pv_offset, v_entry] = plan.kernel_args();
//! assert_eq!(ui_start, 0x1000_2000); // right after the kernel, page-aligned
//! assert_eq!(ui_end - ui_start, 0x3000);
//! assert_eq!(pv_offset, 0x1000_2000u32.wrapping_sub(0x1_0000));
//! assert_eq!(v_entry, 0x1_0000);
//! ```

#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

pub mod elf;
pub mod mmu;
pub mod plan;
