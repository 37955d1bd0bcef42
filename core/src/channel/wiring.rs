//! Who a channel's ends are for: threads of the process that made the channel ([`Threads`]), or two processes
//! named by their brands ([`Between<Client, Server>`](Between)). Each end carries its owner as a type, and an
//! end can be a field of a child's [`ProcessParams`](crate::process::ProcessParams) only for the child its
//! owner names: its endpoint capability is moved into that child's CSpace and the child receives the same end
//! type, usable there. Handing an end to another child does not compile: the end is a parameter field of its
//! owner only (`ParamField<Client>` is implemented for a `Caller<.., Client>`, `ParamField<Server>` is not).
//!
//! A child that receives capabilities on a channel ([`CapResponder`]) needs empty slots of its own to receive
//! them into: give it [`ReceiveSlots`] among its parameters.

use core::marker::PhantomData;

use selkie_sys as sys;

use super::{Caller, CapCaller, CapResponder, Exchanges, Receiver, Responder, Sender};
use crate::object::{CapType, Endpoint, WORD_DEPTH};
use crate::process::{Brand, ChildSlots, ParamField, CHILD_CNODE_RADIX, SELF_CNODE_SLOT};
use crate::role::{Local, Scope};
use crate::slots::{CNodeSlots, Runtime};
use crate::{Cap, Error};

/// The owner of channel ends that stay with the process that made the channel (its own threads): the default
/// owner of every end.
#[derive(Debug)]
pub enum ThisProcess {}

/// Who a channel end can be for: [`ThisProcess`] or a child's brand (made with
/// [`child_brand!`](crate::child_brand)).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot own a channel end",
    label = "a channel end is for `ThisProcess` or for a child named by a `child_brand!` type",
    note = "declare the child's brand with `selkie::child_brand!(Name)`"
)]
pub trait Owner: 'static {}
impl Owner for ThisProcess {}
impl<B: Brand> Owner for B {}

/// How a channel is wired: whose its calling end (caller, sender) and its serving end (responder, receiver)
/// are. Implemented by [`Between`].
pub trait Wiring {
    /// The owner of the caller (or sender).
    type Calling: Owner;
    /// The owner of the responder (or receiver).
    type Serving: Owner;
}

/// A channel from `Client` (its caller or sender end) to `Server` (its responder or receiver end): each a
/// child's brand or [`ThisProcess`].
pub struct Between<Client, Server>(PhantomData<fn() -> (Client, Server)>);

impl<Client: Owner, Server: Owner> Wiring for Between<Client, Server> {
    type Calling = Client;
    type Serving = Server;
}

/// A channel between threads of the process that makes it: both ends stay there.
pub type Threads = Between<ThisProcess, ThisProcess>;

/// Moves an end's endpoint capability into the child's CSpace: the child's token for it.
fn place_endpoint<B: Brand, S0: Scope, S: Scope>(
    endpoint: Cap<Endpoint, Local<S0>>,
    slots: &mut ChildSlots<'_, B, S>,
) -> Result<Cap<Endpoint, Local>, Error> {
    <Cap<Endpoint, Local<S0>> as ParamField<B>>::place(endpoint, slots)
}

impl<B: Brand, Req, Rsp, P: Exchanges<Req, Rsp>, S0: Scope> ParamField<B> for Caller<Req, Rsp, P, Local<S0>, B> {
    type View = Caller<Req, Rsp, P, Local, B>;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error> {
        Ok(Caller {
            endpoint: place_endpoint(self.endpoint, slots)?,
            types: PhantomData,
        })
    }
}

impl<B: Brand, Req, Rsp, P: Exchanges<Req, Rsp>, S0: Scope> ParamField<B> for Responder<Req, Rsp, P, Local<S0>, B> {
    type View = Responder<Req, Rsp, P, Local, B>;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error> {
        Ok(Responder {
            endpoint: place_endpoint(self.endpoint, slots)?,
            types: PhantomData,
        })
    }
}

impl<B: Brand, Req, Rsp, C: CapType, S0: Scope> ParamField<B> for CapCaller<Req, Rsp, C, Local<S0>, B>
where
    super::Buffered: Exchanges<Req, Rsp>,
{
    type View = CapCaller<Req, Rsp, C, Local, B>;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error> {
        Ok(CapCaller {
            inner: self.inner.place(slots)?,
            cap: PhantomData,
        })
    }
}

impl<B: Brand, Req, Rsp, C: CapType, S0: Scope> ParamField<B> for CapResponder<Req, Rsp, C, Local<S0>, B>
where
    super::Buffered: Exchanges<Req, Rsp>,
{
    type View = CapResponder<Req, Rsp, C, Local, B>;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error> {
        Ok(CapResponder {
            inner: self.inner.place(slots)?,
            cap: PhantomData,
        })
    }
}

impl<B: Brand, Msg, S0: Scope> ParamField<B> for Sender<Msg, Local<S0>, B>
where
    super::Buffered: super::Carries<Msg>,
{
    type View = Sender<Msg, Local, B>;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error> {
        Ok(Sender {
            endpoint: place_endpoint(self.endpoint, slots)?,
            types: PhantomData,
        })
    }
}

impl<B: Brand, Msg, S0: Scope> ParamField<B> for Receiver<Msg, Local<S0>, B>
where
    super::Buffered: super::Carries<Msg>,
{
    type View = Receiver<Msg, Local, B>;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<Self::View, Error> {
        Ok(Receiver {
            endpoint: place_endpoint(self.endpoint, slots)?,
            types: PhantomData,
        })
    }
}

/// Empty slots of a child's own CSpace, reserved as one of its parameters: what a child that receives
/// capabilities ([`CapResponder::serve`]) receives them into. The parent writes `ReceiveSlots::new(n)`; placing
/// the parameters reserves `n` slots of the child's CNode after its parameter capabilities (an error if they
/// do not fit), and the child turns its view into a slot pool with [`ReceiveSlots::into_slots`].
///
/// Outside a child's parameters (never placed) it holds no slots: `into_slots` gives an empty pool.
#[derive(Debug)]
#[repr(C)]
pub struct ReceiveSlots {
    start: sys::Word,
    count: sys::Word,
    placed: bool,
}

impl ReceiveSlots {
    /// `count` slots, to be reserved in the child's CSpace.
    pub const fn new(count: usize) -> ReceiveSlots {
        ReceiveSlots {
            start: 0,
            count: count as sys::Word,
            placed: false,
        }
    }

    /// The reserved slots as a pool of the child's own (empty unless this was placed in a child).
    pub fn into_slots(self) -> CNodeSlots<Runtime, Local> {
        let count = if self.placed { self.count as usize } else { 0 };
        // The child's CNode is in its own slot `SELF_CNODE_SLOT`, guarded so that word-sized addresses resolve.
        CNodeSlots::new(SELF_CNODE_SLOT, WORD_DEPTH, self.start, count)
    }
}

impl<B: Brand> ParamField<B> for ReceiveSlots {
    type View = ReceiveSlots;
    fn place<S: Scope>(self, slots: &mut ChildSlots<'_, B, S>) -> Result<ReceiveSlots, Error> {
        let available = (1 << CHILD_CNODE_RADIX) - slots.next;
        if self.count > available {
            return Err(Error::SlotsExhausted {
                requested: self.count as usize,
                available: available as usize,
            });
        }
        let start = slots.next;
        slots.next += self.count;
        Ok(ReceiveSlots {
            start,
            count: self.count,
            placed: true,
        })
    }
}
