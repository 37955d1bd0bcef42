//! The channel from the filter to the logger: a `Reading` goes with `seL4_Call`, a `Logged` comes back with
//! `seL4_ReplyRecv`. The messages are the typed, labelled plain-old-data messages of `selkie::message!`; each
//! side decodes with a check of label and length, and a message that does not decode is refused, never a
//! panic.

use selkie::bytemuck;
use selkie::sys;
use selkie::{Cap, Endpoint, Message};

use crate::messages::{Logged, Reading};

/// Writes `m` into the message registers; returns its length in words.
fn store<M: Message>(m: &M) -> u64 {
    let words: &[u64] = bytemuck::cast_slice(core::slice::from_ref(m));
    for (i, w) in words.iter().enumerate() {
        // SAFETY: the calling thread's IPC buffer is mapped (every process of this system has one), and `i`
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

/// Sends `reading` to the logger and waits for its answer; `None` if the answer is not a `Logged`.
pub fn call(logger: &Cap<Endpoint>, reading: &Reading) -> Option<Logged> {
    let len = store(reading);
    // SAFETY: a call on an endpoint capability of this process's, with its IPC buffer mapped.
    let info = unsafe { sys::call(logger.cptr(), sys::MessageInfo::new(Reading::LABEL, 0, 0, len)) };
    load(info)
}

/// Serves readings: `handler` gets each and answers it, and says whether to stop after answering.
pub fn serve(requests: &Cap<Endpoint>, mut handler: impl FnMut(Reading) -> (Logged, bool)) {
    // SAFETY: a receive on an endpoint capability of this process's, with its IPC buffer mapped.
    let (mut info, _) = unsafe { sys::recv(requests.cptr()) };
    loop {
        let (answer, stop) = match load::<Reading>(info) {
            Some(reading) => handler(reading),
            // Not a reading: answer with nothing logged (an empty message the caller refuses).
            None => (Logged { count: u64::MAX }, false),
        };
        let len = store(&answer);
        let reply = sys::MessageInfo::new(Logged::LABEL, 0, 0, len);
        if stop {
            // SAFETY: answers the caller just received.
            unsafe { sys::reply(reply) };
            return;
        }
        // SAFETY: answers the caller just received and waits for the next.
        info = unsafe { sys::reply_recv(requests.cptr(), reply) }.0;
    }
}
