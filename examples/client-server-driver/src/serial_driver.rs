//! The serial driver: the only process with COM1's I/O ports; writes each line it is sent, byte by byte, polling
//! the UART's line status register.

use selkie::typenum::{U1016, U1021, U1023};
use selkie::{Buffered, Cap, IoPorts, Local, Responder, Served};

use crate::messages::{Line, Written};
use crate::SerialDriver;

/// COM1's eight registers: data at 0x3f8 (1016) to scratch at 0x3ff (1023).
pub type Com1 = IoPorts<U1016, U1023>;

/// The driver's parameters: the serving end of its channel and COM1's ports, which only it has.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct DriverParams {
    /// The serving end of the server's channel.
    pub requests: Responder<Line, Written, Buffered, Local, SerialDriver>,
    /// COM1's ports.
    pub com1: Cap<Com1>,
}

/// The driver process's function.
pub fn serial_driver(p: DriverParams) {
    let refused = Written { count: 0 };
    p.requests.serve(|_badge, line| {
        let mut count = 0;
        // The runtime's user-line mark first (an invisible "normal rendition" escape): the runner then shows the
        // line as the system's own output, not as kernel noise.
        let mark = selkie::rt::USER_LINE_MARK.as_bytes();
        let text = &line.bytes[..(line.len as usize).min(56)];
        for &b in mark.iter().chain(b"serial: ").chain(text).chain(b"\r\n") {
            // Wait for the transmitter holding register to empty (line status bit 5), then send the byte.
            loop {
                match p.com1.port::<U1021>().in8() {
                    Ok(status) if status & 0x20 != 0 => break,
                    Ok(_) => {}
                    Err(_) => return Served::Reply(refused),
                }
            }
            if p.com1.port::<U1016>().out8(b).is_err() {
                return Served::Reply(refused);
            }
            count += 1;
        }
        // The count of the caller's bytes: without the mark, the prefix and the line end.
        Served::Reply(Written {
            count: count - mark.len() as u64 - 10,
        })
    });
}
