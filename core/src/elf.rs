//! Separately built programs: reading an executable's loadable segments and placing them in a child's
//! address space.
//!
//! [`ElfImage::parse`] reads a static ELF executable of the target architecture (64-bit `EM_X86_64` on
//! x86_64, 32-bit `EM_ARM` on aarch32; with the `elf` crate, not a hand parser) and checks everything loading
//! it relies on, before any memory is touched: every `PT_LOAD` segment lies inside
//! the file, its file size is not larger than its memory size, its virtual address agrees with its file
//! offset modulo its alignment, it stays below the user address limit, no two segments share a page, and the
//! entry point lies in an executable segment. A malformed file is an [`ElfError`] saying what is wrong, with
//! the numbers; never a panic.
//!
//! [`ElfProgram`] is such an executable as a process's code ([`CodeSource`]): each page of each segment is a
//! fresh page of the process, filled from the file and mapped with the rights the segment's flags give,
//! the parameters checked against the type the program's `main` takes ([`TakesParams`]).
//!
//! [`load_elf_segments`] maps each segment's pages into a child's [`VSpace`] with the rights its
//! flags give, copying the file's bytes through a scratch mapping in the root task and zeroing the rest
//! (the `.bss`). This kernel's mappings carry only the read and write rights: a page is executable
//! whenever it is mapped (its x86_64 interface has no execute-never attribute, and selkie maps user pages
//! on aarch32 without one), so a segment's `X` flag maps as read-only (`R X` text is read-only and
//! executable) and `W` as read-write; a segment without `R` is mapped readable all the same. On aarch32 the
//! instruction cache is made coherent with the code the parent wrote before the child runs.

use arrayvec::ArrayVec;
use elf::abi::{ET_EXEC, PF_R, PF_W, PF_X, PT_LOAD};
use elf::endian::LittleEndian;
use elf::ElfBytes;
use typenum::{U1, U12, U14, U3};

use crate::arch::{Arch, PagingArch};
use crate::process::{CodeSource, Entry, Loader, Perms, SameParams, TakesParams};
use crate::rights::ReadOnly;
use crate::role::Scope;
use crate::untyped::UntypedAllocator;
use crate::vspace::Leftover;
use crate::vspace::{Other, Own};
use crate::{CNodeSlots, Cap, Error, Region, Runtime, Untyped, VSpace};

/// The page size segments are placed with.
pub const PAGE_SIZE: u64 = 4096;
/// How many loadable segments an image may have.
pub const MAX_SEGMENTS: usize = 16;

/// What is wrong with an executable image. Every variant names the offending numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ElfError {
    /// The file does not start with the ELF magic bytes.
    NotElf,
    /// The file ends before a structure it describes: bytes `start..end` were needed.
    Truncated {
        /// The first byte needed.
        start: u64,
        /// One past the last byte needed.
        end: u64,
    },
    /// The ELF header or program header table is malformed in a way the parser names (`what`).
    Malformed {
        /// The parser's reason.
        what: &'static str,
    },
    /// Not a static executable for this architecture (`machine` and `kind` are `e_machine`, `e_type`). A
    /// file of the other word size is [`ElfError::Malformed`] ("not a 64-bit ELF file" / "not a 32-bit ELF
    /// file").
    WrongKind {
        /// `e_machine` (62 is x86_64, 40 is ARM).
        machine: u16,
        /// `e_type` (2 is a static executable).
        kind: u16,
    },
    /// The file has no program header table, or no `PT_LOAD` segment in it.
    NoSegments,
    /// More than [`MAX_SEGMENTS`] loadable segments.
    TooManySegments {
        /// How many the file has.
        count: usize,
    },
    /// A segment's bytes (`offset..offset + file_size`) lie outside the file (`file_len` bytes).
    SegmentOutsideFile {
        /// The segment's index among the program headers.
        index: usize,
        /// Its file offset.
        offset: u64,
        /// Its size in the file.
        file_size: u64,
        /// The file's length.
        file_len: u64,
    },
    /// A segment is larger in the file than in memory.
    FileSizeAboveMemorySize {
        /// The segment's index among the program headers.
        index: usize,
        /// `p_filesz`.
        file_size: u64,
        /// `p_memsz`.
        mem_size: u64,
    },
    /// A segment's virtual address and file offset disagree modulo its alignment or the page size, or its
    /// alignment is not a power of two.
    Misaligned {
        /// The segment's index among the program headers.
        index: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_offset`.
        offset: u64,
        /// `p_align`.
        align: u64,
    },
    /// A segment reaches above the highest user address (`limit`).
    OutOfRange {
        /// The segment's index among the program headers.
        index: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_memsz`.
        mem_size: u64,
        /// The highest user address.
        limit: u64,
    },
    /// Two segments share a page (pages are mapped whole, with one set of rights).
    Overlap {
        /// The later segment's index.
        index: usize,
        /// Its first page.
        page: u64,
        /// The earlier segment's index.
        other: usize,
    },
    /// The entry point is not inside an executable segment.
    EntryOutsideText {
        /// `e_entry`.
        entry: u64,
    },
}

impl core::fmt::Display for ElfError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            ElfError::NotElf => write!(f, "not an ELF file (bad magic bytes)"),
            ElfError::Truncated { start, end } => {
                write!(f, "truncated ELF file: bytes {start:#x}..{end:#x} are missing")
            }
            ElfError::Malformed { what } => write!(f, "malformed ELF file: {what}"),
            ElfError::WrongKind { machine, kind } => write!(
                f,
                "not a static {} executable: e_machine {machine}, e_type {kind} (want {}, {ET_EXEC})",
                crate::arch::ARCH_NAME,
                crate::arch::ELF_MACHINE
            ),
            ElfError::NoSegments => write!(f, "the ELF file has no loadable segment"),
            ElfError::TooManySegments { count } => {
                write!(
                    f,
                    "the ELF file has {count} loadable segments, at most {MAX_SEGMENTS} are supported"
                )
            }
            ElfError::SegmentOutsideFile {
                index,
                offset,
                file_size,
                file_len,
            } => write!(
                f,
                "segment {index}'s bytes {offset:#x}..{:#x} lie outside the file ({file_len:#x} bytes)",
                offset as u128 + file_size as u128
            ),
            ElfError::FileSizeAboveMemorySize {
                index,
                file_size,
                mem_size,
            } => write!(
                f,
                "segment {index} has {file_size:#x} bytes in the file but only {mem_size:#x} in memory"
            ),
            ElfError::Misaligned {
                index,
                vaddr,
                offset,
                align,
            } => write!(
                f,
                "segment {index}'s virtual address {vaddr:#x} and file offset {offset:#x} disagree modulo its \
                 alignment {align:#x} or the page size (or the alignment is not a power of two)"
            ),
            ElfError::OutOfRange {
                index,
                vaddr,
                mem_size,
                limit,
            } => write!(
                f,
                "segment {index} at {vaddr:#x} ({mem_size:#x} bytes) reaches above the user address limit {limit:#x}"
            ),
            ElfError::Overlap { index, page, other } => {
                write!(f, "segment {index} shares the page at {page:#x} with segment {other}")
            }
            ElfError::EntryOutsideText { entry } => {
                write!(f, "the entry point {entry:#x} is not inside an executable segment")
            }
        }
    }
}

impl From<elf::ParseError> for ElfError {
    fn from(e: elf::ParseError) -> Self {
        use elf::ParseError as P;
        match e {
            P::BadMagic(_) => ElfError::NotElf,
            P::SliceReadError((start, end)) => ElfError::Truncated {
                start: start as u64,
                end: end as u64,
            },
            P::BadOffset(at) => ElfError::Truncated { start: at, end: at },
            P::UnsupportedElfClass(_) => ElfError::Malformed {
                what: "not a 64-bit ELF file",
            },
            P::UnsupportedElfEndianness(_) => ElfError::Malformed {
                what: "unknown byte order",
            },
            P::UnsupportedVersion(_) => ElfError::Malformed {
                what: "unsupported ELF version",
            },
            P::BadEntsize(_) => ElfError::Malformed {
                what: "program header entries of the wrong size",
            },
            P::IntegerOverflow => ElfError::Malformed {
                what: "a size or offset overflows",
            },
            _ => ElfError::Malformed {
                what: "unreadable headers",
            },
        }
    }
}

/// What a segment's pages are mapped with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentRights {
    /// Read-only (flags `R` or `R X`: text and read-only data).
    ReadOnly,
    /// Read-write (flag `W`: data and bss).
    ReadWrite,
}

/// One loadable segment, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Its virtual address.
    pub vaddr: u64,
    /// Its size in memory (the part above `file_size` is zeroed).
    pub mem_size: u64,
    /// Where its bytes start in the file.
    pub offset: u64,
    /// How many bytes of it the file holds.
    pub file_size: u64,
    /// The mapping rights its flags give.
    pub rights: SegmentRights,
    /// Whether its flags include `X`.
    pub executable: bool,
}

impl Segment {
    /// The first page it touches.
    pub fn first_page(&self) -> u64 {
        self.vaddr & !(PAGE_SIZE - 1)
    }

    /// How many pages it touches.
    pub fn pages(&self) -> u64 {
        let end = (self.vaddr + self.mem_size + PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
        (end - self.first_page()) / PAGE_SIZE
    }

    /// The file bytes that go into the page at `page` (a page of this segment), and where in the page they go.
    pub fn bytes_for_page<'a>(&self, file: &'a [u8], page: u64) -> (usize, &'a [u8]) {
        let data_start = self.vaddr;
        let data_end = self.vaddr + self.file_size;
        let start = data_start.max(page);
        let end = data_end.min(page + PAGE_SIZE);
        if start >= end {
            return (0, &[]);
        }
        let from = (self.offset + (start - self.vaddr)) as usize;
        ((start - page) as usize, &file[from..from + (end - start) as usize])
    }
}

impl Segment {
    /// The file bytes a page of this segment starts with, when pages are filled from the page's start (as
    /// the process `Loader::map_fresh` does): the file's bytes from the page's offset up to
    /// the end of the segment's file part, the rest of the page being zero. The page's bytes before the
    /// segment's start (its first page, when `vaddr` is not page aligned) are the file's bytes there, as ELF
    /// loaders map them; [`ElfImage::parse`] checked that the offset agrees with the address modulo the page
    /// size. Empty for a page of pure bss.
    pub fn page_init<'a>(&self, file: &'a [u8], page: u64) -> &'a [u8] {
        let file_end = self.offset + self.file_size;
        let start = self.offset - self.vaddr % PAGE_SIZE + (page - self.first_page());
        let end = file_end.min(start + PAGE_SIZE);
        if self.file_size == 0 || start >= end {
            return &[];
        }
        &file[start as usize..end as usize]
    }
}

/// A checked executable: its entry point and loadable segments (see the module docs for what is checked).
#[derive(Debug, Clone)]
pub struct ElfImage<'a> {
    data: &'a [u8],
    entry: u64,
    segments: ArrayVec<Segment, MAX_SEGMENTS>,
}

impl<'a> ElfImage<'a> {
    /// Reads and checks `data` as a static executable of the target architecture.
    pub fn parse(data: &'a [u8]) -> Result<Self, ElfError> {
        // A word on every architecture, an ELF address is 64 bits wide.
        #[allow(clippy::useless_conversion)]
        let limit = u64::from(Arch::USER_TOP);
        Self::parse_below(data, limit)
    }

    /// [`parse`](ElfImage::parse) with `limit` as the highest user address.
    fn parse_below(data: &'a [u8], limit: u64) -> Result<Self, ElfError> {
        let file = ElfBytes::<LittleEndian>::minimal_parse(data)?;
        let ehdr = &file.ehdr;
        if ehdr.class != crate::arch::ELF_CLASS {
            return Err(ElfError::Malformed {
                what: crate::arch::ELF_CLASS_MISMATCH,
            });
        }
        if ehdr.e_machine != crate::arch::ELF_MACHINE || ehdr.e_type != ET_EXEC {
            return Err(ElfError::WrongKind {
                machine: ehdr.e_machine,
                kind: ehdr.e_type,
            });
        }
        let table = file.segments().ok_or(ElfError::NoSegments)?;
        let mut segments: ArrayVec<(usize, Segment), MAX_SEGMENTS> = ArrayVec::new();
        let count = table.iter().filter(|p| p.p_type == PT_LOAD).count();
        if count > MAX_SEGMENTS {
            return Err(ElfError::TooManySegments { count });
        }
        for (index, p) in table.iter().enumerate().filter(|(_, p)| p.p_type == PT_LOAD) {
            match p.p_offset.checked_add(p.p_filesz) {
                Some(end) if end <= data.len() as u64 => {}
                _ => {
                    return Err(ElfError::SegmentOutsideFile {
                        index,
                        offset: p.p_offset,
                        file_size: p.p_filesz,
                        file_len: data.len() as u64,
                    })
                }
            }
            if p.p_filesz > p.p_memsz {
                return Err(ElfError::FileSizeAboveMemorySize {
                    index,
                    file_size: p.p_filesz,
                    mem_size: p.p_memsz,
                });
            }
            let align = p.p_align.max(1);
            let page_congruent = p.p_filesz == 0 || p.p_vaddr % PAGE_SIZE == p.p_offset % PAGE_SIZE;
            if !align.is_power_of_two() || p.p_vaddr % align != p.p_offset % align || !page_congruent {
                return Err(ElfError::Misaligned {
                    index,
                    vaddr: p.p_vaddr,
                    offset: p.p_offset,
                    align: p.p_align,
                });
            }
            match p.p_vaddr.checked_add(p.p_memsz.max(1) - 1) {
                Some(last) if last <= limit && p.p_memsz > 0 => {}
                _ if p.p_memsz == 0 => continue,
                _ => {
                    return Err(ElfError::OutOfRange {
                        index,
                        vaddr: p.p_vaddr,
                        mem_size: p.p_memsz,
                        limit,
                    })
                }
            }
            let seg = Segment {
                vaddr: p.p_vaddr,
                mem_size: p.p_memsz,
                offset: p.p_offset,
                file_size: p.p_filesz,
                rights: if p.p_flags & PF_W != 0 {
                    SegmentRights::ReadWrite
                } else {
                    SegmentRights::ReadOnly
                },
                executable: p.p_flags & PF_X != 0,
            };
            let _readable = p.p_flags & PF_R != 0;
            let (start, end) = (seg.first_page(), seg.first_page() + seg.pages() * PAGE_SIZE);
            if let Some((other, o)) = segments
                .iter()
                .find(|(_, o)| start < o.first_page() + o.pages() * PAGE_SIZE && o.first_page() < end)
            {
                return Err(ElfError::Overlap {
                    index,
                    page: start.max(o.first_page()),
                    other: *other,
                });
            }
            segments.push((index, seg));
        }
        if segments.is_empty() {
            return Err(ElfError::NoSegments);
        }
        let entry = ehdr.e_entry;
        if !segments
            .iter()
            .any(|(_, s)| s.executable && s.vaddr <= entry && entry < s.vaddr + s.mem_size)
        {
            return Err(ElfError::EntryOutsideText { entry });
        }
        Ok(ElfImage {
            data,
            entry,
            segments: segments.into_iter().map(|(_, s)| s).collect(),
        })
    }

    /// The entry point: where the program's first thread starts.
    pub fn entry(&self) -> u64 {
        self.entry
    }

    /// The loadable segments, in file order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The file's bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// How many 4 KiB pages loading it maps.
    pub fn page_count(&self) -> u64 {
        self.segments.iter().map(Segment::pages).sum()
    }
}

/// A separately built program as a process's code: a static executable (built by
/// `selkie_build::embed_program` and embedded with `include_bytes!`) whose `#[selkie::program]` `main` takes
/// `&P`, `P` being the child's view of its parameters (the struct deriving
/// [`ProcessParams`](crate::process::ProcessParams), with its capabilities `Local`: share its definition
/// between the root task and the program). A process built from it ([`Process::new`](crate::process::Process::new))
/// takes parameters whose child's view is `P`; other parameters do not compile.
///
/// Loading maps every page of every loadable segment as a fresh page of the process, filled from the file
/// (zeros past the segment's file part: the `.bss`), with the rights its flags give: text (`R X`) and
/// read-only data (`R`) read-only, data and bss (`R W`) read-write; the program starts at its entry point
/// with its parameters' address in the first argument register (see [`CodeSource`]). A restart fills the
/// pages from the file again.
///
/// ```ignore
/// static WORKER: &[u8] = include_bytes!(env!("WORKER_ELF"));
/// let code = ElfProgram::<worker_params::Params>::new(WORKER)?; // checked here
/// let p = Process::new(&kit, brand, resources, &code, params, config)?;
/// ```
pub struct ElfProgram<P> {
    data: &'static [u8],
    params: core::marker::PhantomData<fn(P)>,
}

impl<P> core::fmt::Debug for ElfProgram<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ElfProgram").field("bytes", &self.data.len()).finish()
    }
}

impl<P> ElfProgram<P> {
    /// The executable `data`, checked ([`ElfImage::parse`]): a malformed file is an [`Error::Elf`] saying
    /// what is wrong.
    pub fn new(data: &'static [u8]) -> Result<Self, Error> {
        ElfImage::parse(data)?;
        Ok(ElfProgram {
            data,
            params: core::marker::PhantomData,
        })
    }
}

impl<P, V: SameParams<P>> TakesParams<V> for ElfProgram<P> {}

impl<P> CodeSource for ElfProgram<P> {
    fn load<S: Scope>(&self, loader: &mut Loader<'_, S>) -> Result<Entry, Error> {
        let image = ElfImage::parse(self.data)?;
        for seg in image.segments() {
            let perms = Perms {
                write: seg.rights == SegmentRights::ReadWrite,
                execute: seg.executable,
            };
            for i in 0..seg.pages() {
                let page = seg.first_page() + i * PAGE_SIZE;
                loader.map_fresh(word(page)?, perms, seg.page_init(self.data, page))?;
            }
        }
        Ok(Entry {
            pc: word(image.entry())?,
            arg: 0,
        })
    }
}

/// An address of the file as a machine word: on a 32-bit architecture, an address above 4 GiB is a
/// malformed file for this machine.
fn word(addr: u64) -> Result<selkie_sys::Word, ElfError> {
    selkie_sys::Word::try_from(addr).map_err(|_| ElfError::Malformed {
        what: "an address beyond this machine's address space",
    })
}

/// Why loading a program failed: its file is malformed, or a mapping or allocation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadError {
    /// The file is not a loadable executable.
    Elf(ElfError),
    /// Memory, slots or a mapping failed (the error says which and the numbers).
    Map(Error),
}

impl core::fmt::Display for LoadError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LoadError::Elf(e) => write!(f, "cannot load the program: {e}"),
            LoadError::Map(e) => write!(f, "cannot load the program's segments: {e}"),
        }
    }
}

impl From<ElfError> for LoadError {
    fn from(e: ElfError) -> Self {
        LoadError::Elf(e)
    }
}

impl From<Error> for LoadError {
    fn from(e: Error) -> Self {
        LoadError::Map(e)
    }
}

impl<I> From<crate::Refused<I>> for LoadError {
    fn from(r: crate::Refused<I>) -> Self {
        LoadError::Map(r.error)
    }
}

/// A program placed in a child's address space: where it starts, and how many pages were mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// The entry point.
    pub entry: u64,
    /// How many 4 KiB pages were mapped.
    pub pages: u64,
}

/// Loads `image` (a static executable of the target architecture) into `child`: checks it ([`ElfImage::parse`]), then for every
/// page of every loadable segment makes a 4 KiB frame from `untyped`, fills it through a scratch mapping in
/// `root` (the file's bytes, zeros elsewhere), and maps it in `child` at its address with the rights the
/// segment's flags give (see the module docs). Paging structures come from `untyped` and `slots` too.
///
/// Nothing is mapped in `child` when the file is malformed. The frames' capabilities stay in the root task's
/// CSpace, in `slots`; the memory comes back when the untyped memory it was taken from is revoked.
pub fn load_elf_segments<S: Scope>(
    image: &[u8],
    child: &mut VSpace<Other, S>,
    root: &mut VSpace<Own, S>,
    untyped: &mut UntypedAllocator<S>,
    slots: &mut CNodeSlots<Runtime, crate::Local<S>>,
) -> Result<Loaded, LoadError>
where
    S::Root: crate::Invocable + crate::FlowsInto<crate::Local<S>>,
{
    let elf = ElfImage::parse(image)?;
    // Paging memory and slots a mapping did not use go to the next one.
    let mut spare = Spare::<S> {
        memory: None,
        slots: None,
    };
    let mut pages = 0;
    for seg in elf.segments() {
        for i in 0..seg.pages() {
            let page = seg.first_page() + i * PAGE_SIZE;
            // The image was parsed against the architecture's user address limit, so every page fits a word.
            let vaddr = page as selkie_sys::Word;
            let frame = Region::<U1, _, _, _, _, S>::new(untyped.alloc::<U12>()?, slots.alloc::<U1>()?)?;
            let (at, bytes) = seg.bytes_for_page(elf.data(), page);
            let (mem, table_slots) = spare.take(untyped, slots)?;
            let (frame, (), left) = root.fill(frame, mem, table_slots, |mem| {
                mem.fill(0);
                mem[at..at + bytes.len()].copy_from_slice(bytes);
            })?;
            spare.keep(left);
            let (mem, table_slots) = spare.take(untyped, slots)?;
            // The frames stay mapped for the child's life; their capabilities stay in the root's slots.
            match seg.rights {
                SegmentRights::ReadWrite => {
                    let (_mapped, left) = child.map(frame, vaddr, mem, table_slots)?;
                    spare.keep(left);
                }
                SegmentRights::ReadOnly => {
                    let (_mapped, left) = child.map(frame.restrict::<ReadOnly>(), vaddr, mem, table_slots)?;
                    spare.keep(left);
                }
            }
            pages += 1;
        }
    }
    Ok(Loaded {
        entry: elf.entry(),
        pages,
    })
}

/// Paging resources left over from one mapping, for the next.
struct Spare<S: Scope> {
    memory: Option<Cap<Untyped<U14>, S::Root>>,
    slots: Option<CNodeSlots<Runtime, crate::Local<S>>>,
}

impl<S: Scope> Spare<S> {
    /// Memory and slots for the paging structures of one 4 KiB mapping: what is left over, else new.
    #[allow(clippy::type_complexity)]
    fn take(
        &mut self,
        untyped: &mut UntypedAllocator<S>,
        slots: &mut CNodeSlots<Runtime, crate::Local<S>>,
    ) -> Result<(Cap<Untyped<U14>, S::Root>, CNodeSlots<U3, crate::Local<S>>), Error> {
        let mem = match self.memory.take() {
            Some(m) => m,
            None => untyped.alloc::<U14>()?,
        };
        let three = match self.slots.as_mut().map(|s| s.alloc::<U3>()) {
            Some(Ok(three)) => three,
            _ => slots.alloc::<U3>()?,
        };
        Ok((mem, three))
    }

    /// Keeps what a mapping did not use.
    fn keep(&mut self, left: Leftover<U14, S::Root, S>) {
        if left.memory.is_some() {
            self.memory = left.memory;
        }
        self.slots = Some(left.slots);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64-bit x86_64 executable with the given `(flags, offset, vaddr, filesz, memsz, align)` segments,
    /// the entry point, and `extra` bytes of contents after the headers.
    fn build(entry: u64, segs: &[(u32, u64, u64, u64, u64, u64)], extra: usize) -> [u8; 0x2000] {
        let mut f = [0u8; 0x2000];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2; // 64-bit
        f[5] = 1; // little-endian
        f[6] = 1; // version
        f[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
        f[18..20].copy_from_slice(&elf::abi::EM_X86_64.to_le_bytes());
        f[20..24].copy_from_slice(&1u32.to_le_bytes());
        f[24..32].copy_from_slice(&entry.to_le_bytes());
        f[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        f[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
        f[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        f[56..58].copy_from_slice(&(segs.len() as u16).to_le_bytes());
        for (i, &(flags, offset, vaddr, filesz, memsz, align)) in segs.iter().enumerate() {
            let p = 64 + 56 * i;
            f[p..p + 4].copy_from_slice(&PT_LOAD.to_le_bytes());
            f[p + 4..p + 8].copy_from_slice(&flags.to_le_bytes());
            f[p + 8..p + 16].copy_from_slice(&offset.to_le_bytes());
            f[p + 16..p + 24].copy_from_slice(&vaddr.to_le_bytes());
            f[p + 24..p + 32].copy_from_slice(&vaddr.to_le_bytes());
            f[p + 32..p + 40].copy_from_slice(&filesz.to_le_bytes());
            f[p + 40..p + 48].copy_from_slice(&memsz.to_le_bytes());
            f[p + 48..p + 56].copy_from_slice(&align.to_le_bytes());
        }
        for (i, b) in f[0x1000..0x1000 + extra].iter_mut().enumerate() {
            *b = i as u8 | 1;
        }
        f
    }

    const RX: u32 = PF_R | PF_X;
    const RW: u32 = PF_R | PF_W;

    #[test]
    fn a_good_image_gives_its_entry_segments_and_rights() {
        let f = build(
            0x40_0010,
            &[
                (RX, 0x1000, 0x40_0000, 0x100, 0x100, 0x1000),
                (RW, 0x1100, 0x40_1100, 0x80, 0x2000, 0x1000),
            ],
            0x180,
        );
        let img = ElfImage::parse(&f).expect("a well-formed image");
        assert_eq!(img.entry(), 0x40_0010);
        assert_eq!(img.segments().len(), 2);
        assert_eq!(img.segments()[0].rights, SegmentRights::ReadOnly);
        assert!(img.segments()[0].executable);
        assert_eq!(img.segments()[1].rights, SegmentRights::ReadWrite);
        // 0x401100..0x403100 touches pages 0x401000, 0x402000, 0x403000.
        assert_eq!(img.segments()[1].pages(), 3);
        assert_eq!(img.page_count(), 4);
        let data = img.segments()[1];
        // Page-granular contents: the data page starts with the file's bytes from 0x1000 (the page's offset).
        let init = data.page_init(&f, 0x40_1000);
        assert_eq!(
            init.len(),
            0x180,
            "from the page's offset to the end of the segment's file part"
        );
        assert_eq!(init[0x100], f[0x1100]);
        assert_eq!(data.page_init(&f, 0x40_2000).len(), 0, "bss pages start empty");
        assert_eq!(img.segments()[0].page_init(&f, 0x40_0000), &f[0x1000..0x1100]);
        let (at, bytes) = data.bytes_for_page(&f, 0x40_1000);
        assert_eq!((at, bytes.len()), (0x100, 0x80));
        assert_eq!(bytes[0], f[0x1100]);
        assert_eq!(data.bytes_for_page(&f, 0x40_2000).1.len(), 0, "bss has no file bytes");
    }

    #[test]
    fn a_truncated_file_is_an_error() {
        let f = build(0x40_0000, &[(RX, 0x1000, 0x40_0000, 0x100, 0x100, 0x1000)], 0x100);
        assert!(matches!(
            ElfImage::parse(&f[..40]).unwrap_err(),
            ElfError::Truncated { end: 64, .. }
        ));
        // Headers complete, the segment's bytes cut off.
        assert_eq!(
            ElfImage::parse(&f[..0x1080]).unwrap_err(),
            ElfError::SegmentOutsideFile {
                index: 0,
                offset: 0x1000,
                file_size: 0x100,
                file_len: 0x1080
            }
        );
        // The program header table cut off.
        assert!(matches!(
            ElfImage::parse(&f[..80]).unwrap_err(),
            ElfError::Truncated { .. }
        ));
    }

    #[test]
    fn a_malformed_program_is_an_error_with_the_reason() {
        extern crate std;
        use std::string::ToString;
        let f = build(0x40_0000, &[(RX, 0x1000, 0x40_0000, 0x100, 0x100, 0x1000)], 0x100);
        let file: &'static [u8] = std::boxed::Box::leak(std::boxed::Box::new(f));
        assert!(ElfProgram::<()>::new(file).is_ok());
        let e = ElfProgram::<()>::new(&file[..0x1080]).unwrap_err();
        assert_eq!(
            e,
            Error::Elf {
                error: ElfError::SegmentOutsideFile {
                    index: 0,
                    offset: 0x1000,
                    file_size: 0x100,
                    file_len: 0x1080
                }
            }
        );
        assert_eq!(
            e.to_string(),
            "cannot load the program: segment 0's bytes 0x1000..0x1100 lie outside the file (0x1080 bytes)"
        );
        let mut arm = f;
        arm[18] = 40; // EM_ARM
        let arm: &'static [u8] = std::boxed::Box::leak(std::boxed::Box::new(arm));
        assert_eq!(
            ElfProgram::<()>::new(arm).unwrap_err(),
            Error::Elf {
                error: ElfError::WrongKind { machine: 40, kind: 2 }
            }
        );
    }

    /// A 32-bit ARM executable's header (no segments): what the aarch32 build loads, and what the x86_64 build
    /// refuses for its word size, by name; a 32-bit file of another machine the same way.
    #[test]
    fn a_file_of_the_other_word_size_is_refused_by_name() {
        let mut f = [0u8; 64];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 1; // 32-bit
        f[5] = 1; // little-endian
        f[6] = 1; // version
        f[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
        f[18..20].copy_from_slice(&elf::abi::EM_ARM.to_le_bytes());
        f[20..24].copy_from_slice(&1u32.to_le_bytes());
        f[40..42].copy_from_slice(&52u16.to_le_bytes()); // e_ehsize
        f[42..44].copy_from_slice(&32u16.to_le_bytes()); // e_phentsize
        assert_eq!(
            ElfImage::parse(&f).unwrap_err(),
            ElfError::Malformed {
                what: "not a 64-bit ELF file"
            }
        );
        f[18..20].copy_from_slice(&3u16.to_le_bytes()); // i386
        assert!(matches!(ElfImage::parse(&f), Err(ElfError::Malformed { .. })));
    }

    #[test]
    fn overlapping_segments_are_an_error() {
        let f = build(
            0x40_0000,
            &[
                (RX, 0x1000, 0x40_0000, 0x100, 0x1100, 0x1000),
                (RW, 0x1000, 0x40_1000, 0x10, 0x10, 0x1000),
            ],
            0x100,
        );
        assert_eq!(
            ElfImage::parse(&f).unwrap_err(),
            ElfError::Overlap {
                index: 1,
                page: 0x40_1000,
                other: 0
            }
        );
        // Sharing a page is overlapping too: pages are mapped whole with one set of rights.
        let f = build(
            0x40_0000,
            &[
                (RX, 0x1000, 0x40_0000, 0x100, 0x100, 0x10),
                (RW, 0x1100, 0x40_0100, 0x10, 0x10, 0x10),
            ],
            0x200,
        );
        assert!(matches!(ElfImage::parse(&f), Err(ElfError::Overlap { index: 1, .. })));
    }

    #[test]
    fn a_misaligned_vaddr_is_an_error() {
        let f = build(0x40_0010, &[(RX, 0x1000, 0x40_0010, 0x100, 0x100, 0x1000)], 0x100);
        assert_eq!(
            ElfImage::parse(&f).unwrap_err(),
            ElfError::Misaligned {
                index: 0,
                vaddr: 0x40_0010,
                offset: 0x1000,
                align: 0x1000
            }
        );
        let f = build(0x40_0000, &[(RX, 0x1000, 0x40_0000, 0x100, 0x100, 0x300)], 0x100);
        assert!(matches!(
            ElfImage::parse(&f),
            Err(ElfError::Misaligned { align: 0x300, .. })
        ));
    }

    #[test]
    fn other_malformed_files_name_the_problem() {
        let mut f = build(0x40_0000, &[(RX, 0x1000, 0x40_0000, 0x100, 0x100, 0x1000)], 0x100);
        let good = f;
        f[0] = 0;
        assert_eq!(ElfImage::parse(&f).unwrap_err(), ElfError::NotElf);
        let f = build(0x50_0000, &[(RX, 0x1000, 0x40_0000, 0x100, 0x100, 0x1000)], 0x100);
        assert_eq!(
            ElfImage::parse(&f).unwrap_err(),
            ElfError::EntryOutsideText { entry: 0x50_0000 }
        );
        let f = build(0x40_0000, &[(RX, 0x1000, 0x40_0000, 0x200, 0x100, 0x1000)], 0x200);
        assert!(matches!(
            ElfImage::parse(&f),
            Err(ElfError::FileSizeAboveMemorySize { .. })
        ));
        let f = build(
            0x40_0000,
            &[(RX, 0x1000, 0x7fff_ffff_f000, 0x100, 0x2000, 0x1000)],
            0x100,
        );
        assert!(matches!(
            ElfImage::parse_below(&f, 0x7fff_ffff_ffff),
            Err(ElfError::OutOfRange { .. })
        ));
        let f = build(0x40_0000, &[], 0);
        assert_eq!(ElfImage::parse(&f).unwrap_err(), ElfError::NoSegments);
        let mut f = good;
        f[18] = 3; // i386
        assert_eq!(
            ElfImage::parse(&f).unwrap_err(),
            ElfError::WrongKind { machine: 3, kind: 2 }
        );
        // Every error reads as a sentence with its numbers.
        extern crate std;
        use std::string::ToString;
        let text = ElfError::Overlap {
            index: 1,
            page: 0x40_1000,
            other: 0,
        }
        .to_string();
        assert_eq!(text, "segment 1 shares the page at 0x401000 with segment 0");
    }
}
