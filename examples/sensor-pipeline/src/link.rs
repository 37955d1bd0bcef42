//! Call and reply between processes with the typed, labelled plain-old-data messages of `selkie::message!`:
//! a request goes with `seL4_Call`, the answer comes back with `seL4_ReplyRecv`. Each side decodes with a check
//! of label and length; a message that does not decode is refused (the serving side answers with the refusal
//! it was given), never a panic. Both messages must fit the IPC buffer (`Buffered: Exchanges<Req, Rsp>`), or the
//! call does not compile.

use selkie::bytemuck;
use selkie::channel::{Buffered, Exchanges};
use selkie::sys;
use selkie::{Cap, Endpoint, Message};

/// Writes `m` into the message registers; returns its length in words.
fn store<M: Message>(m: &M) -> u64 {
    let words: &[u64] = bytemuck::cast_slice(core::slice::from_ref(m));
    for (i, w) in words.iter().enumerate() {
        // SAFETY: the calling thread's IPC buffer is mapped (every process of these systems has one), and `i`
        // is below the message's length, which `message!` checked fits.
        unsafe { sys::set_mr(i, *w) };
    }
    words.len() as u64
}

/// Reads an `M` if `info` says it is one (its label and length).
fn load<M: Message>(info: sys::MessageInfo) -> Option<M> {
    let mut m: M = bytemuck::Zeroable::zeroed();
    let words: &mut [u64] = bytemuck::cast_slice_mut(core::slice::from_mut(&mut m));
    if info.label() != M::LABEL || info.length() != words.len() as u64 {
        return None;
    }
    for (i, w) in words.iter_mut().enumerate() {
        // SAFETY: the IPC buffer is mapped; `i` is below the received length.
        *w = unsafe { sys::get_mr(i) };
    }
    Some(m)
}

/// Sends `request` on `server` and waits for the answer; `None` if the answer is not a `Rsp`.
pub fn call<Req: Message, Rsp: Message>(server: &Cap<Endpoint>, request: &Req) -> Option<Rsp>
where
    Buffered: Exchanges<Req, Rsp>,
{
    let len = store(request);
    // SAFETY: a call on an endpoint capability of this process's, with its IPC buffer mapped.
    let info = unsafe { sys::call(server.cptr(), sys::MessageInfo::new(Req::LABEL, 0, 0, len)) };
    load(info)
}

/// Serves requests on `requests`: `handler` gets each and answers it, and says whether to stop after
/// answering; a message that is not a `Req` is answered with `refusal`.
pub fn serve<Req: Message, Rsp: Message>(
    requests: &Cap<Endpoint>,
    refusal: Rsp,
    mut handler: impl FnMut(Req) -> (Rsp, bool),
) where
    Buffered: Exchanges<Req, Rsp>,
{
    // SAFETY: a receive on an endpoint capability of this process's, with its IPC buffer mapped.
    let (mut info, _) = unsafe { sys::recv(requests.cptr()) };
    loop {
        let (answer, stop) = match load::<Req>(info) {
            Some(request) => handler(request),
            None => (refusal, false),
        };
        let len = store(&answer);
        let reply = sys::MessageInfo::new(Rsp::LABEL, 0, 0, len);
        if stop {
            // SAFETY: answers the caller just received.
            unsafe { sys::reply(reply) };
            return;
        }
        // SAFETY: answers the caller just received and waits for the next.
        info = unsafe { sys::reply_recv(requests.cptr(), reply) }.0;
    }
}
