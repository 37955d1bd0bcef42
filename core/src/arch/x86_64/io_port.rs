//! x86 I/O ports, typed by the range a holder may use.
//!
//! See [`IoPorts`] for what the range means and who enforces it.

use core::marker::PhantomData;

use selkie_sys as sys;
use typenum::{IsGreaterOrEqual, IsLessOrEqual, Unsigned, B1, U0, U1, U2, U4, U65535};

use crate::object::{kernel_object, CopyInto, Copyable};
use crate::role::{Invocable, Role};
use crate::{Cap, Error, Operation};

/// The highest I/O port number.
pub type LastPort = U65535;

kernel_object! {
    /// The authority to use x86 I/O ports `First..=Last` (type-level numbers; by default every port).
    ///
    /// The root task's capability covers every port ([`AllPorts`]); [`Cap::narrow`] and [`Cap::copy`] give a smaller
    /// range, never a larger one. A port known at compile time is checked at compile time
    /// ([`Cap::port`]`::<P>()`: a port outside the range does not compile), a port known only at run time is
    /// checked on every access ([`Cap::port_at`], [`Cap::in8`], ...) and refused with
    /// [`Error::IoPortOutOfRange`] before the kernel is called, so the device is never touched.
    ///
    /// # What the kernel enforces
    ///
    /// This kernel (seL4 5.0) has no `IOPortControl_Issue`: every I/O port
    /// capability it has covers all 65536 ports, and a copy cannot be narrowed in the kernel. The range is
    /// therefore enforced by selkie, in the types and in the access methods, not by the kernel. A program that
    /// only uses the typed layer cannot reach a port outside its range; a process that is handed the raw capability
    /// and calls the kernel itself (through [`selkie_sys`] or its own system calls) can use any port. Give a
    /// process that is not trusted with every port no I/O port capability at all (or a kernel with
    /// `IOPortControl`).
    ///
    /// # In a driver process
    ///
    /// A `Cap<IoPorts<First, Last>, Local<S>>` field of a `#[derive(ProcessParams)]` struct is moved into the
    /// child's CSpace (the caller's slot is left empty) and arrives in the child as its own capability with the
    /// same range, so the driver's code gets the same compile-time and run-time checks. The kernel's part is the
    /// same as above: the driver's capability is the kernel's all-ports one, so the range holds for code that
    /// goes through the typed layer, not for a driver that makes its own system calls; a driver that is not
    /// trusted that far gets no I/O port capability. The QEMU image `core_driver_proc` shows a driver reading a
    /// device register through its range and refused a port outside it.
    ///
    /// ```no_run
    /// # fn demo(ports: selkie::Cap<selkie::IoPorts>) -> Result<(), selkie::Error> {
    /// use selkie::typenum::{U1016, U1023};
    /// use selkie::IoPorts;
    /// // COM1's eight registers, 0x3f8..=0x3ff.
    /// let com1 = ports.narrow::<U1016, U1023>();
    /// let scratch = com1.port::<U1023>(); // 0x3ff, checked at compile time
    /// scratch.out8(0x5a)?;
    /// assert_eq!(scratch.in8()?, 0x5a);
    /// assert!(com1.in8(0x3f7).is_err()); // checked at run time: not in the range, the kernel is not called
    /// # Ok(()) }
    /// ```
    pub struct IoPorts<First: Unsigned = U0, Last: Unsigned = LastPort>(());
    name: "I/O ports",
    tag: IO_PORT,
    rights: [],
    retype: [],
    copy: none,
    mint: [],
    device: no,
}

/// Every I/O port: the range of the root task's capability.
pub type AllPorts = IoPorts<U0, LastPort>;

// A copy of an I/O port capability may cover the same range or a smaller one.
impl<F: Unsigned + 'static, L: Unsigned + 'static> Copyable for IoPorts<F, L> {}
impl<F, L, F2, L2> CopyInto<IoPorts<F2, L2>> for IoPorts<F, L>
where
    F: Unsigned + 'static,
    L: Unsigned + 'static,
    F2: Unsigned + 'static,
    L2: Unsigned + 'static,
    IoPorts<F2, L2>: WithinPorts<F, L>,
{
    fn copied(&self) -> IoPorts<F2, L2> {
        IoPorts::from_data(())
    }
}

/// The check behind [`WithinPorts`] and [`PortWithin`]: implemented for `B1`, the result of the comparison.
#[diagnostic::on_unimplemented(
    message = "the I/O port access is outside the granted port range",
    label = "this port (or port range) is not inside the capability's `IoPorts<First, Last>`",
    note = "a capability for ports `First..=Last` can only use those ports, and only hand on a range inside them"
)]
pub trait PortCheck {}
impl PortCheck for B1 {}

/// `IoPorts<F2, L2>: WithinPorts<F, L>`: the range `F2..=L2` is not empty and lies inside `F..=L`.
#[diagnostic::on_unimplemented(
    message = "the I/O port range asked for is not inside the granted port range",
    label = "a narrower range must lie inside the capability's range"
)]
pub trait WithinPorts<F, L> {}
#[diagnostic::do_not_recommend]
impl<F, L, F2, L2> WithinPorts<F, L> for IoPorts<F2, L2>
where
    F: Unsigned + 'static,
    L: Unsigned + 'static,
    F2: Unsigned + 'static + IsGreaterOrEqual<F>,
    L2: Unsigned + 'static + IsLessOrEqual<L> + IsGreaterOrEqual<F2>,
    <F2 as IsGreaterOrEqual<F>>::Output: PortCheck,
    <L2 as IsLessOrEqual<L>>::Output: PortCheck,
    <L2 as IsGreaterOrEqual<F2>>::Output: PortCheck,
{
}

/// `P: PortWithin<F, L>`: port `P` lies in `F..=L`.
#[diagnostic::on_unimplemented(
    message = "this I/O port is outside the granted port range",
    label = "this port is not inside the capability's `IoPorts<First, Last>`"
)]
pub trait PortWithin<F, L>: Unsigned {}
#[diagnostic::do_not_recommend]
impl<P, F, L> PortWithin<F, L> for P
where
    P: Unsigned + IsGreaterOrEqual<F> + IsLessOrEqual<L>,
    <P as IsGreaterOrEqual<F>>::Output: PortCheck,
    <P as IsLessOrEqual<L>>::Output: PortCheck,
{
}

/// Access widths, for the range check of a multi-byte access.
trait Width {
    const BYTES: u16;
}
struct W8;
struct W16;
struct W32;
impl Width for W8 {
    const BYTES: u16 = 1;
}
impl Width for W16 {
    const BYTES: u16 = 2;
}
impl Width for W32 {
    const BYTES: u16 = 4;
}
// The type-level widths must agree with the run-time ones.
const _: () = assert!(U1::U16 == W8::BYTES && U2::U16 == W16::BYTES && U4::U16 == W32::BYTES);

impl<F: Unsigned + 'static, L: Unsigned + 'static, R: Role> Cap<IoPorts<F, L>, R> {
    /// The first port of the range.
    pub const FIRST: u16 = F::U16;
    /// The last port of the range.
    pub const LAST: u16 = L::U16;

    /// The same capability, restricted to ports `F2..=L2`, which must lie inside this range (checked at
    /// compile time). The kernel's capability is unchanged (see [`IoPorts`]): only the typed layer's
    /// view of it narrows.
    pub fn narrow<F2: Unsigned + 'static, L2: Unsigned + 'static>(self) -> Cap<IoPorts<F2, L2>, R>
    where
        IoPorts<F2, L2>: WithinPorts<F, L>,
    {
        let (cptr, _) = self.into_parts();
        Cap::new(cptr, IoPorts::from_data(()))
    }

    /// Port `P`, known at compile time: a port outside `F..=L` does not compile. A 16- or 32-bit access
    /// through the port also uses the ports after it, which must be in the range too (checked when it is
    /// made, like [`port_at`](Self::port_at)).
    pub fn port<P: PortWithin<F, L>>(&self) -> IoPort<'_>
    where
        R: Invocable,
    {
        IoPort {
            cptr: self.cptr(),
            port: P::U16,
            first: F::U16,
            last: L::U16,
            marker: PhantomData,
        }
    }

    /// Port `port`, checked at run time: [`Error::IoPortOutOfRange`] if it is not in `F..=L`.
    pub fn port_at(&self, port: u16) -> Result<IoPort<'_>, Error>
    where
        R: Invocable,
    {
        let p = IoPort {
            cptr: self.cptr(),
            port,
            first: F::U16,
            last: L::U16,
            marker: PhantomData,
        };
        p.check::<W8>()?;
        Ok(p)
    }

    /// Reads a byte from `port` (run-time range check, then `seL4_X86_IOPort_In8`).
    pub fn in8(&self, port: u16) -> Result<u8, Error>
    where
        R: Invocable,
    {
        self.port_at(port)?.in8()
    }
    /// Reads 16 bits from `port` (`port` and `port + 1` must be in the range).
    pub fn in16(&self, port: u16) -> Result<u16, Error>
    where
        R: Invocable,
    {
        self.port_at(port)?.in16()
    }
    /// Reads 32 bits from `port` (`port..=port + 3` must be in the range).
    pub fn in32(&self, port: u16) -> Result<u32, Error>
    where
        R: Invocable,
    {
        self.port_at(port)?.in32()
    }
    /// Writes a byte to `port`.
    pub fn out8(&self, port: u16, value: u8) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.port_at(port)?.out8(value)
    }
    /// Writes 16 bits to `port` (`port` and `port + 1` must be in the range).
    pub fn out16(&self, port: u16, value: u16) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.port_at(port)?.out16(value)
    }
    /// Writes 32 bits to `port` (`port..=port + 3` must be in the range).
    pub fn out32(&self, port: u16, value: u32) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.port_at(port)?.out32(value)
    }
}

/// One I/O port inside a capability's range, borrowed from the capability (see [`Cap::port`] and
/// [`Cap::port_at`]). Wider accesses check that the ports they also use are in the range.
#[derive(Debug, Clone, Copy)]
pub struct IoPort<'a> {
    cptr: sys::CPtr,
    port: u16,
    first: u16,
    last: u16,
    marker: PhantomData<&'a ()>,
}

/// Makes one port access through `invoke`; the range check has been made.
macro_rules! port_access {
    ($(#[$m:meta])* $name:ident, $w:ty, $op:ident, in $sys:ident -> $out:ty) => {
        $(#[$m])*
        pub fn $name(&self) -> Result<$out, Error> {
            self.check::<$w>()?;
            let ((), v) = crate::object::invoke(Operation::$op, (), |()| {
                // SAFETY: reading an I/O port changes no memory the program relies on; the port is inside the
                // range this token was given (checked above).
                unsafe { sys::$sys(self.cptr, self.port) }
            })?;
            Ok(v)
        }
    };
    ($(#[$m:meta])* $name:ident, $w:ty, $op:ident, out $sys:ident($t:ty)) => {
        $(#[$m])*
        pub fn $name(&self, value: $t) -> Result<(), Error> {
            self.check::<$w>()?;
            crate::object::invoke(Operation::$op, (), |()| {
                // SAFETY: the port is inside the range this token was given (checked above); what a device
                // does with the write is the caller's business, as for any driver, and cannot change memory
                // without a DMA-capable device the caller was given ports for.
                unsafe { sys::$sys(self.cptr, self.port.into(), value.into()) }
            })?;
            Ok(())
        }
    };
}

impl IoPort<'_> {
    /// The port's number.
    pub fn number(&self) -> u16 {
        self.port
    }

    /// Checks that an access of width `W` at this port stays inside the range.
    fn check<W: Width>(&self) -> Result<(), Error> {
        let end = u32::from(self.port) + u32::from(W::BYTES) - 1;
        if self.port >= self.first && end <= u32::from(self.last) {
            Ok(())
        } else {
            Err(Error::IoPortOutOfRange {
                port: self.port,
                bytes: W::BYTES as u8,
                first: self.first,
                last: self.last,
            })
        }
    }

    port_access!(
        /// Reads a byte (`seL4_X86_IOPort_In8`).
        in8, W8, X86IOPortIn8, in x86_io_port_in8 -> u8
    );
    port_access!(
        /// Reads 16 bits from this port and the next (`seL4_X86_IOPort_In16`).
        in16, W16, X86IOPortIn16, in x86_io_port_in16 -> u16
    );
    port_access!(
        /// Reads 32 bits from this port and the three after it (`seL4_X86_IOPort_In32`).
        in32, W32, X86IOPortIn32, in x86_io_port_in32 -> u32
    );
    port_access!(
        /// Writes a byte (`seL4_X86_IOPort_Out8`).
        out8, W8, X86IOPortOut8, out x86_io_port_out8(u8)
    );
    port_access!(
        /// Writes 16 bits to this port and the next (`seL4_X86_IOPort_Out16`).
        out16, W16, X86IOPortOut16, out x86_io_port_out16(u16)
    );
    port_access!(
        /// Writes 32 bits to this port and the three after it (`seL4_X86_IOPort_Out32`).
        out32, W32, X86IOPortOut32, out x86_io_port_out32(u32)
    );
}
