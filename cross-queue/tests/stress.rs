//! Stress test on the host: one producer thread and one consumer thread pass 1 000 000 elements through a queue
//! whose memory each of them sees at a DIFFERENT address: one memory file (`memfd`) mapped twice, as two address
//! spaces would map one shared frame.

use std::time::{Duration, Instant};

use cross_queue::typenum::U1024;
use cross_queue::{Consumer, Producer, QueueMemory};

/// The element: a sequence number and its complement, so a torn or stale slot is noticed.
type Item = [u64; 2];
type Queue = QueueMemory<Item, U1024>;
const ITEMS: u64 = 1_000_000;

/// One shared-memory file mapped twice; unmapped and closed on drop.
struct TwoMappings {
    fd: libc::c_int,
    len: usize,
    first: *mut u8,
    second: *mut u8,
}

impl TwoMappings {
    fn new(len: usize) -> Self {
        // SAFETY: plain system calls on a file descriptor this function creates; every result is checked.
        unsafe {
            let fd = libc::memfd_create(c"cross-queue-stress".as_ptr(), libc::MFD_CLOEXEC);
            assert!(fd >= 0, "memfd_create: {}", std::io::Error::last_os_error());
            assert_eq!(
                libc::ftruncate(fd, len as libc::off_t),
                0,
                "ftruncate: {}",
                std::io::Error::last_os_error()
            );
            let map = || {
                let p = libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    fd,
                    0,
                );
                assert_ne!(p, libc::MAP_FAILED, "mmap: {}", std::io::Error::last_os_error());
                p.cast::<u8>()
            };
            TwoMappings {
                fd,
                len,
                first: map(),
                second: map(),
            }
        }
    }
}

impl Drop for TwoMappings {
    fn drop(&mut self) {
        // SAFETY: both mappings were made by `new` with this length and are no longer used (the ends borrowing
        // them are gone); the descriptor is ours.
        unsafe {
            libc::munmap(self.first.cast(), self.len);
            libc::munmap(self.second.cast(), self.len);
            libc::close(self.fd);
        }
    }
}

#[test]
fn one_million_items_through_two_mappings_at_different_addresses() {
    let len = Queue::BYTES.next_multiple_of(4096);
    let maps = TwoMappings::new(len);
    assert_ne!(
        maps.first, maps.second,
        "the two mappings must be at different addresses"
    );
    // They are one memory: a byte written through one is read through the other. A fresh file reads as zeroes,
    // which is an empty queue; put the zero back.
    // SAFETY: both pointers are valid mappings of `len` bytes; nothing else uses them yet.
    unsafe {
        assert_eq!(maps.second.add(len - 1).read_volatile(), 0);
        maps.first.add(len - 1).write_volatile(0xa5);
        assert_eq!(maps.second.add(len - 1).read_volatile(), 0xa5);
        maps.first.add(len - 1).write_volatile(0);
    }

    // SAFETY: each mapping is `len` bytes of one shared file that outlives the ends (they are dropped at the end
    // of the scope below, before `maps`); this producer and this consumer are the queue's only users.
    let mut producer = unsafe { Producer::<Item, U1024>::from_raw_parts(maps.first, len) }.unwrap();
    // SAFETY: as above.
    let mut consumer = unsafe { Consumer::<Item, U1024>::from_raw_parts(maps.second, len) }.unwrap();
    assert!(consumer.is_empty());

    let start = Instant::now();
    let (full_waits, empty_waits) = std::thread::scope(|s| {
        let producer_thread = s.spawn(move || {
            let mut full = 0u64;
            for seq in 0..ITEMS {
                let mut item = [seq, !seq];
                while let Err(back) = producer.push(item) {
                    item = back;
                    full += 1;
                    std::thread::yield_now();
                }
            }
            full
        });
        let mut empty = 0u64;
        let mut expected = 0u64;
        while expected < ITEMS {
            match consumer.pop() {
                Some([seq, check]) => {
                    assert_eq!(seq, expected, "elements out of order, lost or duplicated");
                    assert_eq!(check, !seq, "element {seq} torn");
                    expected += 1;
                }
                None => {
                    empty += 1;
                    assert!(
                        start.elapsed() < Duration::from_secs(120),
                        "stuck at element {expected}"
                    );
                    std::thread::yield_now();
                }
            }
        }
        assert_eq!(consumer.pop(), None, "an element beyond the last one");
        assert!(consumer.is_empty());
        (producer_thread.join().unwrap(), empty)
    });
    println!(
        "{ITEMS} items in {:?} through mappings at {:p} and {:p}; producer found the queue full {full_waits} times, \
         consumer found it empty {empty_waits} times",
        start.elapsed(),
        maps.first,
        maps.second,
    );
}
