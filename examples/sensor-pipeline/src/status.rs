//! The status page: one shared region of one page, mapped read-write in every process of the system and in the
//! root task, where each process keeps what must outlive a restart (the filter's journal) and what the root task
//! checks at the end (the driver's tick count, the logger's tallies). Each field has one writer; they are atomics
//! because the page is shared (a shared region gives no `&mut` to anyone).
//!
//! A restart gives a process its initial data, bss and stack again; this page is not part of the process's own
//! memory, so what is written here survives.

use core::sync::atomic::{AtomicU64, Ordering};

/// The status page's contents (a zeroed page is a valid `Status`: every field starts at 0).
#[repr(C)]
pub struct Status {
    /// Interrupts the driver received and acknowledged.
    pub driver_ticks: AtomicU64,
    /// Non-zero if the driver failed: which step (see the driver).
    pub driver_error: AtomicU64,
    /// How many times the filter started (1 + its restarts).
    pub filter_starts: AtomicU64,
    /// 1 while the journal holds a sample the filter took from the queue and the logger has not logged yet.
    pub journal_pending: AtomicU64,
    /// The journalled sample's sequence number.
    pub journal_seq: AtomicU64,
    /// The journalled sample's raw value.
    pub journal_raw: AtomicU64,
    /// Samples the filter replayed from its journal after a restart.
    pub replayed: AtomicU64,
    /// Readings the logger received.
    pub logged: AtomicU64,
    /// Readings that arrived with the next expected sequence number.
    pub in_order: AtomicU64,
    /// The last sequence number logged.
    pub last_seq: AtomicU64,
    /// The logger's checksum over the values in arrival order.
    pub checksum: AtomicU64,
}

impl Status {
    /// The status page at `addr`.
    ///
    /// # Safety
    /// `addr` is the address of the status page, mapped read-write in the caller's address space for the rest
    /// of the program.
    pub unsafe fn at(addr: selkie::sys::Word) -> &'static Status {
        // SAFETY: the caller's promise; a page is aligned for `Status` and every bit pattern of it is valid.
        unsafe { &*(addr as *const Status) }
    }
}

/// Reads a field.
pub fn get(field: &AtomicU64) -> u64 {
    field.load(Ordering::SeqCst)
}

/// Writes a field.
pub fn set(field: &AtomicU64, value: u64) {
    field.store(value, Ordering::SeqCst)
}
