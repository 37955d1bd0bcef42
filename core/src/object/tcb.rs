//! Thread control blocks and their invocations: configure, spaces, IPC buffer, priority, registers, resume,
//! suspend, notification binding.
//!
//! # The fault endpoint is an address in the thread's CSpace
//!
//! On this kernel (seL4 5.0, non-MCS) a TCB's fault endpoint is not a capability handed over when the
//! thread is configured: it is a capability *address* the kernel looks up in the thread's own CSpace each
//! time the thread faults. So which address is right depends on the thread's CSpace, and the types say so
//! through [`FaultEndpointIn<Space>`]:
//! - a thread that shares the caller's CSpace ([`LocalCNode`]) takes the caller's own endpoint capability
//!   (`Local` or `Borrowed`): its address means the same thing to the thread;
//! - a thread with a CSpace of its own (a [`CNode`] the caller made) takes a `Child` endpoint capability, one
//!   placed in that CNode's slots.
//!
//! Giving a thread with its own CSpace the caller's address, or the reverse, does not compile. The endpoint
//! needs the write and grant rights: this kernel sends the fault through it and grants the handler a reply
//! capability, and treats an endpoint capability without grant as no fault endpoint (the thread then takes
//! a capability fault that nobody handles).

use core::marker::PhantomData;

use selkie_sys as sys;
use typenum::{IsLess, Le, Unsigned, B1};

use super::{invoke, CNode, Endpoint, LocalCNode, Notification};
use crate::arch::{Frame, UserContext, VSpaceRoot, USER_CONTEXT_WORDS};
use crate::rights::{CanGrant, CanRead, CanWrite};
use crate::role::{Child, Invocable, Role, Scope};
use crate::{Cap, CNodeGuard, Error, Operation};

kernel_object! {
    /// A thread control block: a thread's registers, scheduling state and CSpace/VSpace roots.
    pub struct Tcb<>(());
    name: "TCB",
    tag: THREAD,
    rights: [],
    retype: [crate::arch::TcbBits = TCB_BITS, selkie_sys::ObjectType::Tcb],
    copy: as_is,
    mint: [],
    device: no,
}

/// The number of priorities of this kernel's configuration (`CONFIG_NUM_PRIORITIES`), as a type.
pub type NumPriorities = sys::config::NumPriorities;

/// The check behind [`Priority::of`]: implemented for `B1`, the result of `P < NumPriorities`.
#[diagnostic::on_unimplemented(
    message = "priority above the kernel's highest",
    label = "this kernel has `NumPriorities` priorities, 0 to NumPriorities - 1",
    note = "priorities run from 0 to `selkie::sys::config::NUM_PRIORITIES - 1` (255 on this configuration)"
)]
pub trait PriorityInRange {}
impl PriorityInRange for B1 {}

/// `P: ValidPriority`: `P` is a priority this kernel has.
pub trait ValidPriority: Unsigned {}
impl<P: Unsigned + IsLess<NumPriorities>> ValidPriority for P where Le<P, NumPriorities>: PriorityInRange {}

/// A thread priority this kernel has (0 to [`Priority::MAX`]). The kernel's encoding (one byte, packed with
/// the maximum controlled priority for configure) is this type's business.
///
/// ```
/// use selkie::{typenum::U100, Error, Priority};
/// assert_eq!(Priority::of::<U100>().value(), 100);
/// assert_eq!(Priority::new(255).unwrap(), Priority::MAX);
/// assert_eq!(Priority::new(256), Err(Error::PriorityOutOfRange { priority: 256, limit: 256 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(u8);

const _: () = assert!(
    NumPriorities::USIZE == sys::config::NUM_PRIORITIES && sys::config::NUM_PRIORITIES <= 256,
    "the type-level priority count disagrees with the kernel's, or does not fit the kernel's byte"
);

impl Priority {
    /// The lowest priority.
    pub const MIN: Priority = Priority(0);
    /// The highest priority of this configuration (the root task's).
    pub const MAX: Priority = Priority((sys::config::NUM_PRIORITIES - 1) as u8);

    /// Priority `P`, checked at compile time: a priority the kernel does not have does not compile.
    pub const fn of<P: ValidPriority>() -> Priority {
        Priority(P::U8)
    }

    /// A priority checked at run time.
    pub fn new(priority: usize) -> Result<Priority, Error> {
        if priority < sys::config::NUM_PRIORITIES {
            Ok(Priority(priority as u8))
        } else {
            Err(Error::PriorityOutOfRange {
                priority,
                limit: sys::config::NUM_PRIORITIES,
            })
        }
    }

    /// The priority's number.
    pub const fn value(self) -> u8 {
        self.0
    }

    /// The kernel's `seL4_PrioProps` word for configure: priority in bits 0..8, maximum controlled priority in
    /// bits 8..16. A thread made here gets its own priority as its MCP, so it cannot raise anyone above it.
    pub(crate) const fn props_word(self) -> sys::Word {
        self.0 as sys::Word | ((self.0 as sys::Word) << 8)
    }
}

/// A CSpace root a thread can be given: the caller's own ([`LocalCNode`]) or a CNode the caller made for the
/// thread ([`CNode`]). It says which fault endpoint addresses mean something in it ([`FaultEndpointIn`]).
pub trait ThreadCSpace: super::CapType {}
impl ThreadCSpace for LocalCNode {}
impl<Radix: Unsigned + 'static> ThreadCSpace for CNode<Radix> {}

/// `Cap<Endpoint<Rt>, R>: FaultEndpointIn<Space>`: this endpoint capability's address names the fault
/// endpoint in a thread whose CSpace root is `Space`. On this kernel a fault endpoint is an address the
/// kernel looks up in the thread's own CSpace when the thread faults: the caller's own capability for a thread
/// sharing the caller's CSpace ([`LocalCNode`]), a `Child` one placed in the thread's CNode ([`CNode`]) otherwise.
#[diagnostic::on_unimplemented(
    message = "not a fault endpoint for a thread whose CSpace is `{Space}`",
    label = "a fault endpoint is an endpoint with write and grant rights, named by its address in the thread's CSpace",
    note = "a thread sharing the caller's CSpace (`LocalCNode`) takes the caller's own endpoint (`Local`/`Borrowed`) \
            with the write and grant rights; a thread with a CNode of its own takes a `Child` endpoint placed in that CNode"
)]
pub trait FaultEndpointIn<Space> {
    /// The address the kernel will look up in the thread's CSpace.
    fn fault_address(&self) -> sys::CPtr;
}
#[diagnostic::do_not_recommend]
impl<Rt: CanWrite + CanGrant, R: Invocable> FaultEndpointIn<LocalCNode> for Cap<Endpoint<Rt>, R> {
    fn fault_address(&self) -> sys::CPtr {
        self.cptr()
    }
}
impl<Radix: Unsigned + 'static, Rt: CanWrite + CanGrant, S: Scope> FaultEndpointIn<CNode<Radix>>
    for Cap<Endpoint<Rt>, Child<S>>
{
    fn fault_address(&self) -> sys::CPtr {
        self.cptr()
    }
}

/// Not a CSpace: a second [`FaultEndpointIn`] target for `Child` endpoints, so that the compiler cannot guess
/// a thread's CSpace type from its fault endpoint alone and instead reports a mismatch with the CSpace given
/// as the fault endpoint's error. It is not a [`ThreadCSpace`], so nothing can use it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum NotACSpace {}
impl<Rt: CanWrite + CanGrant, S: Scope> FaultEndpointIn<NotACSpace> for Cap<Endpoint<Rt>, Child<S>> {
    fn fault_address(&self) -> sys::CPtr {
        self.cptr()
    }
}

/// No fault endpoint: a fault leaves the thread blocked for good, reported to nobody.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFaultEndpoint;
impl<Space> FaultEndpointIn<Space> for NoFaultEndpoint {
    fn fault_address(&self) -> sys::CPtr {
        0
    }
}

/// A thread's IPC buffer: a frame of the caller's and the address the thread sees it at, or none.
///
/// A thread without an IPC buffer can still make every system call whose message fits the registers (4
/// words on x86_64: signal, wait, yield, short calls); longer messages need a buffer.
#[derive(Debug)]
pub struct IpcBuffer<'a> {
    vaddr: sys::Word,
    frame: sys::CPtr,
    borrow: PhantomData<&'a ()>,
}

impl<'a> IpcBuffer<'a> {
    /// No IPC buffer.
    pub const NONE: IpcBuffer<'static> = IpcBuffer {
        vaddr: 0,
        frame: 0,
        borrow: PhantomData,
    };

    /// The 4 KiB frame `frame`, which the thread's address space maps at `vaddr` (the kernel checks that the
    /// buffer is aligned to its size and lies in the frame). Any rights do, such as a read-write
    /// [`Region`](crate::Region)'s frame.
    pub fn in_frame<Rt: crate::rights::RightsSet>(
        frame: &'a Cap<Frame<crate::arch::Page4K, Rt>, impl Invocable>,
        vaddr: sys::Word,
    ) -> IpcBuffer<'a> {
        IpcBuffer {
            vaddr,
            frame: frame.cptr(),
            borrow: PhantomData,
        }
    }
}

/// A thread's CSpace root for configure: the caller's own ([`CSpaceRoot::shared`]) or a CNode of the thread's
/// own ([`CSpaceRoot::new`]), with the guard to give it.
#[derive(Debug, Clone, Copy)]
pub struct CSpaceRoot<'a, Space: ThreadCSpace> {
    cptr: sys::CPtr,
    data: sys::Word,
    space: PhantomData<&'a Space>,
}

impl<'a> CSpaceRoot<'a, LocalCNode> {
    /// The caller's own CSpace, shared with the thread (its root CNode capability keeps its guard).
    pub fn shared(cspace: &'a Cap<LocalCNode, impl Invocable>) -> Self {
        CSpaceRoot {
            cptr: cspace.cptr(),
            data: 0,
            space: PhantomData,
        }
    }
}

impl<'a, Radix: Unsigned + 'static> CSpaceRoot<'a, CNode<Radix>> {
    /// The CNode `cnode` (a capability of the caller's) as the thread's own CSpace root, with `guard` if
    /// given (`None` keeps the capability's own).
    pub fn new(cnode: &'a Cap<CNode<Radix>, impl Invocable>, guard: Option<CNodeGuard>) -> Self {
        CSpaceRoot {
            cptr: cnode.cptr(),
            data: guard.map_or(0, CNodeGuard::cap_data),
            space: PhantomData,
        }
    }
}

/// Everything [`Cap::configure`] sets, in one place.
#[derive(Debug)]
pub struct TcbConfig<'a, Space: ThreadCSpace, F: FaultEndpointIn<Space>, Rv: Invocable> {
    /// The fault endpoint, by its address in the thread's CSpace.
    pub fault_endpoint: &'a F,
    /// The CSpace root.
    pub cspace: CSpaceRoot<'a, Space>,
    /// The address space root (a capability of the caller's).
    pub vspace: &'a Cap<VSpaceRoot, Rv>,
    /// The IPC buffer, or [`IpcBuffer::NONE`].
    pub ipc_buffer: IpcBuffer<'a>,
    /// The priority (also the thread's maximum controlled priority).
    pub priority: Priority,
}

impl<R: Role> Cap<Tcb, R> {
    /// Sets the thread's fault endpoint, CSpace and VSpace roots, IPC buffer and priority in one call
    /// (`seL4_TCB_Configure`). The kernel checks the priority against the caller's own maximum controlled
    /// priority.
    pub fn configure<Space: ThreadCSpace, F: FaultEndpointIn<Space>, Rv: Invocable>(
        &self,
        config: TcbConfig<'_, Space, F, Rv>,
    ) -> Result<(), Error>
    where
        R: Invocable,
    {
        let c = &config;
        invoke(Operation::TCBConfigure, (), |()| {
            // SAFETY: every capability is a live one of the caller's, the kernel checks their types; the thread
            // is not the caller (a `Tcb` token is never the running thread's own unless taken from bootinfo,
            // and then the kernel refuses what it must).
            unsafe {
                sys::tcb_configure(
                    self.cptr(),
                    c.fault_endpoint.fault_address(),
                    c.priority.props_word(),
                    c.cspace.cptr,
                    c.cspace.data,
                    c.vspace.cptr(),
                    0,
                    c.ipc_buffer.vaddr,
                    c.ipc_buffer.frame,
                )
            }
        })
        .map_err(|r| r.error)?;
        Ok(())
    }

    /// Sets the fault endpoint, CSpace and VSpace roots (`seL4_TCB_SetSpace`).
    pub fn set_space<Space: ThreadCSpace, F: FaultEndpointIn<Space>>(
        &self,
        fault_endpoint: &F,
        cspace: CSpaceRoot<'_, Space>,
        vspace: &Cap<VSpaceRoot, impl Invocable>,
    ) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.call(Operation::TCBSetSpace, || {
            // SAFETY: as in `configure`.
            unsafe {
                sys::tcb_set_space(
                    self.cptr(),
                    fault_endpoint.fault_address(),
                    cspace.cptr,
                    cspace.data,
                    vspace.cptr(),
                    0,
                )
            }
        })
    }

    /// Sets the IPC buffer (`seL4_TCB_SetIPCBuffer`).
    pub fn set_ipc_buffer(&self, buffer: IpcBuffer<'_>) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.call(Operation::TCBSetIPCBuffer, || {
            // SAFETY: the frame is a live capability of the caller's; the kernel checks it and the address.
            unsafe { sys::tcb_set_ipc_buffer(self.cptr(), buffer.vaddr, buffer.frame) }
        })
    }

    /// Sets the thread's priority (`seL4_TCB_SetPriority`). On this kernel the authority is the calling
    /// thread itself: the priority may not exceed the caller's maximum controlled priority, or the kernel
    /// refuses with a range error.
    pub fn set_priority(&self, priority: Priority) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.call(Operation::TCBSetPriority, || {
            // SAFETY: changes scheduling state only.
            unsafe { sys::tcb_set_priority(self.cptr(), priority.value()) }
        })
    }

    /// Writes all of the thread's registers (`seL4_TCB_WriteRegisters`), and resumes it if `resume`.
    pub fn write_registers(&self, context: &UserContext, resume: bool) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.call(Operation::TCBWriteRegisters, || {
            // SAFETY: changes the target thread's registers; the kernel refuses the calling thread itself.
            unsafe { sys::tcb_write_registers(self.cptr(), resume, 0, USER_CONTEXT_WORDS, context) }
        })
    }

    /// Reads all of the thread's registers (`seL4_TCB_ReadRegisters`), suspending it first if `suspend`.
    pub fn read_registers(&self, suspend: bool) -> Result<UserContext, Error>
    where
        R: Invocable,
    {
        let ((), context) = invoke(Operation::TCBReadRegisters, (), |()| {
            // SAFETY: reads the target's saved registers into our IPC buffer; no memory of ours changes.
            unsafe { sys::tcb_read_registers(self.cptr(), suspend, 0, USER_CONTEXT_WORDS) }
        })
        .map_err(|r| r.error)?;
        Ok(context)
    }

    /// Makes the thread runnable (`seL4_TCB_Resume`); a thread blocked in IPC restarts its call.
    pub fn resume(&self) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.call(Operation::TCBResume, || {
            // SAFETY: changes scheduling state only.
            unsafe { sys::tcb_resume(self.cptr()) }
        })
    }

    /// Stops the thread (`seL4_TCB_Suspend`) until it is resumed; any IPC it was in is cancelled.
    pub fn suspend(&self) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.call(Operation::TCBSuspend, || {
            // SAFETY: changes scheduling state only; suspending the caller itself just never returns.
            unsafe { sys::tcb_suspend(self.cptr()) }
        })
    }

    /// Binds a notification to the thread (`seL4_TCB_BindNotification`): its signals then also end the
    /// thread's receives on endpoints. The thread waits on it, so the capability needs the read right.
    pub fn bind_notification<Rt: CanRead>(&self, notification: &Cap<Notification<Rt>, impl Invocable>) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.call(Operation::TCBBindNotification, || {
            // SAFETY: links two kernel objects; the kernel refuses if either is already bound.
            unsafe { sys::tcb_bind_notification(self.cptr(), notification.cptr()) }
        })
    }

    /// Unbinds the thread's notification (`seL4_TCB_UnbindNotification`).
    pub fn unbind_notification(&self) -> Result<(), Error>
    where
        R: Invocable,
    {
        self.call(Operation::TCBUnbindNotification, || {
            // SAFETY: unlinks two kernel objects.
            unsafe { sys::tcb_unbind_notification(self.cptr()) }
        })
    }

    /// An invocation that consumes nothing, through [`invoke`].
    fn call(&self, op: Operation, f: impl FnOnce() -> Result<(), sys::Error>) -> Result<(), Error>
    where
        R: Invocable,
    {
        invoke(op, (), |()| f()).map(|_| ()).map_err(|r| r.error)
    }
}
