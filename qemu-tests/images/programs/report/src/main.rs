//! A separately built program: checks that its loader gave it its initialised data, zeroed bss and read-only
//! data, then reports to its parent on the endpoint its parameters name, with message registers only (it has
//! no IPC buffer).
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use selkie::sys;

/// What the parent places at the address it passes in the first argument register (the same layout as the
/// test image's copy: two machine words).
#[repr(C)]
pub struct Params {
    /// The endpoint to report on, in the program's CSpace.
    pub endpoint: sys::CPtr,
    /// A number the parent chose, added into the report.
    pub seed: usize,
}

/// Initialised data (`.data`): the loader copied it from the file.
static DATA: AtomicUsize = AtomicUsize::new(41);
/// Uninitialised data (`.bss`, 8 KiB: more than a page): the loader zeroed it.
static BSS: [AtomicU64; 1024] = [const { AtomicU64::new(0) }; 1024];
/// Read-only data (`.rodata`).
static GREETING: &[u8] = b"hello from a separately built program";

/// The label of the report message.
const REPORT_LABEL: sys::Word = 0x5e1;

#[selkie::program]
fn main(params: &Params) {
    let data = DATA.fetch_add(1, Ordering::SeqCst);
    let bss_zero = BSS.iter().all(|w| w.load(Ordering::Relaxed) == 0) as sys::Word;
    BSS[1023].store(7, Ordering::Relaxed);
    let written = BSS[1023].load(Ordering::Relaxed) as usize;
    let greeting: usize = core::hint::black_box(GREETING).iter().map(|&b| b as usize).sum();
    let value = params.seed + data + DATA.load(Ordering::SeqCst) + written;
    let stack_word = &value as *const usize as usize;
    let info = sys::MessageInfo::new(REPORT_LABEL, 0, 0, 4);
    let words = [value as sys::Word, bss_zero, greeting as sys::Word, stack_word as sys::Word];
    // SAFETY: a register-only send (four message registers, no IPC buffer needed) on the endpoint the parent
    // gave.
    unsafe { sys::send_with_mrs(params.endpoint, info, words) };
}
