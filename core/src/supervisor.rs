//! A supervisor: one fault endpoint, owned by the root task, to which every supervised thread's faults go
//! through a capability minted with a badge naming the thread. [`Supervisor::wait`] returns the badge and
//! the decoded [`Fault`]; the faulted thread stays blocked until the supervisor resumes it (after fixing
//! the cause), restarts it from a register state, or kills it. A thread's fault never reaches the root
//! task as anything but a value.

use selkie_sys as sys;

use crate::arch::UserContext;
use crate::fault::{Fault, MAX_FAULT_WORDS};
use crate::object::{Badge, Endpoint, LocalCNode, Tcb};
use crate::rights::{AllRights, WriteGrant};
use crate::role::{FlowsInto, Invocable, Local, Role};
use crate::{CNodeSlot, Cap, Error, Refused};

/// The root task's end of the fault endpoint of the threads it supervises.
pub struct Supervisor<R: Invocable = Local> {
    endpoint: Cap<Endpoint<AllRights>, R>,
}

/// A fault a [`Supervisor`] received: which thread (the badge of its fault endpoint capability) and what.
/// The thread waits for the supervisor's decision; the `&mut` borrow of the supervisor keeps the next
/// [`Supervisor::wait`] until this fault is settled (the kernel keeps one reply per receiver).
#[must_use = "a faulted thread stays blocked until it is resumed, restarted or killed"]
pub struct Faulted<'s, R: Invocable = Local> {
    /// The badge of the capability the fault came through: which thread faulted.
    pub badge: Badge,
    /// What happened.
    pub fault: Fault,
    supervisor: &'s mut Supervisor<R>,
}

impl<R: Invocable> Supervisor<R> {
    /// Supervises faults arriving on `endpoint` (an endpoint of the caller's, with all rights: it receives,
    /// and its badged copies send).
    pub fn new(endpoint: Cap<Endpoint<AllRights>, R>) -> Supervisor<R> {
        Supervisor { endpoint }
    }

    /// A copy of the fault endpoint carrying `badge`, with the rights a fault endpoint needs on this kernel
    /// (write and grant, no read: the thread cannot receive other threads' faults), for one supervised thread's
    /// [`ThreadEnv::with_fault_endpoint`](crate::ThreadEnv::with_fault_endpoint) or configure.
    pub fn fault_endpoint_for<R2: Role>(
        &self,
        cspace: &Cap<LocalCNode, impl Invocable>,
        slot: CNodeSlot<R2>,
        badge: Badge,
    ) -> Result<Cap<Endpoint<WriteGrant>, R2>, Refused<CNodeSlot<R2>>>
    where
        R: FlowsInto<R2>,
    {
        self.endpoint.mint(cspace, slot, badge)
    }

    /// Blocks until a supervised thread faults; returns which one and the decoded fault.
    pub fn wait(&mut self) -> Faulted<'_, R> {
        // SAFETY: receiving on our own endpoint with the root task's IPC buffer; the kernel writes the
        // message into registers and that buffer only.
        let (info, badge, mrs) = unsafe { sys::recv_with_mrs(self.endpoint.cptr()) };
        let len = (info.length() as usize).min(sys::MSG_MAX_LENGTH);
        let mut words = [0; MAX_FAULT_WORDS];
        let n = len.min(MAX_FAULT_WORDS);
        for (i, w) in words.iter_mut().enumerate().take(n) {
            *w = if i < sys::MSG_REGISTERS {
                mrs[i]
            } else {
                // SAFETY: reads our own IPC buffer, below the message length.
                unsafe { sys::get_mr(i) }
            };
        }
        let fault = if len > MAX_FAULT_WORDS {
            // Longer than any fault: keep the words we have, under their label, as an unknown fault.
            Fault::Unknown {
                label: info.label(),
                len,
                words,
            }
        } else {
            Fault::decode(info.label(), &words[..n])
        };
        Faulted {
            badge: Badge::new(badge).unwrap_or(Badge::NONE),
            fault,
            supervisor: self,
        }
    }

    /// The endpoint's address in the caller's CSpace (for minting process fault endpoints).
    pub(crate) fn endpoint_cptr(&self) -> selkie_sys::CPtr {
        self.endpoint.cptr()
    }

    /// Gives the endpoint back.
    pub fn into_endpoint(self) -> Cap<Endpoint<AllRights>, R> {
        self.endpoint
    }
}

impl<R: Invocable> Faulted<'_, R> {
    /// Resumes the thread after the cause was fixed: an empty reply to the fault, so the thread re-executes
    /// the faulting instruction (for a VM fault) with its registers as they are now (change them first with
    /// [`Cap::write_registers`](crate::Cap::write_registers) if needed).
    pub fn resume(self) {
        let _ = &self.supervisor;
        // SAFETY: replies to the fault this supervisor just received; an empty message changes no registers.
        unsafe { sys::reply(sys::MessageInfo::new(0, 0, 0, 0)) }
    }

    /// Restarts the thread from `context` (for a [`Thread`](crate::Thread), its
    /// [`initial_context`](crate::RunningThread::initial_context)): writes every register and resumes it;
    /// the pending reply is dropped by the kernel.
    pub fn restart(self, tcb: &Cap<Tcb, impl Invocable>, context: &UserContext) -> Result<(), Error> {
        tcb.write_registers(context, true)
    }

    /// Kills the thread: suspends it for good (tearing it down comes with processes).
    pub fn kill(self, tcb: &Cap<Tcb, impl Invocable>) -> Result<(), Error> {
        tcb.suspend()
    }
}
