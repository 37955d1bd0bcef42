//! Queue throughput on the host: `cross-queue`'s SPSC queue against crossbeam's `ArrayQueue` and `rtrb`'s SPSC
//! ring, one producer thread and one consumer thread, items per second, for elements of 8, 64 and 256 bytes.
//!
//! Every queue holds 256 elements. The producer pushes `count` items numbered in order, waiting (spinning, then
//! yielding) while the queue is full; the consumer pops them, waiting while it is empty, and checks that each
//! arrives in order (a lost, doubled or reordered item fails the measurement). The time is from the threads' start
//! to the last pop.

use std::time::Instant;

use cross_queue::typenum::U256;
use cross_queue::QueueMemory;

use crate::report::Section;
use crate::stats;

/// Slots in every queue measured.
pub const CAPACITY: usize = 256;

/// A queue element of a given size whose first word numbers it.
pub trait Item: cross_queue::Element + Copy + Send + 'static {
    /// The item numbered `i`.
    fn make(i: u64) -> Self;
    /// Its number.
    fn index(&self) -> u64;
}

impl<const K: usize> Item for [u64; K]
where
    [u64; K]: cross_queue::Element,
{
    fn make(i: u64) -> Self {
        // The number in the first word, and in the last so that the whole element is written.
        let mut a = [0u64; K];
        a[0] = i;
        a[K - 1] = i;
        a
    }
    fn index(&self) -> u64 {
        self[0]
    }
}

/// The queues compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// selkie's `cross-queue` (`QueueMemory::split`).
    CrossQueue,
    /// `crossbeam_queue::ArrayQueue` (bounded, multi-producer multi-consumer).
    Crossbeam,
    /// `rtrb::RingBuffer` (bounded, single-producer single-consumer).
    Rtrb,
}

impl Queue {
    /// Every queue, in the report's order.
    pub const ALL: [Queue; 3] = [Queue::CrossQueue, Queue::Crossbeam, Queue::Rtrb];

    /// Its name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Queue::CrossQueue => "cross-queue",
            Queue::Crossbeam => "crossbeam ArrayQueue",
            Queue::Rtrb => "rtrb",
        }
    }
}

/// Waits a little before retrying a full or empty queue: spins at first, then yields the core (on a machine
/// with fewer free cores than threads, spinning alone would wait out whole time slices).
fn backoff(tries: &mut u32) {
    *tries += 1;
    if *tries < 64 {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

/// Checks the consumer's side: item `i` must be numbered `i`.
fn expect(i: u64, got: u64, queue: Queue) -> Result<(), String> {
    if got == i {
        Ok(())
    } else {
        Err(format!("{}: item {i} arrived as item {got}", queue.name()))
    }
}

/// Passes `count` items of type `T` through `queue` between two threads; returns items per second.
pub fn throughput<T: Item>(queue: Queue, count: u64) -> Result<f64, String> {
    let start = Instant::now();
    match queue {
        Queue::CrossQueue => {
            let mut memory = Box::new(QueueMemory::<T, U256>::new());
            let (mut tx, mut rx) = memory.split();
            transfer(queue, count, move |v| tx.push(v), move || rx.pop())?;
        }
        Queue::Crossbeam => {
            let q = crossbeam_queue::ArrayQueue::<T>::new(CAPACITY);
            transfer(queue, count, |v| q.push(v), || q.pop())?;
        }
        Queue::Rtrb => {
            let (mut tx, mut rx) = rtrb::RingBuffer::<T>::new(CAPACITY);
            let push = move |v| tx.push(v).map_err(|rtrb::PushError::Full(back)| back);
            transfer(queue, count, push, move || rx.pop().ok())?;
        }
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// Passes `count` items from a producer thread (`push`, which hands an item back when the queue is full) to
/// this thread (`pop`), checking that each arrives in order. The first error is kept and the rest still
/// drained: returning early would leave the producer waiting on a full queue and the scope waiting for it.
fn transfer<T: Item>(
    queue: Queue,
    count: u64,
    mut push: impl FnMut(T) -> Result<(), T> + Send,
    mut pop: impl FnMut() -> Option<T>,
) -> Result<(), String> {
    std::thread::scope(|s| {
        s.spawn(move || {
            for i in 0..count {
                let (mut v, mut tries) = (T::make(i), 0);
                while let Err(back) = push(v) {
                    v = back;
                    backoff(&mut tries);
                }
            }
        });
        let mut first = Ok(());
        for i in 0..count {
            let mut tries = 0;
            let v = loop {
                match pop() {
                    Some(v) => break v,
                    None => backoff(&mut tries),
                }
            };
            if first.is_ok() {
                first = expect(i, v.index(), queue);
            }
        }
        first
    })
}

/// One measured queue and element size.
#[derive(Debug, Clone)]
pub struct Row {
    /// The element's size in bytes.
    pub bytes: usize,
    /// The queue.
    pub queue: Queue,
    /// Items per second of every run.
    pub runs: Vec<f64>,
}

impl Row {
    /// The median items per second.
    pub fn median(&self) -> f64 {
        stats::median(&self.runs)
    }
}

/// Measures every queue at 8, 64 and 256 bytes, `runs` runs of `count` items each (runs interleaved across
/// the queues so that load falls on all alike).
pub fn measure(count: u64, runs: usize) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for bytes in [8usize, 64, 256] {
        let mut these: Vec<Row> = Queue::ALL
            .iter()
            .map(|&queue| Row {
                bytes,
                queue,
                runs: Vec::new(),
            })
            .collect();
        for _ in 0..runs.max(1) {
            for row in these.iter_mut() {
                let r = match bytes {
                    8 => throughput::<[u64; 1]>(row.queue, count)?,
                    64 => throughput::<[u64; 8]>(row.queue, count)?,
                    _ => throughput::<[u64; 32]>(row.queue, count)?,
                };
                row.runs.push(r);
            }
        }
        rows.extend(these);
    }
    Ok(rows)
}

/// The report's section on queue throughput.
pub fn section(rows: &[Row], count: u64) -> Section {
    let runs = rows.first().map_or(0, |r| r.runs.len());
    let mut md = format!(
        "Two threads on the host, one pushing and one popping {count} items through a queue of {CAPACITY} \
         elements, spinning then yielding when full or empty; every item is checked to arrive in order. Millions of items per \
         second, median of {runs} runs interleaved across the queues (the machine is shared: compare within a \
         row).\n\n| element | cross-queue | crossbeam ArrayQueue | rtrb | cross-queue / crossbeam | cross-queue / rtrb |\n\
         |---:|---:|---:|---:|---:|---:|\n"
    );
    let mut json = Vec::new();
    for bytes in [8usize, 64, 256] {
        let get = |q: Queue| rows.iter().find(|r| r.bytes == bytes && r.queue == q);
        let (Some(c), Some(b), Some(r)) = (get(Queue::CrossQueue), get(Queue::Crossbeam), get(Queue::Rtrb)) else {
            continue;
        };
        md.push_str(&format!(
            "| {bytes} B | {:.1} | {:.1} | {:.1} | {:.2} | {:.2} |\n",
            c.median() / 1e6,
            b.median() / 1e6,
            r.median() / 1e6,
            c.median() / b.median(),
            c.median() / r.median()
        ));
        for row in [c, b, r] {
            json.push(serde_json::json!({
                "bytes": bytes,
                "queue": row.queue.name(),
                "items_per_sec": row.runs,
                "median_items_per_sec": row.median(),
            }));
        }
    }
    Section {
        title: "Queue throughput on the host".into(),
        markdown: md,
        json: serde_json::json!({ "count": count, "capacity": CAPACITY, "rows": json }),
    }
}
