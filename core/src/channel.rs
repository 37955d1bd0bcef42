//! Typed synchronous channels over an endpoint: [`Caller`] / [`Responder`] (call and reply) and [`Sender`] /
//! [`Receiver`] (one way).
//!
//! A channel is made from an endpoint capability, which it consumes ([`channel`], [`one_way`]). Its ends carry
//! their message types: a [`Caller<Req, Rsp>`](Caller) sends a `Req` and gets an `Rsp` back; the
//! [`Responder`] serves them. Messages are plain old data ([`Message`]: `bytemuck::Pod` with its size as a type,
//! declared with [`message!`](crate::message!)), copied into the message registers byte for byte and read back
//! with `bytemuck`, never as an arbitrary `Sized` value.
//!
//! - A message that does not fit the IPC buffer (120 words, 960 bytes) does not compile.
//! - A [`FastPath`] channel keeps every message in the four message registers that travel in CPU registers, so a
//!   message above four words ([`FastPathBytes`](crate::FastPathBytes): 32 bytes on x86_64, 16 on aarch32) does
//!   not compile on it.
//! - Every message type has its own label ([`Message::LABEL`]), sent as the message's label, so a request of the
//!   wrong type is caught at run time too.
//! - A responder never trusts its clients: a message with an unknown label, the wrong length or a missing
//!   capability is answered with an error reply ([`ChannelError::Rejected`]) and the responder keeps serving.
//!   Decoding a request never panics.
//! - A capability can travel with a request, typed on both ends: a [`CapCaller`] sends one (its endpoint
//!   capability needs the grant right), the responder receives it into a slot it provides and hands the handler
//!   a [`Cap<C>`](Cap). The kernel does not report the badge of a capability transferred this way (it reports
//!   badges only for a capability to the very endpoint the message came through, which it unwraps instead of
//!   transferring; the responder refuses that), so the received token carries no badge.
//! - Each end carries its owner ([`Owner`]): [`ThisProcess`] (the default) for ends used by threads of the
//!   process that made the channel ([`Threads`]), or a child's brand for ends set up for two processes
//!   ([`Between<Client, Server>`](Between)). An end owned by child `B` is a field of `B`'s
//!   [`ProcessParams`](crate::process::ProcessParams) (its endpoint capability is moved into `B`'s CSpace, and
//!   `B` receives the same end type, usable there) and of no other child's: giving it to another child does
//!   not compile. A child receiving capabilities gets slots for them as [`ReceiveSlots`].

use core::marker::PhantomData;
use core::mem::size_of;

use cross_queue::Element;
use selkie_sys as sys;
use typenum::{IsLessOrEqual, LeEq, Unsigned, B1, U960};

use crate::arch::FastPathBytes;

use crate::cap::Cap;
use crate::error::Error;
use crate::object::{Badge, CapType, Endpoint, LocalCNode, Notification};
use crate::rights::RightsSet;
use crate::role::{Forever, Invocable, Local, Role, Scope, ScopeFlowsInto};
use crate::slots::{CNodeSlot, CNodeSlots, Runtime};

mod wiring;

pub use wiring::{Between, Owner, ReceiveSlots, ThisProcess, Threads, Wiring};

const WORD: usize = size_of::<sys::Word>();
const _: () = assert!(FastPathBytes::USIZE == 4 * WORD, "the fast path carries four words");
/// Message registers in the IPC buffer.
const MAX_WORDS: usize = sys::MSG_MAX_LENGTH;
/// The label of an error reply: the largest label the kernel's message info holds (20 bits on this kernel).
/// Message labels must be below it, which also makes them fit the field (checked when a message is declared).
pub const ERROR_LABEL: sys::Word = sys::MessageInfo::new(sys::Word::MAX, 0, 0, 0).label();

/// A message a channel can carry: plain old data ([`bytemuck::Pod`], via [`cross_queue::Element`], which also
/// gives its size as a type) with a label that identifies its type on the wire.
///
/// Declare one with [`message!`](crate::message!), which checks the size and the label at compile time.
/// References and raw pointers are not `Pod`, so a message holding one does not compile.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a channel message",
    label = "channels carry only plain-old-data messages declared with `selkie::message!`",
    note = "a message must be `bytemuck::Pod` (no references, pointers or padding) and declared with \
            `selkie::message!(Type: SizeInBytes = LABEL)`"
)]
pub trait Message: Element {
    /// The label sent with every message of this type: its identity on the wire. Below [`ERROR_LABEL`].
    const LABEL: sys::Word;
}

/// Declares channel messages: `message!(Type: SizeInBytes = LABEL, ...)`. The type must be `bytemuck::Pod`;
/// the size (a `typenum` number) and the label (below [`ERROR_LABEL`](crate::channel::ERROR_LABEL)) are
/// checked at compile time.
///
/// ```
/// use selkie::{bytemuck, typenum::U16};
/// #[derive(Clone, Copy)]
/// #[repr(C)]
/// struct Add {
///     a: u64,
///     b: u64,
/// }
/// // SAFETY: `repr(C)`, two `u64`s, no padding.
/// unsafe impl bytemuck::Zeroable for Add {}
/// // SAFETY: as above.
/// unsafe impl bytemuck::Pod for Add {}
/// selkie::message!(Add: U16 = 1);
/// ```
#[macro_export]
macro_rules! message {
    ($($t:ty: $size:ty = $label:expr),+ $(,)?) => {$(
        $crate::cross_queue::element!($t: $size);
        impl $crate::Message for $t {
            const LABEL: $crate::sys::Word = $label;
        }
        const _: () = ::core::assert!(
            ($label as $crate::sys::Word) < $crate::channel::ERROR_LABEL,
            "a message label must be below `selkie::channel::ERROR_LABEL`"
        );
    )+};
}

/// The message's length in words.
const fn words_of<M>() -> usize {
    size_of::<M>().div_ceil(WORD)
}

/// The check that a message fits the IPC buffer: implemented for `B1`, the result of `Size <= 960`.
#[diagnostic::on_unimplemented(
    message = "the message does not fit the IPC buffer",
    label = "a message may have at most 120 words (960 bytes)",
    note = "send large data through a shared region or a queue, and a small message about it"
)]
pub trait FitsIpcBuffer {}
#[diagnostic::do_not_recommend]
impl FitsIpcBuffer for B1 {}

/// The check that a message fits the fast path: implemented for `B1`, the result of `Size <= FastPathBytes`.
#[diagnostic::on_unimplemented(
    message = "the message is too large for a fast-path channel",
    label = "a fast-path message has at most 4 words (32 bytes on x86_64, 16 on aarch32)",
    note = "use a `Buffered` channel, or a smaller message"
)]
pub trait FitsRegisters {}
#[diagnostic::do_not_recommend]
impl FitsRegisters for B1 {}

/// How a channel's messages travel: [`Buffered`] (message registers in the IPC buffer) or [`FastPath`] (only the
/// four registers that travel in CPU registers).
pub trait Path: crate::sealed::Sealed + 'static {}
/// Messages of up to 120 words through the IPC buffer.
#[derive(Debug)]
pub enum Buffered {}
/// Messages of up to 4 words in CPU registers: the kernel's fast path.
#[derive(Debug)]
pub enum FastPath {}
impl crate::sealed::Sealed for Buffered {}
impl crate::sealed::Sealed for FastPath {}
impl Path for Buffered {}
impl Path for FastPath {}

/// `P: Carries<M>`: a channel of path `P` can carry message `M` (it fits).
#[diagnostic::on_unimplemented(message = "`{M}` cannot travel on a `{Self}` channel")]
pub trait Carries<M>: Path {}
impl<M: Message> Carries<M> for Buffered
where
    M::Size: IsLessOrEqual<U960>,
    LeEq<M::Size, U960>: FitsIpcBuffer,
{
}
impl<M: Message> Carries<M> for FastPath
where
    M::Size: IsLessOrEqual<FastPathBytes>,
    LeEq<M::Size, FastPathBytes>: FitsRegisters,
{
}

/// `P: Exchanges<Req, Rsp>`: a channel of path `P` carries both the request and the response.
pub trait Exchanges<Req, Rsp>: Carries<Req> + Carries<Rsp> {}
impl<P: Carries<Req> + Carries<Rsp>, Req, Rsp> Exchanges<Req, Rsp> for P {}

/// Why a message was refused, as the responder's error reply says: its word 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Rejection {
    /// The label names no message this responder takes.
    UnknownLabel = 1,
    /// The message has the wrong number of words.
    WrongLength = 2,
    /// A capability the request needs did not arrive (or is not of the expected type).
    MissingCap = 3,
    /// The responder has no free slot to receive a capability into.
    NoReceiveSlot = 4,
}

impl Rejection {
    fn from_word(w: sys::Word) -> Option<Rejection> {
        match w {
            1 => Some(Rejection::UnknownLabel),
            2 => Some(Rejection::WrongLength),
            3 => Some(Rejection::MissingCap),
            4 => Some(Rejection::NoReceiveSlot),
            _ => None,
        }
    }
}

/// What can go wrong on a channel, seen by the party that sent the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelError {
    /// The responder refused the request; `detail` is the label, length or cap count it saw.
    Rejected {
        /// Why.
        reason: Rejection,
        /// The offending label, word count or capability count.
        detail: sys::Word,
    },
    /// The reply was not a well-formed response: wrong label or length.
    BadReply {
        /// The reply's label.
        label: sys::Word,
        /// The reply's length in words.
        words: sys::Word,
    },
}

impl core::fmt::Display for ChannelError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            ChannelError::Rejected { reason, detail } => {
                write!(f, "the responder refused the request: {reason:?} ({detail:#x})")
            }
            ChannelError::BadReply { label, words } => {
                write!(f, "malformed reply: label {label:#x}, {words} words")
            }
        }
    }
}

/// Writes `m` into the message registers (through the IPC buffer) and returns its word count.
///
/// # Safety
/// The calling thread's IPC buffer must be mapped.
#[inline(always)]
unsafe fn store<M: Message>(m: &M) -> usize {
    let bytes = bytemuck::bytes_of(m);
    // A word at a time, whole words first (fixed-size copies, no `memcpy` calls), then the zero-padded rest.
    let (full, tail) = bytes.split_at(bytes.len() / WORD * WORD);
    let mut n = 0;
    for word in full.chunks_exact(WORD) {
        let mut w = [0u8; WORD];
        w.copy_from_slice(word);
        // SAFETY: the caller guarantees the buffer; `n < words_of::<M>() <= MAX_WORDS` by the `Carries` bound
        // the callers hold.
        unsafe { sys::set_mr(n, sys::Word::from_ne_bytes(w)) };
        n += 1;
    }
    if !tail.is_empty() {
        let mut w = [0u8; WORD];
        w[..tail.len()].copy_from_slice(tail);
        // SAFETY: as above: the last word.
        unsafe { sys::set_mr(n, sys::Word::from_ne_bytes(w)) };
        n += 1;
    }
    n
}

/// Reads an `M` from the first message registers; `None` if `words` is not its length.
///
/// # Safety
/// The calling thread's IPC buffer must be mapped.
#[inline(always)]
unsafe fn load<M: Message>(words: usize) -> Option<M> {
    if words != words_of::<M>() || words > MAX_WORDS {
        return None;
    }
    // Straight into the message, a word at a time (a staging buffer of the IPC buffer's size would be zeroed on
    // every receive, and copies of a length unknown to the compiler become calls to `memcpy`).
    let mut m: M = bytemuck::Zeroable::zeroed();
    let bytes = bytemuck::bytes_of_mut(&mut m);
    let (full, tail) = bytes.split_at_mut(bytes.len() / WORD * WORD);
    for (i, word) in full.chunks_exact_mut(WORD).enumerate() {
        // SAFETY: the caller guarantees the buffer; `i < words <= MAX_WORDS` (`M` fills exactly `words` words).
        word.copy_from_slice(&unsafe { sys::get_mr(i) }.to_ne_bytes());
    }
    if !tail.is_empty() {
        // SAFETY: as above: the last word.
        let w = unsafe { sys::get_mr(words - 1) };
        tail.copy_from_slice(&w.to_ne_bytes()[..tail.len()]);
    }
    Some(m)
}

/// The message info for `M` with `caps` extra capabilities.
#[inline(always)]
fn info_for<M: Message>(caps: sys::Word) -> sys::MessageInfo {
    sys::MessageInfo::new(M::LABEL, 0, caps, words_of::<M>() as sys::Word)
}

/// Decodes a reply to a call: an `Rsp`, or the responder's error.
///
/// # Safety
/// The calling thread's IPC buffer must be mapped.
#[inline(always)]
unsafe fn decode_reply<Rsp: Message>(info: sys::MessageInfo) -> Result<Rsp, ChannelError> {
    let (label, words) = (info.label(), info.length());
    if label == ERROR_LABEL && words == 2 {
        // SAFETY: the caller guarantees the buffer; two words arrived.
        let (reason, detail) = unsafe { (sys::get_mr(0), sys::get_mr(1)) };
        if let Some(reason) = Rejection::from_word(reason) {
            return Err(ChannelError::Rejected { reason, detail });
        }
    }
    if label == Rsp::LABEL {
        // SAFETY: as above.
        if let Some(rsp) = unsafe { load::<Rsp>(words as usize) } {
            return Ok(rsp);
        }
    }
    Err(ChannelError::BadReply { label, words })
}

/// Sets up an error reply in the message registers and returns its info.
///
/// # Safety
/// The calling thread's IPC buffer must be mapped.
unsafe fn error_reply(reason: Rejection, detail: sys::Word) -> sys::MessageInfo {
    // SAFETY: the caller guarantees the buffer.
    unsafe {
        sys::set_mr(0, reason as sys::Word);
        sys::set_mr(1, detail);
    }
    sys::MessageInfo::new(ERROR_LABEL, 0, 0, 2)
}

/// What an end's type parameters stand for, as a marker that owns none of them: it sends `Req`, gets `Rsp`, on
/// path `P`, and belongs to `O`.
type EndTypes<Req, Rsp, P, O> = fn(Req) -> (Rsp, P, O);

/// The calling end of a channel: sends a `Req`, waits for an `Rsp` (`seL4_Call`). Made by [`channel`] or
/// [`Responder::caller`] (a badged copy).
pub struct Caller<Req, Rsp, P: Exchanges<Req, Rsp> = Buffered, R: Role = Local, O = ThisProcess> {
    endpoint: Cap<Endpoint, R>,
    types: PhantomData<EndTypes<Req, Rsp, P, O>>,
}

/// The serving end of a channel: receives `Req`s with their caller's badge, answers each with an `Rsp`
/// (`seL4_Recv`, then `seL4_ReplyRecv`).
pub struct Responder<Req, Rsp, P: Exchanges<Req, Rsp> = Buffered, R: Role = Local, O = ThisProcess> {
    endpoint: Cap<Endpoint, R>,
    types: PhantomData<EndTypes<Req, Rsp, P, O>>,
}

/// A caller whose requests each carry a capability of type `C`.
pub struct CapCaller<Req, Rsp, C: CapType, R: Role = Local, O = ThisProcess>
where
    Buffered: Exchanges<Req, Rsp>,
{
    inner: Caller<Req, Rsp, Buffered, R, O>,
    cap: PhantomData<C>,
}

/// A responder whose requests each carry a capability of type `C`, received into slots it provides.
pub struct CapResponder<Req, Rsp, C: CapType, R: Role = Local, O = ThisProcess>
where
    Buffered: Exchanges<Req, Rsp>,
{
    inner: Responder<Req, Rsp, Buffered, R, O>,
    cap: PhantomData<C>,
}

/// The sending end of a one-way channel (`seL4_Send`).
pub struct Sender<Msg, R: Role = Local, O = ThisProcess>
where
    Buffered: Carries<Msg>,
{
    endpoint: Cap<Endpoint, R>,
    types: PhantomData<fn(Msg, O)>,
}

/// The receiving end of a one-way channel (`seL4_Recv`).
pub struct Receiver<Msg, R: Role = Local, O = ThisProcess>
where
    Buffered: Carries<Msg>,
{
    endpoint: Cap<Endpoint, R>,
    types: PhantomData<fn(O) -> Msg>,
}

/// The two ends of a call/reply channel wired by `W` ([`Threads`] or [`Between`]).
pub type ChannelEnds<Req, Rsp, P, W, R> = (
    Caller<Req, Rsp, P, R, <W as Wiring>::Calling>,
    Responder<Req, Rsp, P, R, <W as Wiring>::Serving>,
);
/// The two ends of a one-way channel wired by `W` ([`Threads`] or [`Between`]).
pub type OneWayEnds<Msg, W, R> = (
    Sender<Msg, R, <W as Wiring>::Calling>,
    Receiver<Msg, R, <W as Wiring>::Serving>,
);

/// Makes a call/reply channel from `endpoint` (consumed): the responder keeps it, the caller gets a copy made in
/// `slot`. Both ends use the endpoint's full rights. `W` says who the ends are for: [`Threads`] for threads
/// of the caller's own, [`Between<Client, Server>`](Between) for two processes (the caller end can then be a
/// parameter of `Client` only, the responder of `Server` only).
///
/// ```no_run
/// # fn demo(res: &mut selkie::bootstrap::Resources) -> Result<(), selkie::Error> {
/// use selkie::channel::{channel, Between, Buffered, Caller, Responder};
/// use selkie::{Cap, Endpoint};
/// # #[derive(Clone, Copy)] #[repr(C)] struct Ping(u64);
/// # unsafe impl selkie::bytemuck::Zeroable for Ping {}
/// # unsafe impl selkie::bytemuck::Pod for Ping {}
/// # selkie::message!(Ping: selkie::typenum::U8 = 1);
/// selkie::child_brand!(Client, Server);
///
/// /// The client's parameters: its end of the channel (it can only be given to `Client`).
/// #[derive(selkie::ProcessParams)]
/// #[repr(C)]
/// struct ClientSide {
///     server: Caller<Ping, Ping, Buffered, selkie::Local, Client>,
/// }
/// /// The server's parameters.
/// #[derive(selkie::ProcessParams)]
/// #[repr(C)]
/// struct ServerSide {
///     clients: Responder<Ping, Ping, Buffered, selkie::Local, Server>,
/// }
///
/// let ep: Cap<Endpoint> = res.untyped.alloc::<selkie::typenum::U4>()?.retype(res.slots.alloc()?)?;
/// let (caller, responder) = channel::<Ping, Ping, Buffered, Between<Client, Server>, _>(
///     ep,
///     &res.cspace,
///     res.slots.alloc()?,
/// )?;
/// let client = ClientSide { server: caller };
/// let server = ServerSide { clients: responder };
/// // `Process::new(&kit, ProcessBrand::<Client>::take()?, .., client, ..)` and the same for `Server`;
/// // `ServerSide` given to the `Client` process does not compile.
/// # let _ = (client, server);
/// # Ok(())
/// # }
/// ```
pub fn channel<Req, Rsp, P, W, R>(
    endpoint: Cap<Endpoint, R>,
    cspace: &Cap<LocalCNode, impl Invocable>,
    slot: CNodeSlot<R>,
) -> Result<ChannelEnds<Req, Rsp, P, W, R>, Error>
where
    P: Exchanges<Req, Rsp>,
    W: Wiring,
    R: Invocable + crate::role::FlowsInto<R>,
{
    let copy = endpoint.copy(cspace, slot).map_err(|r| r.error)?;
    Ok((
        Caller {
            endpoint: copy,
            types: PhantomData,
        },
        Responder {
            endpoint,
            types: PhantomData,
        },
    ))
}

/// Makes a one-way channel from `endpoint` (consumed), the sender's copy in `slot`; `W` says who the ends are
/// for, as in [`channel`] (the sender is `W`'s calling side).
pub fn one_way<Msg, W, R>(
    endpoint: Cap<Endpoint, R>,
    cspace: &Cap<LocalCNode, impl Invocable>,
    slot: CNodeSlot<R>,
) -> Result<OneWayEnds<Msg, W, R>, Error>
where
    Buffered: Carries<Msg>,
    W: Wiring,
    R: Invocable + crate::role::FlowsInto<R>,
{
    let copy = endpoint.copy(cspace, slot).map_err(|r| r.error)?;
    Ok((
        Sender {
            endpoint: copy,
            types: PhantomData,
        },
        Receiver {
            endpoint,
            types: PhantomData,
        },
    ))
}

impl<Req: Message, Rsp: Message, R: Invocable, O> Caller<Req, Rsp, Buffered, R, O>
where
    Buffered: Exchanges<Req, Rsp>,
{
    /// Sends `req` and waits for the response (`seL4_Call`). A refusal by the responder or a malformed reply
    /// is a [`ChannelError`].
    #[inline]
    pub fn call(&self, req: &Req) -> Result<Rsp, ChannelError> {
        // SAFETY: every typed IPC relies on the thread's IPC buffer being mapped (the kernel points GS base at
        // it); the message is plain old data and transfers no capability.
        unsafe {
            store(req);
            let info = sys::call(self.endpoint.cptr(), info_for::<Req>(0));
            decode_reply(info)
        }
    }
}

/// Packs up to four words of `m` for the fast path: one fixed-size copy into the words (zero-padded), which
/// the compiler turns into register moves.
#[inline(always)]
fn pack<M: Message>(m: &M) -> [sys::Word; 4] {
    let mut words = [0 as sys::Word; 4];
    let bytes = bytemuck::bytes_of(m);
    bytemuck::bytes_of_mut(&mut words)[..bytes.len()].copy_from_slice(bytes);
    words
}

/// Unpacks an `M` from fast-path words; `None` if the info does not describe an `M`. Read straight from the
/// words' bytes (no staging buffer to zero).
#[inline(always)]
fn unpack<M: Message>(info: sys::MessageInfo, words: [sys::Word; 4]) -> Option<M> {
    if info.label() != M::LABEL || info.length() as usize != words_of::<M>() || size_of::<M>() > 4 * WORD {
        return None;
    }
    Some(bytemuck::pod_read_unaligned(
        &bytemuck::bytes_of(&words)[..size_of::<M>()],
    ))
}

impl<Req: Message, Rsp: Message, R: Invocable, O> Caller<Req, Rsp, FastPath, R, O>
where
    FastPath: Exchanges<Req, Rsp>,
{
    /// Sends `req` and waits for the response, all in CPU registers (`seL4_Call` on the fast path; the IPC
    /// buffer is not touched). Always inlined: with the message in registers, the whole call is a few
    /// register moves, the system call and the reply's checks.
    #[inline(always)]
    pub fn call(&self, req: &Req) -> Result<Rsp, ChannelError> {
        // SAFETY: the message words travel in registers; with at most four words and no capabilities the
        // kernel does not touch the IPC buffer.
        let (info, words) = unsafe { sys::call_with_mrs(self.endpoint.cptr(), info_for::<Req>(0), pack(req)) };
        if info.label() == ERROR_LABEL && info.length() == 2 {
            if let Some(reason) = Rejection::from_word(words[0]) {
                return Err(ChannelError::Rejected {
                    reason,
                    detail: words[1],
                });
            }
        }
        unpack(info, words).ok_or(ChannelError::BadReply {
            label: info.label(),
            words: info.length(),
        })
    }
}

impl<Req: Message, Rsp: Message, C: CapType, R: Invocable, O> CapCaller<Req, Rsp, C, R, O>
where
    Buffered: Exchanges<Req, Rsp>,
{
    /// Sends `req` with a capability (the kernel copies `cap` into the responder's receive slot) and waits for
    /// the response. The caller's endpoint capability needs the grant right, as a channel's copy has.
    pub fn call<RC: Invocable>(&self, req: &Req, cap: &Cap<C, RC>) -> Result<Rsp, ChannelError> {
        // SAFETY: the IPC buffer is mapped (see `Caller::call`); the capability is copied, not moved, so the
        // caller's token stays valid.
        unsafe {
            store(req);
            sys::set_cap(0, cap.cptr());
            let info = sys::call(self.inner.endpoint.cptr(), info_for::<Req>(1));
            decode_reply(info)
        }
    }

    /// The same call without the capability: the responder answers with [`Rejection::MissingCap`]. For testing
    /// a responder's checks.
    pub fn call_without_cap(&self, req: &Req) -> Result<Rsp, ChannelError> {
        // SAFETY: as in `Caller::call`.
        unsafe {
            store(req);
            let info = sys::call(self.inner.endpoint.cptr(), info_for::<Req>(0));
            decode_reply(info)
        }
    }
}

impl<Req, Rsp, P: Exchanges<Req, Rsp>, R: Role, O> Caller<Req, Rsp, P, R, O> {
    /// The endpoint capability (for example to check what the kernel holds in its slot).
    pub fn endpoint(&self) -> &Cap<Endpoint, R> {
        &self.endpoint
    }

    /// This caller, speaking a different message type on the same endpoint. Only for testing a responder's
    /// run-time checks: the responder refuses a request whose label it does not know.
    pub fn retype_unchecked<Req2, Rsp2>(self) -> Caller<Req2, Rsp2, P, R, O>
    where
        P: Exchanges<Req2, Rsp2>,
    {
        Caller {
            endpoint: self.endpoint,
            types: PhantomData,
        }
    }
}

impl<Req, Rsp, R: Role, O> Caller<Req, Rsp, Buffered, R, O>
where
    Buffered: Exchanges<Req, Rsp>,
{
    /// This caller, sending a capability of type `C` with each request.
    pub fn with_cap<C: CapType>(self) -> CapCaller<Req, Rsp, C, R, O> {
        CapCaller {
            inner: Caller {
                endpoint: self.endpoint,
                types: PhantomData,
            },
            cap: PhantomData,
        }
    }
}

impl<Req, Rsp, C: CapType, R: Role, O> CapCaller<Req, Rsp, C, R, O>
where
    Buffered: Exchanges<Req, Rsp>,
{
    /// This caller without its capability: requests then arrive without one.
    pub fn without_cap(self) -> Caller<Req, Rsp, Buffered, R, O> {
        self.inner
    }
}

impl<Req: Message, Rsp: Message, P: Exchanges<Req, Rsp>, R: Invocable, O> Responder<Req, Rsp, P, R, O> {
    /// A badged caller of this channel, minted into `slot`, for owner `CO` (see [`Between`]: a child's brand,
    /// or [`ThisProcess`] for a thread of the caller's): the responder's handler sees `badge` for each of its
    /// requests. Mint callers before the responder is handed to a child: only the process holding the
    /// endpoint can mint from it.
    pub fn caller<CO: Owner>(
        &self,
        cspace: &Cap<LocalCNode, impl Invocable>,
        badge: Badge,
        slot: CNodeSlot<R>,
    ) -> Result<Caller<Req, Rsp, P, R, CO>, Error>
    where
        R: crate::role::FlowsInto<R>,
    {
        let endpoint = self.endpoint.mint(cspace, slot, badge).map_err(|r| r.error)?;
        Ok(Caller {
            endpoint,
            types: PhantomData,
        })
    }
}

impl<Req, Rsp, R: Role, O> Responder<Req, Rsp, Buffered, R, O>
where
    Buffered: Exchanges<Req, Rsp>,
{
    /// This responder, expecting a capability of type `C` with each request.
    pub fn with_cap<C: Receivable>(self) -> CapResponder<Req, Rsp, C, R, O> {
        CapResponder {
            inner: self,
            cap: PhantomData,
        }
    }
}

/// What a handler returns: the response, or [`Served::Stop`] to reply and return from the serving loop.
#[derive(Debug, Clone, Copy)]
pub enum Served<Rsp> {
    /// Reply with this response and keep serving.
    Reply(Rsp),
    /// Reply with this response, then return from the loop (the next request is not received).
    ReplyAndStop(Rsp),
}

impl<Req: Message, Rsp: Message, R: Invocable, O> Responder<Req, Rsp, Buffered, R, O>
where
    Buffered: Exchanges<Req, Rsp>,
{
    /// Serves requests: receives one, hands `handler` the caller's badge and the decoded request, and sends the
    /// response with the receive of the next (`seL4_ReplyRecv`). A message that does not decode (unknown
    /// label, wrong length, an unexpected capability) is answered with an error reply and never reaches the
    /// handler. Returns after a [`Served::ReplyAndStop`] has been replied to, with the number of requests the
    /// handler served.
    pub fn serve(&self, mut handler: impl FnMut(Badge, Req) -> Served<Rsp>) -> u64 {
        let ep = self.endpoint.cptr();
        let mut served = 0;
        // SAFETY: the IPC buffer is mapped (see `Caller::call`); replies carry no capabilities.
        let (mut info, mut badge) = unsafe { sys::recv(ep) };
        loop {
            // SAFETY: as above.
            let reply = match unsafe { check::<Req>(info, 0) } {
                Ok(req) => {
                    served += 1;
                    match handler(Badge::new(badge).unwrap_or(Badge::NONE), req) {
                        Served::Reply(rsp) => {
                            // SAFETY: as above.
                            unsafe { store(&rsp) };
                            info_for::<Rsp>(0)
                        }
                        Served::ReplyAndStop(rsp) => {
                            // SAFETY: as above.
                            unsafe {
                                store(&rsp);
                                sys::reply(info_for::<Rsp>(0));
                            }
                            return served;
                        }
                    }
                }
                Err((reason, detail)) => {
                    // SAFETY: as above.
                    unsafe { error_reply(reason, detail) }
                }
            };
            // SAFETY: as above.
            (info, badge) = unsafe { sys::reply_recv(ep, reply) };
        }
    }
}

impl<Req: Message, Rsp: Message, R: Invocable, O> Responder<Req, Rsp, FastPath, R, O>
where
    FastPath: Exchanges<Req, Rsp>,
{
    /// As [`Responder::serve`] on a buffered channel, with every message in CPU registers.
    pub fn serve(&self, mut handler: impl FnMut(Badge, Req) -> Served<Rsp>) -> u64 {
        let ep = self.endpoint.cptr();
        let mut served = 0;
        // SAFETY: at most four words in registers, no capabilities: the IPC buffer is not touched.
        let (mut info, mut badge, mut words) = unsafe { sys::recv_with_mrs(ep) };
        loop {
            let (reply, out) = match unpack::<Req>(info, words) {
                Some(req) => {
                    served += 1;
                    match handler(Badge::new(badge).unwrap_or(Badge::NONE), req) {
                        Served::Reply(rsp) => (info_for::<Rsp>(0), pack(&rsp)),
                        Served::ReplyAndStop(rsp) => {
                            // SAFETY: the last reply goes through `seL4_Reply`, which loads its words from the
                            // IPC buffer: a fast-path responder that stops needs one mapped.
                            unsafe {
                                store(&rsp);
                                sys::reply(info_for::<Rsp>(0));
                            }
                            return served;
                        }
                    }
                }
                None => {
                    let (reason, detail) = if info.label() != Req::LABEL {
                        (Rejection::UnknownLabel, info.label())
                    } else {
                        (Rejection::WrongLength, info.length())
                    };
                    (
                        sys::MessageInfo::new(ERROR_LABEL, 0, 0, 2),
                        [reason as sys::Word, detail, 0, 0],
                    )
                }
            };
            // SAFETY: as above.
            (info, badge, words) = unsafe { sys::reply_recv_with_mrs(ep, reply, out) };
        }
    }
}

/// Checks that `info` describes a `Req` with `caps` capabilities and decodes it, or says why not.
///
/// # Safety
/// The calling thread's IPC buffer must be mapped.
unsafe fn check<Req: Message>(info: sys::MessageInfo, caps: sys::Word) -> Result<Req, (Rejection, sys::Word)> {
    if info.label() != Req::LABEL {
        return Err((Rejection::UnknownLabel, info.label()));
    }
    if info.length() as usize != words_of::<Req>() {
        return Err((Rejection::WrongLength, info.length()));
    }
    if info.extra_caps() != caps {
        return Err((Rejection::MissingCap, info.extra_caps()));
    }
    // SAFETY: the caller guarantees the buffer; the length was checked.
    unsafe { load::<Req>(info.length() as usize) }.ok_or((Rejection::WrongLength, info.length()))
}

/// The kernel's cap tag of the capability in the caller's slot `cptr`, where the kernel can tell: debug kernels
/// answer `seL4_DebugCapIdentify`. A release kernel has no such call, so there a received capability's type cannot
/// be checked and `None` comes back: the type is then the sender's word, and a capability of another type makes
/// the receiver's invocations of it fail with kernel errors (never memory unsafety).
fn received_tag(cptr: sys::CPtr) -> Option<sys::Word> {
    #[cfg(selkie_debug_build)]
    {
        // SAFETY: a debug query of our own slot; no memory is involved.
        Some(unsafe { sys::debug_cap_identify(cptr) })
    }
    #[cfg(not(selkie_debug_build))]
    {
        let _ = cptr;
        None
    }
}

/// Capability types a responder can receive: those whose token data (a badge) does not depend on the object,
/// so the typed layer can make the token for what arrived. The type is checked against the kernel's cap tag
/// where the kernel can tell (debug kernels; see `received_tag`).
pub trait Receivable: CapType {
    /// The token for a capability of this type that arrived in a slot.
    #[doc(hidden)]
    fn arrived() -> Self;
}
impl<Rt: RightsSet> Receivable for Notification<Rt> {
    fn arrived() -> Self {
        Notification::from_data(Badge::NONE)
    }
}
impl<Rt: RightsSet> Receivable for Endpoint<Rt> {
    fn arrived() -> Self {
        Endpoint::from_data(Badge::NONE)
    }
}

impl<Req: Message, Rsp: Message, C: Receivable, S: Scope, O> CapResponder<Req, Rsp, C, Local<S>, O>
where
    Buffered: Exchanges<Req, Rsp>,
{
    /// Serves requests that each carry a capability of type `C`: before each receive it takes a slot from
    /// `slots` and names it as the receive slot; a request that arrives with its capability hands the handler
    /// the badge, the request and the [`Cap<C>`](Cap) in that slot (the handler keeps or deletes it). A request
    /// without the capability, or with one of another type, is answered with [`Rejection::MissingCap`]
    /// (a capability of the wrong type is deleted); with no slot left, [`Rejection::NoReceiveSlot`].
    ///
    /// The received capabilities come from outside, so `slots` may not be a closed scope's
    /// ([`Cap::with_closed`](crate::Cap::with_closed)), whose slots hold only what is made from its own memory.
    pub fn serve(
        &self,
        slots: &mut CNodeSlots<Runtime, Local<S>>,
        mut handler: impl FnMut(Badge, Req, Cap<C, Local<S>>) -> Served<Rsp>,
    ) -> u64
    where
        Forever: ScopeFlowsInto<S>,
    {
        let ep = self.inner.endpoint.cptr();
        let mut served = 0;
        let mut slot: Option<CNodeSlot<Local<S>>> = None;
        let arm = |slot: &mut Option<CNodeSlot<Local<S>>>, slots: &mut CNodeSlots<Runtime, Local<S>>| {
            if slot.is_none() {
                *slot = slots.alloc().ok();
            }
            if let Some(s) = slot.as_ref() {
                // SAFETY: the IPC buffer is mapped (see `Caller::call`); the slot is free and ours.
                unsafe { sys::set_receive_path(s.cnode(), s.start(), s.depth() as sys::Word) };
            } else {
                // SAFETY: as above; a null receive path makes the kernel drop incoming capabilities.
                unsafe { sys::set_receive_path(0, 0, 0) };
            }
        };
        arm(&mut slot, slots);
        // SAFETY: as above.
        let (mut info, mut badge) = unsafe { sys::recv(ep) };
        loop {
            // SAFETY: as above.
            let decoded = unsafe { check::<Req>(info, 1) };
            let reply = match (decoded, slot.take()) {
                (Err(e), s) => {
                    slot = s;
                    Err(e)
                }
                (Ok(_), None) => Err((Rejection::NoReceiveSlot, 0)),
                (Ok(req), Some(s)) => {
                    let cptr = s.start();
                    let tag = received_tag(cptr);
                    if info.caps_unwrapped() != 0 || tag.is_some_and(|t| t != C::KERNEL_TAG) {
                        // Wrong type or unwrapped badge: delete what arrived and keep the slot.
                        let _ = crate::object::delete_raw(s.cnode(), cptr, s.depth());
                        slot = Some(s);
                        Err((Rejection::MissingCap, tag.unwrap_or(0)))
                    } else {
                        served += 1;
                        // The slot token is spent: the received capability's token now accounts for the slot.
                        drop(s);
                        Ok(handler(
                            Badge::new(badge).unwrap_or(Badge::NONE),
                            req,
                            Cap::new(cptr, C::arrived()),
                        ))
                    }
                }
            };
            arm(&mut slot, slots);
            let info_out = match reply {
                Ok(Served::Reply(rsp)) => {
                    // SAFETY: as above.
                    unsafe { store(&rsp) };
                    info_for::<Rsp>(0)
                }
                Ok(Served::ReplyAndStop(rsp)) => {
                    // SAFETY: as above.
                    unsafe {
                        store(&rsp);
                        sys::reply(info_for::<Rsp>(0));
                    }
                    return served;
                }
                // SAFETY: as above.
                Err((reason, detail)) => unsafe { error_reply(reason, detail) },
            };
            // SAFETY: as above.
            (info, badge) = unsafe { sys::reply_recv(ep, info_out) };
        }
    }
}

impl<Msg: Message, R: Invocable, O> Sender<Msg, R, O>
where
    Buffered: Carries<Msg>,
{
    /// Sends `msg`, blocking until the receiver takes it (`seL4_Send`).
    pub fn send(&self, msg: &Msg) {
        // SAFETY: as in `Caller::call`.
        unsafe {
            store(msg);
            sys::send(self.endpoint.cptr(), info_for::<Msg>(0));
        }
    }
}

impl<Msg: Message, R: Invocable, O> Receiver<Msg, R, O>
where
    Buffered: Carries<Msg>,
{
    /// Waits for a message (`seL4_Recv`) and returns the sender's badge and the message, or why the message
    /// that arrived is not a `Msg` (one-way messages get no reply, so the error is only seen here).
    pub fn recv(&self) -> (Badge, Result<Msg, ChannelError>) {
        // SAFETY: as in `Caller::call`.
        let (info, badge) = unsafe { sys::recv(self.endpoint.cptr()) };
        // SAFETY: as above.
        let msg =
            unsafe { check::<Msg>(info, 0) }.map_err(|(reason, detail)| ChannelError::Rejected { reason, detail });
        (Badge::new(badge).unwrap_or(Badge::NONE), msg)
    }
}
