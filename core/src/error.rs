//! The one error type of the typed layer: a kernel error with the operation that failed, or a runtime
//! resource check with its numbers; and [`Refused`], the error of an operation that consumes tokens, which
//! hands them back.

use core::fmt;

use selkie_sys as sys;

/// A kernel operation: the generated invocation label of the call that failed (`UntypedRetype`,
/// `CNodeCopy`, ...). The list comes from the kernel's interface files, so every invocation the kernel has
/// can be named; [`name`](sys::InvocationLabel::name) gives its text.
pub type Operation = sys::InvocationLabel;

/// Everything that can go wrong in the typed layer. Library code returns these and never panics on them.
///
/// ```
/// use selkie::Error;
/// let e = Error::UntypedExhausted { requested_bits: 20, largest_bits: Some(18) };
/// assert_eq!(
///     e.to_string(),
///     "asked for 2^20 bytes of untyped memory, the largest free untyped is 2^18"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The kernel refused an operation.
    Kernel {
        /// Which kernel call failed.
        op: Operation,
        /// The kernel's error code.
        code: sys::Error,
    },
    /// A raw kernel call (made with [`selkie_sys`] directly) failed; the raw error does not say which call.
    /// `?` converts a raw [`sys::Error`] into this.
    Raw {
        /// The kernel's error code.
        code: sys::Error,
    },
    /// The untyped allocator has no free untyped of at least the requested size.
    UntypedExhausted {
        /// The size asked for, as a power of two.
        requested_bits: u8,
        /// The largest free untyped of the requested kind, if any is left.
        largest_bits: Option<u8>,
    },
    /// No free device untyped covers the requested physical range.
    DeviceMemoryNotFound {
        /// The physical address asked for.
        paddr: sys::Word,
        /// The size asked for, as a power of two.
        size_bits: u8,
    },
    /// A runtime-checked slot pool has fewer free slots than requested.
    SlotsExhausted {
        /// How many slots were asked for.
        requested: usize,
        /// How many were left.
        available: usize,
    },
    /// The untyped allocator has used up its own slots for the halves it makes when it splits memory.
    AllocatorSlotsExhausted {
        /// How many slots the allocation needed.
        needed: usize,
        /// How many the allocator had left.
        left: usize,
    },
    /// The untyped allocator's list of free untypeds (or of extra slot pools) is full.
    AllocatorFull {
        /// The list's capacity.
        capacity: usize,
    },
    /// A badge does not fit the kernel's badge width.
    BadgeTooWide {
        /// The badge asked for.
        badge: sys::Word,
        /// The kernel's badge width in bits.
        bits: u8,
    },
    /// A CNode guard does not fit the kernel's guard fields.
    BadGuard {
        /// The guard value asked for.
        value: sys::Word,
        /// The guard size asked for, in bits.
        size_bits: u8,
    },
    /// A mapping's virtual address is not aligned to its frame size.
    MisalignedAddress {
        /// The address asked for.
        vaddr: sys::Word,
        /// The alignment it needs, as a power of two.
        align_bits: u8,
    },
    /// A mapping reaches above the highest user virtual address.
    AddressOutOfRange {
        /// The address asked for.
        vaddr: sys::Word,
        /// The mapping's length in bytes.
        len: sys::Word,
        /// The highest user address (inclusive).
        limit: sys::Word,
    },
    /// A mapping overlaps one already in the address space.
    MappingOverlap {
        /// The address asked for.
        vaddr: sys::Word,
        /// The mapping's length in bytes.
        len: sys::Word,
        /// Where the mapping in the way starts (or the page found taken, when the kernel reported it).
        existing: sys::Word,
        /// Its length in bytes.
        existing_len: sys::Word,
    },
    /// A region is not mapped in the address space it was to be unmapped from.
    NotMappedThere {
        /// Where the region is mapped.
        vaddr: sys::Word,
        /// The root of the address space given.
        root: sys::CPtr,
    },
    /// An address space keeps track of no more mappings.
    MappingsFull {
        /// How many it tracks.
        capacity: usize,
    },
    /// An address space keeps track of no more paging structures.
    TablesFull {
        /// How many it tracks.
        capacity: usize,
    },
    /// The root task's free virtual range has no room left.
    VirtualRangeExhausted {
        /// The bytes asked for.
        size: sys::Word,
        /// The next free address.
        next: sys::Word,
        /// The range's end.
        end: sys::Word,
    },
    /// A frame index past a region's end.
    FrameIndexOutOfRange {
        /// The index asked for.
        index: usize,
        /// The region's frame count.
        frames: usize,
    },
    /// A priority the kernel does not have.
    PriorityOutOfRange {
        /// The priority asked for.
        priority: usize,
        /// The kernel's number of priorities (the highest is one less).
        limit: usize,
    },
    /// A thread stack cannot hold the thread's start-up data (its argument) and a minimal frame.
    StackTooSmall {
        /// The stack's size in bytes.
        size: usize,
        /// The bytes the start-up data needs.
        needed: usize,
    },
    /// A static thread stack was already taken.
    StackTaken {
        /// The stack's size in bytes.
        size: usize,
    },
    /// The kernel's bootinfo does not match what this build expects.
    BadBootInfo {
        /// Which fact did not match.
        what: &'static str,
        /// The value the kernel reported.
        found: sys::Word,
        /// The value this build expected.
        expected: sys::Word,
    },
    /// An IRQ handler for this IRQ already exists (the kernel answered `RevokeFirst`): one IRQ has one handler.
    IrqInUse {
        /// The IRQ number asked for (the kernel's IRQ number, which on x86 picks the CPU vector).
        irq: sys::Word,
    },
    /// A region could not hold a shared-memory queue at run time (its address is not aligned for the queue).
    QueueRegion {
        /// The region's address.
        address: sys::Word,
        /// The queue's size in bytes.
        needed: sys::Word,
        /// Whether the address was misaligned (otherwise null or too small).
        misaligned: bool,
    },
    /// An I/O port access outside the capability's granted port range; the kernel was not called.
    IoPortOutOfRange {
        /// The (first) port of the access.
        port: u16,
        /// The access's width in bytes (a 16-bit access at `port` also uses `port + 1`).
        bytes: u8,
        /// The first port of the granted range.
        first: u16,
        /// The last port of the granted range.
        last: u16,
    },
    /// A fresh page's initial contents are longer than a page.
    PageInitTooLarge {
        /// The length of the contents.
        len: usize,
        /// The page size.
        page: usize,
    },
    /// A child brand's value was asked for while a process of that brand exists.
    BrandTaken,
    /// A process has as many fresh pages as it can keep track of.
    ProcessPagesFull {
        /// How many it can keep.
        capacity: usize,
    },
    /// A separately built program's executable cannot be loaded (see [`ElfError`](crate::elf::ElfError) for
    /// what is wrong with it, with the numbers).
    Elf {
        /// What is wrong with the file.
        error: crate::elf::ElfError,
    },
}

/// A malformed executable, where an [`Error`] is expected (loading a program as a process's code).
impl From<crate::elf::ElfError> for Error {
    fn from(error: crate::elf::ElfError) -> Self {
        Error::Elf { error }
    }
}

/// A raw kernel error, from code that calls [`selkie_sys`] directly, becomes an [`Error::Raw`], so `?` works in
/// code that mixes raw and typed calls.
///
/// ```
/// use selkie::{sys, Error};
/// fn raw_step() -> Result<(), sys::Error> {
///     Err(sys::Error::FailedLookup)
/// }
/// fn mixed() -> Result<(), Error> {
///     raw_step()?;
///     Ok(())
/// }
/// let e = mixed().unwrap_err();
/// assert_eq!(e, Error::Raw { code: sys::Error::FailedLookup });
/// assert_eq!(e.to_string(), "a raw kernel call failed: FailedLookup (kernel error 6)");
/// ```
impl From<sys::Error> for Error {
    fn from(code: sys::Error) -> Error {
        Error::Raw { code }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::QueueRegion {
                address,
                needed,
                misaligned,
            } => write!(
                f,
                "the region at {address:#x} cannot hold a queue of {needed} bytes{}",
                if misaligned { " (misaligned)" } else { "" }
            ),
            Error::Kernel { op, code } => {
                write!(
                    f,
                    "{} failed: {} (kernel error {})",
                    op.name(),
                    code.name(),
                    code as u64
                )
            }
            Error::Raw { code } => {
                write!(
                    f,
                    "a raw kernel call failed: {} (kernel error {})",
                    code.name(),
                    code as u64
                )
            }
            Error::UntypedExhausted {
                requested_bits,
                largest_bits: Some(l),
            } => write!(
                f,
                "asked for 2^{requested_bits} bytes of untyped memory, the largest free untyped is 2^{l}"
            ),
            Error::UntypedExhausted {
                requested_bits,
                largest_bits: None,
            } => {
                write!(f, "asked for 2^{requested_bits} bytes of untyped memory, none is left")
            }
            Error::DeviceMemoryNotFound { paddr, size_bits } => {
                write!(
                    f,
                    "no free device untyped covers 2^{size_bits} bytes at physical address {paddr:#x}"
                )
            }
            Error::SlotsExhausted { requested, available } => {
                write!(f, "asked for {requested} CNode slots, {available} are left")
            }
            Error::AllocatorSlotsExhausted { needed, left } => write!(
                f,
                "the untyped allocator ran out of its own CNode slots (needs {needed}, has {left}); give it more \
                 with `UntypedAllocator::add_slots`"
            ),
            Error::AllocatorFull { capacity } => {
                write!(f, "the untyped allocator's list is full ({capacity} entries)")
            }
            Error::BadgeTooWide { badge, bits } => {
                write!(f, "badge {badge:#x} does not fit the kernel's {bits}-bit badges")
            }
            Error::BadGuard { value, size_bits } => {
                write!(
                    f,
                    "guard {value:#x} of {size_bits} bits does not fit the kernel's CNode guard"
                )
            }
            Error::MisalignedAddress { vaddr, align_bits } => {
                write!(f, "virtual address {vaddr:#x} is not aligned to 2^{align_bits} bytes")
            }
            Error::AddressOutOfRange { vaddr, len, limit } => write!(
                f,
                "mapping {len:#x} bytes at {vaddr:#x} reaches above the user address limit {limit:#x}"
            ),
            Error::MappingOverlap {
                vaddr,
                len,
                existing,
                existing_len,
            } => write!(
                f,
                "mapping {len:#x} bytes at {vaddr:#x} overlaps the mapping of {existing_len:#x} bytes at {existing:#x}"
            ),
            Error::NotMappedThere { vaddr, root } => write!(
                f,
                "the region at {vaddr:#x} is not mapped in the address space rooted at capability {root:#x}"
            ),
            Error::MappingsFull { capacity } => {
                write!(f, "the address space tracks no more than {capacity} mappings")
            }
            Error::TablesFull { capacity } => {
                write!(f, "the address space tracks no more than {capacity} paging structures")
            }
            Error::VirtualRangeExhausted { size, next, end } => write!(
                f,
                "no room for {size:#x} bytes in the root task's free virtual range (next free {next:#x}, end {end:#x})"
            ),
            Error::FrameIndexOutOfRange { index, frames } => {
                write!(f, "frame {index} asked of a region of {frames} frames")
            }
            Error::PriorityOutOfRange { priority, limit } => {
                write!(
                    f,
                    "priority {priority} is out of range: this kernel has priorities 0 to {}",
                    limit - 1
                )
            }
            Error::StackTooSmall { size, needed } => {
                write!(
                    f,
                    "a {size}-byte thread stack is too small for its start-up data ({needed} bytes)"
                )
            }
            Error::StackTaken { size } => {
                write!(f, "the {size}-byte static thread stack was already taken")
            }
            Error::BadBootInfo { what, found, expected } => {
                write!(f, "bootinfo {what} is {found}, this build expects {expected}")
            }
            Error::IrqInUse { irq } => {
                write!(
                    f,
                    "IRQ {irq} already has a handler; delete that handler before claiming it again"
                )
            }
            Error::PageInitTooLarge { len, page } => {
                write!(
                    f,
                    "a fresh page's initial contents are {len} bytes, a page holds {page}"
                )
            }
            Error::BrandTaken => write!(f, "this child brand names a process that exists: tear it down first"),
            Error::ProcessPagesFull { capacity } => {
                write!(f, "a process keeps at most {capacity} fresh pages, and has that many")
            }
            Error::Elf { error } => write!(f, "cannot load the program: {error}"),
            Error::IoPortOutOfRange {
                port,
                bytes,
                first,
                last,
            } => write!(
                f,
                "I/O port {port:#x} ({bytes}-byte access) is outside the granted range {first:#x}..={last:#x}"
            ),
        }
    }
}

impl core::error::Error for Error {}

/// The kernel refused an operation that consumes tokens: its [`Error`], and the tokens it was given, handed
/// back because the kernel left them exactly as they were.
///
/// Operations that consume a capability or slots ([`Cap::retype`](crate::Cap::retype),
/// [`Cap::split`](crate::Cap::split), [`Cap::copy`](crate::Cap::copy), [`Cap::move_to`](crate::Cap::move_to),
/// [`Cap::delete`](crate::Cap::delete), ...) fail with a `Refused` whose `inputs` are what they consumed, in
/// the order of their parameters: the kernel checks everything before it changes anything, so a refused
/// untyped still has its memory free and a refused slot is still empty. `?` in a function returning
/// `Result<_, selkie::Error>` turns it into its [`Error`] (dropping the tokens), so code that does not want
/// them back reads the same as for any other error.
///
/// ```no_run
/// # fn demo(mem: selkie::Cap<selkie::Untyped<selkie::typenum::U12>>, slot: selkie::CNodeSlot,
/// #         spare: selkie::CNodeSlot) -> Result<(), selkie::Error> {
/// use selkie::{Cap, Refused, Tcb};
/// let tcb: Cap<Tcb> = match mem.retype(slot) {
///     Ok(tcb) => tcb,
///     // The memory and the slot are as they were: try again with another slot.
///     Err(Refused { error, inputs: (mem, _slot) }) => {
///         selkie::println!("{error}; retrying");
///         mem.retype(spare)?
///     }
/// };
/// # let _ = tcb; Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused<I> {
    /// Why the kernel refused.
    pub error: Error,
    /// The tokens the operation consumed, unchanged.
    pub inputs: I,
}

impl<I> From<Refused<I>> for Error {
    fn from(refused: Refused<I>) -> Error {
        refused.error
    }
}

impl<I> fmt::Display for Refused<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl<I: fmt::Debug> core::error::Error for Refused<I> {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;
    use crate::object::invoke;

    #[test]
    fn messages_carry_the_numbers() {
        let cases = [
            (
                Error::Kernel {
                    op: Operation::UntypedRetype,
                    code: sys::Error::NotEnoughMemory,
                },
                "UntypedRetype failed: NotEnoughMemory (kernel error 10)",
            ),
            (
                Error::PageInitTooLarge { len: 5000, page: 4096 },
                "a fresh page's initial contents are 5000 bytes, a page holds 4096",
            ),
            (
                Error::ProcessPagesFull { capacity: 48 },
                "a process keeps at most 48 fresh pages, and has that many",
            ),
            (
                Error::BrandTaken,
                "this child brand names a process that exists: tear it down first",
            ),
            (
                Error::Elf {
                    error: crate::elf::ElfError::EntryOutsideText { entry: 0x40_1000 },
                },
                "cannot load the program: the entry point 0x401000 is not inside an executable segment",
            ),
            (
                Error::Raw {
                    code: sys::Error::DeleteFirst,
                },
                "a raw kernel call failed: DeleteFirst (kernel error 8)",
            ),
            (
                Error::UntypedExhausted {
                    requested_bits: 40,
                    largest_bits: Some(27),
                },
                "asked for 2^40 bytes of untyped memory, the largest free untyped is 2^27",
            ),
            (
                Error::UntypedExhausted {
                    requested_bits: 20,
                    largest_bits: None,
                },
                "asked for 2^20 bytes of untyped memory, none is left",
            ),
            (
                Error::DeviceMemoryNotFound {
                    paddr: 0xfe00_0000,
                    size_bits: 12,
                },
                "no free device untyped covers 2^12 bytes at physical address 0xfe000000",
            ),
            (
                Error::SlotsExhausted {
                    requested: 4096,
                    available: 3811,
                },
                "asked for 4096 CNode slots, 3811 are left",
            ),
            (
                Error::AllocatorSlotsExhausted { needed: 8, left: 1 },
                "the untyped allocator ran out of its own CNode slots (needs 8, has 1); give it more with \
                 `UntypedAllocator::add_slots`",
            ),
            (
                Error::AllocatorFull { capacity: 8 },
                "the untyped allocator's list is full (8 entries)",
            ),
            (
                Error::BadgeTooWide {
                    badge: 1 << 40,
                    bits: 28,
                },
                "badge 0x10000000000 does not fit the kernel's 28-bit badges",
            ),
            (
                Error::BadGuard { value: 4, size_bits: 2 },
                "guard 0x4 of 2 bits does not fit the kernel's CNode guard",
            ),
            (
                Error::PriorityOutOfRange {
                    priority: 300,
                    limit: 256,
                },
                "priority 300 is out of range: this kernel has priorities 0 to 255",
            ),
            (
                Error::StackTooSmall {
                    size: 4096,
                    needed: 5000,
                },
                "a 4096-byte thread stack is too small for its start-up data (5000 bytes)",
            ),
            (
                Error::StackTaken { size: 16384 },
                "the 16384-byte static thread stack was already taken",
            ),
            (
                Error::BadBootInfo {
                    what: "root CNode size bits",
                    found: 10,
                    expected: 12,
                },
                "bootinfo root CNode size bits is 10, this build expects 12",
            ),
            (
                Error::IrqInUse { irq: 20 },
                "IRQ 20 already has a handler; delete that handler before claiming it again",
            ),
            (
                Error::IoPortOutOfRange {
                    port: 0x3fe,
                    bytes: 2,
                    first: 0x3f8,
                    last: 0x3fe,
                },
                "I/O port 0x3fe (2-byte access) is outside the granted range 0x3f8..=0x3fe",
            ),
            (
                Error::MisalignedAddress {
                    vaddr: 0x1000_0800,
                    align_bits: 12,
                },
                "virtual address 0x10000800 is not aligned to 2^12 bytes",
            ),
            (
                Error::AddressOutOfRange {
                    vaddr: 0x7fff_ffff_f000,
                    len: 0x2000,
                    limit: 0x7fff_ffff_ffff,
                },
                "mapping 0x2000 bytes at 0x7ffffffff000 reaches above the user address limit 0x7fffffffffff",
            ),
            (
                Error::MappingOverlap {
                    vaddr: 0x1000_1000,
                    len: 0x2000,
                    existing: 0x1000_0000,
                    existing_len: 0x4000,
                },
                "mapping 0x2000 bytes at 0x10001000 overlaps the mapping of 0x4000 bytes at 0x10000000",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
    }

    #[test]
    fn raw_kernel_errors_convert_for_question_mark() {
        fn mixed() -> Result<(), Error> {
            Err(sys::Error::RangeError)?;
            Ok(())
        }
        assert_eq!(
            mixed(),
            Err(Error::Raw {
                code: sys::Error::RangeError
            })
        );
    }

    #[test]
    fn a_refusal_hands_the_inputs_back_and_converts_to_its_error() {
        let refused = invoke(Operation::CNodeMove, (3, "slot"), |_| {
            Err::<(), _>(sys::Error::DeleteFirst)
        })
        .unwrap_err();
        assert_eq!(refused.inputs, (3, "slot"));
        assert_eq!(refused.to_string(), "CNodeMove failed: DeleteFirst (kernel error 8)");
        let error: Error = refused.into();
        assert_eq!(
            error,
            Error::Kernel {
                op: Operation::CNodeMove,
                code: sys::Error::DeleteFirst
            }
        );
        assert_eq!(invoke(Operation::CNodeMove, 7, |_| Ok(5)), Ok((7, 5)));
    }
}
