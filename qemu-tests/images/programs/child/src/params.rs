//! The `child` program's parameters. The program and the root task that starts it both include this file,
//! so they read the same struct: the root task gives `Params` (its capability `Local` to the root task), the
//! program receives the child's view (`Params<Forever>`, its capability `Local` to the program).

use selkie::sys::Word;
use selkie::{Cap, Endpoint, Forever, Local, Scope};

/// Report the value computed from the parameters, then return.
pub const REPORT: Word = 0;
/// Report an address of the program's own text, then write to it.
pub const WRITE_TEXT: Word = 1;
/// Report the line of the coming panic, then panic.
pub const PANIC: Word = 2;

/// The label of the program's reports.
pub const REPORT_LABEL: Word = 0x5e2;

/// What the root task hands the program: an endpoint to report on (a capability, moved into the program's
/// CSpace), two numbers and what to do (machine words).
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct Params<S: Scope = Forever> {
    /// Where the program reports.
    pub report: Cap<Endpoint, Local<S>>,
    /// A number the report is computed from.
    pub a: Word,
    /// Another one.
    pub b: Word,
    /// [`REPORT`], [`WRITE_TEXT`] or [`PANIC`].
    pub mode: Word,
}
