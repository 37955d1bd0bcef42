//! The messages of the system: plain old data, each with its size and its label.

use selkie::bytemuck::{Pod, Zeroable};
use selkie::typenum::{U16, U64, U8};

/// Client to server: "the text at `offset` in our shared region, `len` bytes".
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Request {
    /// Where the text starts in the shared region.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
}
// SAFETY: `repr(C)`, two `u64`s, no padding.
unsafe impl Zeroable for Request {}
// SAFETY: as above.
unsafe impl Pod for Request {}

/// Server to client: the checksum of the text as the server left it, and how many bytes the driver wrote.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Response {
    /// The sum of the text's bytes after the server upper-cased it in place.
    pub checksum: u64,
    /// Bytes the serial driver wrote.
    pub written: u64,
}
// SAFETY: `repr(C)`, two `u64`s, no padding.
unsafe impl Zeroable for Response {}
// SAFETY: as above.
unsafe impl Pod for Response {}

/// Server to driver: a line to write to the serial port.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Line {
    /// How many of `bytes` to write.
    pub len: u64,
    /// The text.
    pub bytes: [u8; 56],
}
// SAFETY: `repr(C)`, a `u64` and 56 bytes, no padding.
unsafe impl Zeroable for Line {}
// SAFETY: as above.
unsafe impl Pod for Line {}

/// Driver to server: how many bytes went out.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Written {
    /// Bytes written to the port.
    pub count: u64,
}
// SAFETY: `repr(C)`, one `u64`.
unsafe impl Zeroable for Written {}
// SAFETY: as above.
unsafe impl Pod for Written {}

selkie::message!(Request: U16 = 1, Response: U16 = 2, Line: U64 = 3, Written: U8 = 4);

/// The checksum both sides compute: the sum of the bytes.
pub fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().map(|&b| b as u64).sum()
}
