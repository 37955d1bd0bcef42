//! The client: writes each request's text into the shared region, calls the server, and checks the answer
//! against what it reads back from the region; its tally stays in the region for the root task.

use core::sync::atomic::Ordering;

use selkie::{Buffered, Caller, Local};

use crate::messages::{checksum, Request, Response};
use crate::shared::{shared, tally, SHARED_AT};
use crate::{Client, REQUESTS};

/// The client's parameters: the calling end of its channel to the server (an end set up for the client, which
/// no other process can be given).
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct ClientParams {
    /// The calling end of the channel to the server.
    pub server: Caller<Request, Response, Buffered, Local, Client>,
}

/// The client process's function.
pub fn client(p: ClientParams) {
    // SAFETY: the shared region is mapped read-write at SHARED_AT in this process.
    let t = unsafe { tally(SHARED_AT) };
    for i in 1..=REQUESTS {
        let mut text = [0u8; 48];
        let len = write_text(&mut text, i);
        let offset = (i as usize - 1) * 64;
        // SAFETY: the text fits below the tally in the shared region; the server reads it only during the call.
        unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), shared().add(offset), len) };
        let request = Request {
            offset: offset as u64,
            len: len as u64,
        };
        let response = match p.server.call(&request) {
            Ok(response) => response,
            Err(e) => {
                selkie::println!("client: request {i} refused: {e:?}");
                return;
            }
        };
        let mut back = [0u8; 48];
        // SAFETY: reads what the server left in the shared region; it is not running now.
        unsafe { core::ptr::copy_nonoverlapping(shared().add(offset), back.as_mut_ptr(), len) };
        let mut expected = text;
        expected.make_ascii_uppercase();
        let upper = back[..len] == expected[..len];
        t.answered.fetch_add(1, Ordering::SeqCst);
        t.checksums_ok
            .fetch_add((response.checksum == checksum(&back[..len])) as u64, Ordering::SeqCst);
        t.written_ok
            .fetch_add((response.written == len as u64) as u64, Ordering::SeqCst);
        t.region_ok.fetch_add(upper as u64, Ordering::SeqCst);
        selkie::println!(
            "client: request {i}: checksum {} (region upper-cased: {upper}), {} bytes written",
            response.checksum,
            response.written
        );
    }
}

/// Writes "hello from the client, request <i>" into `buf`; returns its length.
fn write_text(buf: &mut [u8; 48], i: u64) -> usize {
    let head = b"hello from the client, request ";
    buf[..head.len()].copy_from_slice(head);
    buf[head.len()] = b'0' + i as u8;
    head.len() + 1
}
