//! A separately built program started as a child process: it reads its typed parameters (an endpoint
//! capability in its own CSpace and plain numbers), checks that its loader gave it its initialised data,
//! zeroed bss and read-only data, and reports on the endpoint; or, as asked, writes to its own read-only
//! text or panics, for its supervisor to see.
#![no_std]
#![no_main]

mod params;

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use params::Params;
use selkie::sys;

/// Initialised data (`.data`): the loader copied it from the file.
static DATA: AtomicUsize = AtomicUsize::new(41);
/// Uninitialised data (`.bss`, 8 KiB: more than a page): the loader zeroed it.
static BSS: [AtomicU64; 1024] = [const { AtomicU64::new(0) }; 1024];
/// Read-only data (`.rodata`).
static GREETING: &[u8] = b"hello from a child program";

/// Sends four words on the report endpoint.
fn report(params: &Params, words: [sys::Word; 4]) {
    let info = sys::MessageInfo::new(params::REPORT_LABEL, 0, 0, 4);
    // SAFETY: a register-only send on the endpoint capability the parameters name, in this program's CSpace.
    unsafe { sys::send_with_mrs(params.report.cptr(), info, words) };
}

#[selkie::program]
fn main(params: &Params) {
    match params.mode {
        params::WRITE_TEXT => {
            let text = main as *const () as usize;
            report(params, [text as sys::Word, 0, 0, 0]);
            // SAFETY: none: the text is mapped read-only, so this write faults (on purpose).
            unsafe { core::ptr::write_volatile(text as *mut u8, 0xcc) };
        }
        params::PANIC => {
            let line = line!() + 2;
            report(params, [line as sys::Word, 0, 0, 0]);
            panic!("the child program panics on purpose");
        }
        params::REPORT => {
            let data = DATA.fetch_add(1, Ordering::SeqCst) as sys::Word;
            let bss_zero = BSS.iter().all(|w| w.load(Ordering::Relaxed) == 0) as sys::Word;
            BSS[1023].store(7, Ordering::Relaxed);
            let written = BSS[1023].load(Ordering::Relaxed) as sys::Word;
            let greeting: usize = core::hint::black_box(GREETING).iter().map(|&b| b as usize).sum();
            let greeting = greeting as sys::Word;
            let value = params.a * params.b + data + DATA.load(Ordering::SeqCst) as sys::Word + written;
            report(params, [value, bss_zero, greeting, params.report.cptr()]);
        }
        _ => {}
    }
}
