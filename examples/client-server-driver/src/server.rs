//! The server: for each request, upper-cases the text in the shared region in place, has the driver write it to
//! the serial port, and answers with the text's checksum and the number of bytes written.

use selkie::{Buffered, Caller, Local, Responder, Served};

use crate::messages::{checksum, Line, Request, Response, Written};
use crate::shared::{shared, TALLY_AT};
use crate::Server;

/// The server's parameters: the serving end of the client's channel and the calling end of the driver's.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct ServerParams {
    /// The serving end of the client's channel.
    pub requests: Responder<Request, Response, Buffered, Local, Server>,
    /// The calling end of the channel to the driver.
    pub driver: Caller<Line, Written, Buffered, Local, Server>,
}

/// The server process's function.
pub fn server(p: ServerParams) {
    let refused = Response {
        checksum: 0,
        written: 0,
    };
    p.requests.serve(|_badge, request| {
        let len = (request.len as usize).min(56);
        if request.offset as usize + len > TALLY_AT {
            return Served::Reply(refused);
        }
        let mut line = Line {
            len: len as u64,
            bytes: [0; 56],
        };
        // SAFETY: the range is inside the shared region below the tally (checked above); the client waits in its
        // call while the server works on it.
        let text = unsafe { core::slice::from_raw_parts_mut(shared().add(request.offset as usize), len) };
        text.make_ascii_uppercase();
        line.bytes[..len].copy_from_slice(text);
        let written = p.driver.call(&line).map_or(0, |w| w.count);
        Served::Reply(Response {
            checksum: checksum(text),
            written,
        })
    });
}
