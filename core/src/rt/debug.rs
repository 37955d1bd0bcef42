//! The kernel's debug facilities: printing through the kernel, capability identification, halting. They
//! exist only in kernels configured with `debug_build = true` (the default for `cargo build`; see
//! `[profile.release.kernel]` in the README for release kernels).
//!
//! [`KERNEL`] is a value of type [`ThisKernel`], which says at the type level whether the kernel these
//! bindings were generated for has the facilities. Its methods require [`DebugFacilities`], so calling one
//! for a kernel without them is a compile error that says so, not a missing-function error:
//!
//! ```text
//! error[E0277]: this kernel configuration has no debug facilities (kernel.debug_build = false) ...
//! ```
//!
//! The root task's ordinary console ([`println!`](crate::println)) works with every kernel.

use core::fmt;

use selkie_sys::{CPtr, Word};

/// Whether a kernel configuration has the debug facilities (`ON`), as a type.
#[derive(Debug, Clone, Copy)]
pub struct KernelDebug<const ON: bool>;

/// The kernel these bindings were generated for: `KernelDebug<true>` when its configuration has
/// `debug_build = true`.
pub type ThisKernel = KernelDebug<{ cfg!(selkie_debug_build) }>;

/// The kernel these bindings were generated for; call its debug methods (`KERNEL.cap_identify(..)`).
pub const KERNEL: ThisKernel = KernelDebug;

/// Implemented by [`KernelDebug<true>`] only when the kernel configuration has debug facilities.
#[diagnostic::on_unimplemented(
    message = "this kernel configuration has no debug facilities (kernel.debug_build = false): kernel printing, \
               capability identification and halting exist only in debug kernels",
    label = "needs a kernel built with `debug_build = true`",
    note = "use `selkie::println!` (it works with every kernel), or set `debug_build = true` for this profile in \
            selkie.toml"
)]
pub trait DebugFacilities {
    /// Writes one byte to the kernel's debug console.
    fn put_char(b: u8);
    /// The kernel's type tag of the capability at `cap` (0 for an empty slot).
    fn cap_identify(cap: CPtr) -> Word;
    /// Stops the whole system.
    fn halt() -> !;
}

#[cfg(selkie_debug_build)]
impl DebugFacilities for KernelDebug<true> {
    fn put_char(b: u8) {
        // SAFETY: the debug-print system call only reads its register argument.
        unsafe { selkie_sys::debug_put_char(b) }
    }

    fn cap_identify(cap: CPtr) -> Word {
        // SAFETY: the identify system call has no memory effects.
        unsafe { selkie_sys::debug_cap_identify(cap) }
    }

    fn halt() -> ! {
        // SAFETY: halting the system is what the caller asked for.
        unsafe { selkie_sys::debug_halt() };
        loop {
            core::hint::spin_loop();
        }
    }
}

impl<const ON: bool> KernelDebug<ON> {
    /// Prints through the kernel's own `seL4_DebugPutChar`, bypassing the root task's console (no user-line
    /// mark: the runner reads these lines as the kernel's).
    pub fn print(&self, args: fmt::Arguments<'_>)
    where
        Self: DebugFacilities,
    {
        struct Put<K>(core::marker::PhantomData<K>);
        impl<K: DebugFacilities> fmt::Write for Put<K> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                s.bytes().for_each(K::put_char);
                Ok(())
            }
        }
        let _ = fmt::Write::write_fmt(&mut Put::<Self>(core::marker::PhantomData), args);
    }

    /// The kernel's type tag of the capability at `cap` (see `selkie_sys::cap_tag`), 0 for an empty slot.
    pub fn cap_identify(&self, cap: CPtr) -> Word
    where
        Self: DebugFacilities,
    {
        <Self as DebugFacilities>::cap_identify(cap)
    }

    /// Stops the whole system (the kernel halts; QEMU keeps running until its timeout).
    pub fn halt(&self) -> !
    where
        Self: DebugFacilities,
    {
        <Self as DebugFacilities>::halt()
    }
}

/// Prints a line through the kernel's debug console (debug kernels only; a compile error otherwise).
///
/// ```no_run
/// selkie::debug_println!("{} slots", 4);
/// ```
#[macro_export]
macro_rules! debug_println {
    ($($arg:tt)*) => {
        $crate::rt::debug::KERNEL.print(::core::format_args!("{}\n", ::core::format_args!($($arg)*)))
    };
}
