//! What a [`CodeSource`] loads a process's code and data with: a [`Loader`] that makes fresh pages from the
//! process's own memory, fills them through the root task's scratch page and maps them into the child's
//! address space, or maps copies of frames the root task already has (read-only, shared).

use arrayvec::ArrayVec;
use selkie_sys as sys;
use typenum::{U1, U12};

use crate::arch::{Arch, FrameSize, Page4K, PagingArch, VmAttributes};
use crate::rights::{ReadOnly, ReadWrite};
use crate::role::Local;
use crate::slots::{CNodeSlots, Runtime};
use crate::untyped::retype::retype_call;
use crate::vspace::{Budget, Other, VSpace};
use crate::{Cap, Error, Untyped};

/// How many fresh (copied or zeroed) pages one process may have; their initial contents are kept so a
/// restart can copy them again.
pub const MAX_FRESH_PAGES: usize = 48;

/// The size of the pages a [`Loader`] maps.
pub const PAGE_SIZE: usize = 4096;

/// How a child may use a page a [`Loader`] maps: read always; write and execute as given. (On x86_64 this
/// kernel maps every readable page executable: `execute` is recorded for other architectures.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Perms {
    /// The child may write the page.
    pub write: bool,
    /// The child may execute the page.
    pub execute: bool,
}

impl Perms {
    /// Read-only data.
    pub const R: Perms = Perms {
        write: false,
        execute: false,
    };
    /// Code: read and execute.
    pub const RX: Perms = Perms {
        write: false,
        execute: true,
    };
    /// Writable data.
    pub const RW: Perms = Perms {
        write: true,
        execute: false,
    };
}

/// Where a process's code comes from: the root task's own image ([`ImageFunction`](super::ImageFunction)), or
/// a separately built program. `load` maps what the program needs into the child's address space through
/// `loader` and returns the address the child starts at; the child starts there with the stack pointer at the
/// top of a fresh stack and the address of its parameters in the first argument register (`rdi` on x86_64).
///
/// `load` runs once per process; a restart copies the fresh pages' initial contents again (it does not call
/// `load`), so every fresh page's contents must come from `'static` bytes.
pub trait CodeSource {
    /// Maps the program into the child (see the trait docs); returns where it starts.
    fn load(&self, loader: &mut Loader<'_>) -> Result<Entry, Error>;
}

/// Where a process starts: the instruction address, and a word for the second argument register (a code
/// source's own use: the function to call, say; 0 if none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The first instruction.
    pub pc: sys::Word,
    /// The second argument register's value.
    pub arg: sys::Word,
}

/// A fresh page of a process: its frame (in the root task's CSpace), where it is mapped, and its initial
/// contents (the rest of the page is zero).
#[derive(Debug, Clone, Copy)]
pub(crate) struct FreshPage {
    pub(crate) frame: sys::CPtr,
    pub(crate) init: &'static [u8],
}

/// The root task's scratch page: a virtual address of the root task whose paging structures are there, where
/// a frame is mapped for a moment to be filled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScratchPage {
    pub(crate) vaddr: sys::Word,
    pub(crate) root: sys::CPtr,
}

impl ScratchPage {
    /// Maps `frame` at the scratch address, writes `init` and zeros after it, unmaps it.
    pub(crate) fn fill(&self, frame: sys::CPtr, init: &[u8]) -> Result<(), Error> {
        Arch::map_frame::<Page4K, ReadWrite>(frame, self.root, self.vaddr, VmAttributes::default())?;
        // SAFETY: the frame was just mapped read-write at the scratch address, which nothing else uses (the
        // `&mut` borrow of the process builder or supervisor keeps fills one at a time); the page is 4 KiB.
        let page = unsafe { core::slice::from_raw_parts_mut(self.vaddr as *mut u8, PAGE_SIZE) };
        let n = init.len().min(PAGE_SIZE);
        page[..n].copy_from_slice(&init[..n]);
        page[n..].fill(0);
        // SAFETY: the slice above is dead; the frame is mapped at the scratch address only by this call.
        unsafe { Arch::unmap_frame::<Page4K>(frame) }
    }
}

/// The loader a [`CodeSource`] is given: maps pages into one child's address space, with memory and slots
/// from the process's own resources (so teardown takes them all back).
pub struct Loader<'a> {
    pub(crate) mem: sys::CPtr,
    pub(crate) slots: &'a mut CNodeSlots<Runtime, Local>,
    pub(crate) cspace: sys::CPtr,
    pub(crate) vspace: &'a mut VSpace<Other>,
    pub(crate) scratch: ScratchPage,
    pub(crate) fresh: &'a mut ArrayVec<FreshPage, MAX_FRESH_PAGES>,
}

impl core::fmt::Debug for Loader<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Loader")
            .field("slots_left", &self.slots.len())
            .field("fresh_pages", &self.fresh.len())
            .finish()
    }
}

impl Loader<'_> {
    /// Maps a fresh 4 KiB page at `vaddr` (page aligned) with `perms`; its first `init.len()` bytes (at most
    /// 4096) are `init`, the rest zero. A restart writes the same contents again.
    pub fn map_fresh(&mut self, vaddr: sys::Word, perms: Perms, init: &'static [u8]) -> Result<(), Error> {
        if init.len() > PAGE_SIZE {
            return Err(Error::PageInitTooLarge {
                len: init.len(),
                page: PAGE_SIZE,
            });
        }
        if self.fresh.is_full() {
            return Err(Error::ProcessPagesFull {
                capacity: MAX_FRESH_PAGES,
            });
        }
        let frame = self.new_frame()?;
        self.scratch.fill(frame, init)?;
        self.map_frame(frame, vaddr, perms)?;
        self.fresh.push(FreshPage { frame, init });
        Ok(())
    }

    /// Maps a copy of a 4 KiB frame the root task holds at `frame` (its address in the root task's CSpace)
    /// at `vaddr`, read-only: the child shares the frame's contents and cannot change them.
    pub(crate) fn map_shared(&mut self, frame: sys::CPtr, vaddr: sys::Word) -> Result<(), Error> {
        let slot = self.slots.alloc::<U1>()?;
        let src: Cap<crate::Frame, Local> = Cap::new(frame, crate::Frame::from_data(0));
        let dest = src
            .copy::<crate::arch::Frame<Page4K, ReadOnly>, Local>(&local_cnode(self.cspace), slot)
            .map_err(|r| r.error)?;
        let (copy, _) = dest.into_parts();
        self.map_frame(copy, vaddr, Perms::RX)
    }

    /// A new 4 KiB frame made from the process's memory, in one of its slots.
    pub(crate) fn new_frame(&mut self) -> Result<sys::CPtr, Error> {
        let slot = self.slots.alloc::<U1>()?;
        retype_call(
            self.mem,
            Page4K::OBJECT_TYPE,
            PAGE_SIZE.trailing_zeros() as usize,
            &slot,
        )
        .map_err(|code| Error::Kernel {
            op: crate::Operation::UntypedRetype,
            code,
        })?;
        Ok(slot.start())
    }

    /// Maps `frame` at `vaddr` in the child with `perms`, making missing paging structures from the
    /// process's memory.
    pub(crate) fn map_frame(&mut self, frame: sys::CPtr, vaddr: sys::Word, perms: Perms) -> Result<(), Error> {
        let len = PAGE_SIZE as sys::Word;
        self.vspace.check(vaddr, len, 12)?;
        let slots = core::mem::replace(self.slots, CNodeSlots::new(0, 0, 0, 0));
        let mut budget = Budget::new(Cap::<Untyped<U12>, Local>::new(self.mem, Untyped::from_data(0)), slots);
        let levels = <Page4K as FrameSize>::Levels::USIZE;
        let tables = self.vspace.ensure_tables(vaddr, levels, &mut budget);
        let left = budget.into_leftover();
        *self.slots = left.slots;
        if let Some(mem) = left.memory {
            let _ = mem.into_parts();
        }
        tables?;
        let root = self.vspace.root().cptr();
        if perms.write {
            Arch::map_frame::<Page4K, ReadWrite>(frame, root, vaddr, VmAttributes::default())?;
        } else {
            Arch::map_frame::<Page4K, ReadOnly>(frame, root, vaddr, VmAttributes::default())?;
        }
        self.vspace.record(vaddr, len);
        Ok(())
    }
}

use typenum::Unsigned as _;

/// A token for the root task's CSpace root at `cptr`.
pub(crate) fn local_cnode(cptr: sys::CPtr) -> Cap<crate::LocalCNode, Local> {
    Cap::new(cptr, crate::LocalCNode::from_data(()))
}
