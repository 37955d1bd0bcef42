//! Threads in the caller's own address space and CSpace: a function, a typed argument, a stack from a
//! static the user declares, a priority, and a notification to join on.
//!
//! A [`Thread`] has **no IPC buffer**: it may make every system call whose message fits the registers
//! (signal, wait, yield, calls of up to 4 words on x86_64), not longer IPC. That keeps a thread free of the
//! mapping work regions bring; a thread that needs a buffer can be given one with
//! [`Cap::set_ipc_buffer`](crate::Cap::set_ipc_buffer) before it starts.
//!
//! The thread starts in an entry trampoline that calls `f(arg)`; when `f` returns, the trampoline signals
//! the join notification and suspends the thread, so [`RunningThread::join`] returns.

use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, Ordering};

use selkie_sys as sys;

use crate::arch::{entry_context, UserContext, VSpaceRoot};
use crate::object::{
    CSpaceRoot, FaultEndpointIn, IpcBuffer, LocalCNode, NoFaultEndpoint, Notification, Priority, Tcb, TcbConfig,
};
use crate::rights::AllRights;
use crate::role::{Invocable, Local};
use crate::{Cap, Error, Refused};

/// A thread's stack: `N` bytes, page aligned. Declare one as a `static` inside a [`StaticStack`].
#[repr(C, align(4096))]
pub struct ThreadStack<const N: usize> {
    bytes: [u8; N],
}

impl<const N: usize> ThreadStack<N> {
    const CHECK: () = assert!(
        N >= 4096 && N.is_multiple_of(4096),
        "a thread stack is a whole number of 4 KiB pages"
    );

    /// The address one past the stack's last byte.
    fn top(&mut self) -> usize {
        self.bytes.as_mut_ptr_range().end as usize
    }
}

/// A `static` thread stack that can be taken once, safely: no `static mut`.
///
/// ```
/// use selkie::StaticStack;
/// static STACK: StaticStack<8192> = StaticStack::new();
/// assert!(STACK.take().is_ok());
/// assert!(STACK.take().is_err()); // the second take is refused
/// ```
pub struct StaticStack<const N: usize> {
    taken: AtomicBool,
    stack: UnsafeCell<ThreadStack<N>>,
}

// SAFETY: the stack's bytes are reached only through the one `&'static mut` that `take` hands out, once.
unsafe impl<const N: usize> Sync for StaticStack<N> {}

impl<const N: usize> StaticStack<N> {
    /// A stack of `N` bytes (a whole number of 4 KiB pages), not yet taken.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        #[allow(clippy::let_unit_value)]
        let () = ThreadStack::<N>::CHECK;
        StaticStack {
            taken: AtomicBool::new(false),
            stack: UnsafeCell::new(ThreadStack { bytes: [0; N] }),
        }
    }

    /// The stack, the first time; [`Error::StackTaken`] after that.
    // The one-time flag is what makes handing out `&mut` from `&self` sound, as with `OnceCell`-style types.
    #[allow(clippy::mut_from_ref)]
    pub fn take(&'static self) -> Result<&'static mut ThreadStack<N>, Error> {
        if self.taken.swap(true, Ordering::AcqRel) {
            return Err(Error::StackTaken { size: N });
        }
        // SAFETY: the flag was clear and is now set, so this is the only reference ever made to the stack.
        Ok(unsafe { &mut *self.stack.get() })
    }
}

/// `T: ThreadArg`: `T` can be a thread's argument: plain data (`Copy`), safe to send to another thread
/// (`Send`), and borrowing nothing (`'static`). It is copied onto the new thread's stack.
#[diagnostic::on_unimplemented(
    message = "a thread argument must be plain data that can be sent to another thread",
    label = "`{Self}` is not `Copy + Send + 'static`",
    note = "pass plain values (numbers, `Copy` structs of them, `&'static` data that is `Sync`); pointers, `Cell`s and \
            borrows of locals cannot go to another thread"
)]
pub trait ThreadArg: Copy + Send + 'static {}
impl<T: Copy + Send + 'static> ThreadArg for T {}

/// What a thread runs in and reports to: the caller's CSpace and VSpace, and optionally a fault endpoint
/// (the caller's own capability: a thread shares the caller's CSpace, so the address is the same).
pub struct ThreadEnv<'a> {
    cspace: CSpaceRoot<'a, LocalCNode>,
    vspace: sys::CPtr,
    fault: sys::CPtr,
    borrow: PhantomData<&'a ()>,
}

impl<'a> ThreadEnv<'a> {
    /// Threads in the caller's own CSpace and VSpace, with no fault endpoint.
    pub fn new(cspace: &'a Cap<LocalCNode, impl Invocable>, vspace: &'a Cap<VSpaceRoot, impl Invocable>) -> Self {
        ThreadEnv {
            cspace: CSpaceRoot::shared(cspace),
            vspace: vspace.cptr(),
            fault: FaultEndpointIn::<LocalCNode>::fault_address(&NoFaultEndpoint),
            borrow: PhantomData,
        }
    }

    /// Faults of these threads go to `endpoint` (usually one minted per thread with a badge, see
    /// [`Supervisor`](crate::Supervisor)).
    pub fn with_fault_endpoint<E: FaultEndpointIn<LocalCNode>>(self, endpoint: &'a E) -> Self {
        ThreadEnv {
            fault: endpoint.fault_address(),
            ..self
        }
    }
}

/// What [`Thread::spawn`] hands back when the kernel refuses: the TCB and the join notification.
pub type SpawnRefused<R> = Refused<ThreadParts<R>>;

/// A thread's TCB and join notification, as [`RunningThread::join`] gives them back.
pub type ThreadParts<R> = (Cap<Tcb, R>, Cap<Notification, R>);

/// Where a thread starts: enough to rebuild its initial registers (kept small, so a refused start that hands
/// the `Thread` back stays small too).
#[derive(Debug, Clone, Copy)]
struct Entry {
    pc: usize,
    stack: usize,
    args: [sys::Word; 4],
}

impl Entry {
    fn context(&self) -> UserContext {
        entry_context(self.pc, self.stack, self.args)
    }
}

/// A configured thread that has not started. [`Thread::start`] consumes it, so a thread starts once.
#[must_use = "a thread does nothing until it is started"]
pub struct Thread<R: Invocable = Local> {
    tcb: Cap<Tcb, R>,
    join: Cap<Notification, R>,
    initial: Entry,
}

/// A started thread.
#[must_use = "join a thread, or keep it, to get its TCB back"]
pub struct RunningThread<R: Invocable = Local> {
    tcb: Cap<Tcb, R>,
    join: Cap<Notification, R>,
    initial: Entry,
}

/// The trampoline every thread starts in: calls `f(arg)` for the `(f, arg)` at `start`, then signals `join`
/// and suspends `tcb`.
extern "C" fn trampoline<T: ThreadArg>(start: *const (fn(T), T), join: sys::CPtr, tcb: sys::CPtr) -> ! {
    // SAFETY: `spawn` wrote an `(fn(T), T)` at `start`, above the stack pointer the thread started with; only
    // this thread reads it.
    let (f, arg) = unsafe { start.read() };
    f(arg);
    loop {
        // SAFETY: the notification and TCB capabilities are live in the CSpace this thread shares with its
        // parent while the `RunningThread` exists; suspending ourselves does not return.
        unsafe {
            sys::signal(join);
            let _ = sys::tcb_suspend(tcb);
        }
    }
}

impl<R: Invocable> Thread<R> {
    /// Configures `tcb` to run `f(arg)` on `stack` at `priority` in `env`'s spaces, without starting it.
    /// The join notification is signalled when `f` returns.
    ///
    /// The argument is copied to the top of the stack; it must be plain data that can be sent to another
    /// thread ([`ThreadArg`]).
    pub fn spawn<T: ThreadArg, const N: usize>(
        env: &ThreadEnv<'_>,
        tcb: Cap<Tcb, R>,
        stack: &'static mut ThreadStack<N>,
        f: fn(T),
        arg: T,
        priority: Priority,
        join: Cap<Notification<AllRights>, R>,
    ) -> Result<Thread<R>, SpawnRefused<R>> {
        let top = stack.top();
        type Start<T> = (fn(T), T);
        let size = core::mem::size_of::<Start<T>>();
        let align = core::mem::align_of::<Start<T>>().max(16);
        if size + 256 > N {
            return Err(Refused {
                error: Error::StackTooSmall {
                    size: N,
                    needed: size + 256,
                },
                inputs: (tcb, join),
            });
        }
        let slot = (top - size) & !(align - 1);
        // SAFETY: `slot` lies inside the stack (checked above), which this `&'static mut` makes ours alone, and
        // is aligned for the pair; the thread has not started.
        unsafe { (slot as *mut Start<T>).write((f, arg)) };
        let entry: extern "C" fn(*const Start<T>, sys::CPtr, sys::CPtr) -> ! = trampoline::<T>;
        let initial = Entry {
            pc: entry as usize,
            stack: slot,
            args: [slot as sys::Word, join.cptr(), tcb.cptr(), 0],
        };
        let config = TcbConfig {
            fault_endpoint: &RawFault(env.fault),
            cspace: env.cspace,
            vspace: &Cap::<VSpaceRoot, Local>::new(env.vspace, VSpaceRoot::from_data(())),
            ipc_buffer: IpcBuffer::NONE,
            priority,
        };
        let step = tcb
            .configure(config)
            .and_then(|()| tcb.write_registers(&initial.context(), false));
        match step {
            Ok(()) => Ok(Thread { tcb, join, initial }),
            Err(error) => Err(Refused {
                error,
                inputs: (tcb, join),
            }),
        }
    }

    /// The register state the thread starts from (for [`Faulted::restart`](crate::Faulted::restart)).
    pub fn initial_context(&self) -> UserContext {
        self.initial.context()
    }

    /// The thread's TCB.
    pub fn tcb(&self) -> &Cap<Tcb, R> {
        &self.tcb
    }

    /// Starts the thread (`seL4_TCB_Resume`).
    pub fn start(self) -> Result<RunningThread<R>, Refused<Thread<R>>> {
        match self.tcb.resume() {
            Ok(()) => Ok(RunningThread {
                tcb: self.tcb,
                join: self.join,
                initial: self.initial,
            }),
            Err(error) => Err(Refused { error, inputs: self }),
        }
    }
}

/// The fault endpoint address a [`ThreadEnv`] carries, already checked when the environment was made.
struct RawFault(sys::CPtr);
impl FaultEndpointIn<LocalCNode> for RawFault {
    fn fault_address(&self) -> sys::CPtr {
        self.0
    }
}

impl<R: Invocable> RunningThread<R> {
    /// The thread's TCB (to read its registers, change its priority, ...).
    pub fn tcb(&self) -> &Cap<Tcb, R> {
        &self.tcb
    }

    /// The register state the thread started from.
    pub fn initial_context(&self) -> UserContext {
        self.initial.context()
    }

    /// Stops the thread until [`resume`](Self::resume).
    pub fn suspend(&self) -> Result<(), Error> {
        self.tcb.suspend()
    }

    /// Lets a suspended thread run again.
    pub fn resume(&self) -> Result<(), Error> {
        self.tcb.resume()
    }

    /// Waits until the thread's function has returned, makes sure the thread is stopped, and gives back its
    /// TCB and join notification (the stack was `'static` and stays with the thread's code).
    pub fn join(self) -> Result<ThreadParts<R>, Error> {
        self.join.wait();
        // The thread signals, then suspends itself; a higher-priority joiner may get here in between.
        self.tcb.suspend()?;
        Ok((self.tcb, self.join))
    }
}
