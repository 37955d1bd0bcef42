//! The serial driver: the only process that can reach the serial port (COM1's I/O ports on x86_64, UART2's
//! registers on aarch32: see `serial`); writes each line it is sent, byte by byte, polling the UART's status.

use selkie::{Buffered, Local, Responder, Served};

use crate::messages::{Line, Written};
use crate::serial::{self, Port};
use crate::SerialDriver;

/// The driver's parameters: the serving end of its channel and the serial port, which only it has.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct DriverParams {
    /// The serving end of the server's channel.
    pub requests: Responder<Line, Written, Buffered, Local, SerialDriver>,
    /// The serial port (COM1's ports, or where UART2's registers are mapped).
    pub port: serial::Device,
}

/// The driver process's function.
pub fn serial_driver(p: DriverParams) {
    let refused = Written { count: 0 };
    let port = Port::new(&p.port);
    p.requests.serve(|_badge, line| {
        let mut count = 0;
        // The runtime's user-line mark first (an invisible "normal rendition" escape): the runner then shows the
        // line as the system's own output, not as kernel noise.
        let mark = selkie::rt::USER_LINE_MARK.as_bytes();
        let text = &line.bytes[..(line.len as usize).min(56)];
        for &b in mark.iter().chain(b"serial: ").chain(text).chain(b"\r\n") {
            if port.write(b).is_err() {
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
