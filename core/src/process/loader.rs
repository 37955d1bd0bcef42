//! What a [`CodeSource`] loads a process's code and data with: a [`Loader`] that makes fresh pages from the
//! process's own memory, fills them through the root task's scratch page and maps them into the child's
//! address space, or maps copies of frames the root task already has (read-only, shared).

use arrayvec::ArrayVec;
use selkie_sys as sys;
use typenum::{U1, U12};

use crate::arch::{Arch, FrameSize, Page4K, PagingArch, VmAttributes};
use crate::rights::{ReadOnly, ReadWrite};

use crate::role::{Forever, Local, Scope};
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
/// kernel maps every readable page executable; on aarch32 a page without `execute` is mapped
/// execute-never.)
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
/// top of a fresh stack and the address of its parameters in the first argument register (`rdi` on x86_64, `r0` on
/// aarch32).
///
/// `load` runs once per process; a restart copies the fresh pages' initial contents again (it does not call
/// `load`), so every fresh page's contents must come from `'static` bytes.
pub trait CodeSource {
    /// Maps the program into the child (see the trait docs); returns where it starts.
    fn load<S: Scope>(&self, loader: &mut Loader<'_, S>) -> Result<Entry, Error>;
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
    pub(crate) init: PageInit,
}

/// A fresh page's initial contents (the rest of the page is zero).
#[derive(Debug, Clone, Copy)]
pub(crate) enum PageInit {
    /// These bytes.
    Bytes(&'static [u8]),
    /// A copy of `len` bytes of the root task's own memory at `addr` (its data segment), read at each fill.
    RootMemory { addr: usize, len: usize },
}

impl FreshPage {
    /// Writes the page's initial contents again.
    /// The page's own capability is mapped in the child, so the scratch mapping goes through a copy in
    /// `spare` (an empty slot of the root task's CSpace), deleted afterwards.
    pub(crate) fn refill(&self, scratch: &ScratchPage, cspace: sys::CPtr, spare: sys::CPtr) -> Result<(), Error> {
        crate::object::invoke(crate::Operation::CNodeCopy, (), |()| {
            // SAFETY: copies the page's frame capability (live, the process's) into the empty spare slot.
            unsafe {
                sys::cnode_copy(
                    cspace,
                    spare,
                    crate::object::WORD_DEPTH,
                    cspace,
                    self.frame,
                    crate::object::WORD_DEPTH,
                    sys::CapRights::ALL,
                )
            }
        })
        .map_err(|r| r.error)?;
        let filled = scratch.fill_init(spare, self.init);
        let deleted = crate::object::delete_raw(cspace, spare, crate::object::WORD_DEPTH);
        filled.and(deleted)
    }
}

/// The root task's scratch page: a virtual address of the root task whose paging structures are there, where
/// a frame is mapped for a moment to be filled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScratchPage {
    pub(crate) vaddr: sys::Word,
    pub(crate) root: sys::CPtr,
}

impl ScratchPage {
    /// Maps `frame` at the scratch address, calls `f` with the page's bytes, unmaps it.
    pub(crate) fn fill_with<O>(&self, frame: sys::CPtr, f: impl FnOnce(&mut [u8]) -> O) -> Result<O, Error> {
        Arch::map_frame::<Page4K, ReadWrite>(frame, self.root, self.vaddr, VmAttributes::default())?;
        // SAFETY: the frame was just mapped read-write at the scratch address, which nothing else uses (the
        // process being built or supervised is borrowed mutably, and the root task runs one fill at a time);
        // the page is 4 KiB.
        let page = unsafe { core::slice::from_raw_parts_mut(self.vaddr as *mut u8, PAGE_SIZE) };
        let out = f(page);
        // SAFETY: the slice above is dead; the frame is mapped at the scratch address only by this call.
        unsafe { Arch::unmap_frame::<Page4K>(frame) }?;
        Ok(out)
    }

    /// Fills `frame` with `init`, zeros after it.
    pub(crate) fn fill_init(&self, frame: sys::CPtr, init: PageInit) -> Result<(), Error> {
        self.fill_with(frame, |page| {
            let n = match init {
                PageInit::Bytes(bytes) => {
                    let n = bytes.len().min(PAGE_SIZE);
                    page[..n].copy_from_slice(&bytes[..n]);
                    n
                }
                PageInit::RootMemory { addr, len } => {
                    let n = len.min(PAGE_SIZE);
                    // SAFETY: `addr..addr + n` is the root task's own data segment, mapped for its whole life;
                    // it is copied through raw pointers, without making a reference to memory that other
                    // threads of the root task may be writing.
                    unsafe { core::ptr::copy_nonoverlapping(addr as *const u8, page.as_mut_ptr(), n) };
                    n
                }
            };
            page[n..].fill(0);
        })
    }
}

/// The loader a [`CodeSource`] is given: maps pages into one child's address space, with memory and slots
/// from the process's own resources (so teardown takes them all back).
pub struct Loader<'a, S: Scope = Forever> {
    pub(crate) mem: sys::CPtr,
    pub(crate) slots: &'a mut CNodeSlots<Runtime, Local<S>>,
    pub(crate) cspace: sys::CPtr,
    pub(crate) vspace: &'a mut VSpace<Other, S>,
    pub(crate) scratch: ScratchPage,
    pub(crate) fresh: &'a mut ArrayVec<FreshPage, MAX_FRESH_PAGES>,
}

impl<S: Scope> core::fmt::Debug for Loader<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Loader")
            .field("slots_left", &self.slots.len())
            .field("fresh_pages", &self.fresh.len())
            .finish()
    }
}

impl<S: Scope> Loader<'_, S> {
    /// Maps a fresh 4 KiB page at `vaddr` (page aligned) with `perms`; its first `init.len()` bytes (at most
    /// 4096) are `init`, the rest zero. A restart writes the same contents again.
    pub fn map_fresh(&mut self, vaddr: sys::Word, perms: Perms, init: &'static [u8]) -> Result<(), Error> {
        if init.len() > PAGE_SIZE {
            return Err(Error::PageInitTooLarge {
                len: init.len(),
                page: PAGE_SIZE,
            });
        }
        self.map_fresh_init(vaddr, perms, PageInit::Bytes(init))
    }

    /// [`map_fresh`](Self::map_fresh) with any kind of initial contents.
    pub(crate) fn map_fresh_init(&mut self, vaddr: sys::Word, perms: Perms, init: PageInit) -> Result<(), Error> {
        if self.fresh.is_full() {
            return Err(Error::ProcessPagesFull {
                capacity: MAX_FRESH_PAGES,
            });
        }
        let frame = self.new_frame()?;
        self.scratch.fill_init(frame, init)?;
        self.map_frame(frame, vaddr, perms)?;
        if perms.execute {
            // Code written through the root task's data cache, fetched by the child (see `arch::code`).
            crate::arch::sync_instructions(frame)?;
        }
        self.fresh.push(FreshPage { frame, init });
        Ok(())
    }

    /// Maps a copy of a 4 KiB frame the root task holds at `frame` (its address in the root task's CSpace)
    /// at `vaddr`, read-only: the child shares the frame's contents and cannot change them.
    pub(crate) fn map_shared(&mut self, frame: sys::CPtr, vaddr: sys::Word) -> Result<(), Error> {
        self.map_copy(frame, vaddr, Perms::RX)
    }

    /// Maps a copy of the root task's frame at `frame` at `vaddr` with `perms`.
    pub(crate) fn map_copy(&mut self, frame: sys::CPtr, vaddr: sys::Word, perms: Perms) -> Result<(), Error> {
        self.map_copy_with(frame, vaddr, perms, VmAttributes::default())
    }

    /// [`map_copy`](Self::map_copy) with the mapping's cache attributes `attr` (device registers are mapped
    /// uncached).
    pub(crate) fn map_copy_with(
        &mut self,
        frame: sys::CPtr,
        vaddr: sys::Word,
        perms: Perms,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        let slot = self.slots.alloc::<U1>()?;
        let src: Cap<crate::Frame, Local<S>> = Cap::new(frame, crate::Frame::from_data(0));
        let cspace = local_cnode(self.cspace);
        let dest = src.copy::<crate::Frame, Local<S>>(&cspace, slot).map_err(|r| r.error);
        let _ = (src.into_parts(), cspace.into_parts());
        let (copy, _) = dest?.into_parts();
        self.map_frame_with(copy, vaddr, perms, attr)
    }

    /// The architecture's hook, run once a process's code, stack and IPC buffer are mapped: maps the pages a
    /// child's runtime needs besides them. On aarch32 kernels that cannot print, the UART's registers, so the
    /// child's console reaches the same UART as the root task's (see `rt/arch/aarch32/uart.rs`; one slot for
    /// the frame copy, and the image's page table); elsewhere nothing.
    #[inline(always)]
    pub(crate) fn map_runtime_pages(&mut self) -> Result<(), Error> {
        #[cfg(selkie_uart_console)]
        crate::rt::uart::map_into(self)?;
        Ok(())
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
        self.map_frame_with(frame, vaddr, perms, VmAttributes::default())
    }

    /// [`map_frame`](Self::map_frame) with the mapping's cache attributes `attr` (execute-never is added from
    /// `perms`).
    fn map_frame_with(
        &mut self,
        frame: sys::CPtr,
        vaddr: sys::Word,
        perms: Perms,
        attr: VmAttributes,
    ) -> Result<(), Error> {
        let len = PAGE_SIZE as sys::Word;
        self.vspace.check(vaddr, len, 12)?;
        let slots = core::mem::replace(self.slots, CNodeSlots::new(0, 0, 0, 0));
        let mut budget = Budget::new(
            Cap::<Untyped<U12>, Local<S>>::new(self.mem, Untyped::from_data(0)),
            slots,
        );
        let levels = <Page4K as FrameSize>::Levels::USIZE;
        let tables = self.vspace.ensure_tables(vaddr, levels, &mut budget);
        let left = budget.into_leftover();
        *self.slots = left.slots;
        if let Some(mem) = left.memory {
            let _ = mem.into_parts();
        }
        tables?;
        let root = self.vspace.root().cptr();
        // Execute-never unless `perms` says execute, where the architecture can say so.
        let attr = crate::arch::page_attributes(attr, perms.execute);
        if perms.write {
            Arch::map_frame::<Page4K, ReadWrite>(frame, root, vaddr, attr)?;
        } else {
            Arch::map_frame::<Page4K, ReadOnly>(frame, root, vaddr, attr)?;
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
