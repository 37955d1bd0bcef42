//! Untyped memory: its type, the retype operations, and the allocator over the kernel's untyped list.

pub(crate) mod allocator;
mod range;
pub(crate) mod retype;

pub use allocator::UntypedAllocator;
pub use range::CapRange;

use selkie_sys as sys;
use typenum::Unsigned;

use crate::object::kernel_object;
use crate::role::Role;
use crate::sealed::Sealed;
use crate::Cap;

/// What untyped memory is: [`General`] (RAM, can hold any kernel object) or [`Device`] (device registers or
/// other memory that may only become frames).
pub trait MemoryKind: Sealed + Copy + 'static {
    /// Whether this is device memory.
    const IS_DEVICE: bool;
}

/// General memory: can be retyped into any kernel object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct General;

/// Device memory: can only be retyped into frames (for mapping device registers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Device;

impl Sealed for General {}
impl Sealed for Device {}
impl MemoryKind for General {
    const IS_DEVICE: bool = false;
}
impl MemoryKind for Device {
    const IS_DEVICE: bool = true;
}

kernel_object! {
    /// `2^Bits` bytes of untyped memory of kind `Kind`, starting at a physical address.
    pub struct Untyped<Bits: Unsigned, Kind: MemoryKind = General>(sys::Word);
    name: "untyped",
    tag: UNTYPED,
    rights: [],
    retype: [],
    copy: none,
    mint: [],
    device: no,
}

impl<Bits: Unsigned, K: MemoryKind, R: Role> Cap<Untyped<Bits, K>, R> {
    /// The memory's physical address.
    pub fn paddr(&self) -> sys::Word {
        self.object().data
    }

    /// The memory's size as a power of two.
    pub fn size_bits(&self) -> usize {
        Bits::USIZE
    }
}
