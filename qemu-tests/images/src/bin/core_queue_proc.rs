//! A shared-memory queue between two processes: the producer and consumer ends are process parameters (each
//! maps the queue's region in its child and moves its notification capability there), 100 000 items pass from
//! the producer process to the consumer process in order, none lost or duplicated, and the consumer sleeps on
//! its notification when the queue is empty. The consumer reports through a shared region the root task maps
//! too; the root task checks count, checksum, order and sleeps.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::ptr::{read_volatile, write_volatile};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::process::{
    ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources, RootImage, GRANT_BASE, PAGE_SIZE,
};
use selkie::sys::Word;
use selkie::typenum::{U1, U100, U12, U14, U18, U3, U5, U64};
use selkie::{
    Badge, Cap, Forever, Lent, Notification, Priority, QueueConsumer, QueueProducer, Region, Scope, Supervisor,
};
use support::{expect_eq, expect_word, wide, Fail};

selkie::test_main!();

selkie::child_brand!(Source, Sink);

/// How many items pass.
const ITEMS: u64 = 100_000;
/// An item: its sequence number and a payload derived from it.
type Item = [u64; 2];
/// The queue's capacity: 128 sixteen-byte items and the queue's 128 bytes of indices fit one 4 KiB page.
type Capacity = selkie::typenum::U128;

/// The payload of item `seq`.
fn payload(seq: u64) -> u64 {
    seq.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5555
}

/// The order-sensitive checksum step.
fn fold(sum: u64, value: u64) -> u64 {
    sum.wrapping_mul(31).wrapping_add(value)
}

/// The producer's parameters: its end of the queue.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct SourceParams<S: Scope = Forever> {
    out: QueueProducer<Item, Capacity, S>,
    items: u64,
}

/// The consumer's parameters: its end of the queue, and where it reports (a shared page mapped in it).
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct SinkParams<S: Scope = Forever> {
    input: QueueConsumer<Item, Capacity, S>,
    items: u64,
    report: Word,
}

/// The consumer's report, word by word in the shared page.
mod word {
    pub const COUNT: usize = 0;
    pub const CHECKSUM: usize = 1;
    pub const OUT_OF_ORDER: usize = 2;
    pub const SLEEPS: usize = 3;
    pub const QUEUE_ADDRESS: usize = 4;
    pub const DONE: usize = 5;
}
/// The last word the consumer writes.
const DONE: u64 = 0xd0e5;

fn source(p: SourceParams) {
    let mut out = p.out;
    for seq in 0..p.items {
        out.push([seq, payload(seq)]);
    }
}

fn sink(p: SinkParams) {
    let mut input = p.input;
    let (mut count, mut sum, mut out_of_order) = (0u64, 0u64, 0u64);
    while count < p.items {
        let [seq, value] = input.pop();
        if seq != count || value != payload(count) {
            out_of_order += 1;
        }
        sum = fold(sum, value);
        count += 1;
    }
    let report = |i: usize, v: u64| {
        // SAFETY: the root task mapped a shared page read-write at `report` in this child.
        unsafe { write_volatile((p.report as usize + 8 * i) as *mut u64, v) }
    };
    report(word::COUNT, count);
    report(word::CHECKSUM, sum);
    report(word::OUT_OF_ORDER, out_of_order);
    report(word::SLEEPS, input.sleeps());
    report(word::QUEUE_ADDRESS, wide(input.address()));
    report(word::DONE, DONE);
}

type Res<'s> = ProcessResources<U18, U64, selkie::Borrowed<Lent<'s>>, Lent<'s>>;

fn resources<'s>(res: &mut Resources<Lent<'s>>) -> Result<Res<'s>, Fail> {
    Ok(ProcessResources::new(
        res.untyped.alloc::<U18>()?,
        res.slots.alloc::<U64>()?,
    ))
}

fn config(badge: Word) -> Result<ProcessConfig, Fail> {
    Ok(ProcessConfig {
        priority: Priority::of::<U100>(),
        badge: Badge::new(badge)?,
    })
}

#[selkie::test]
fn a_hundred_thousand_items_pass_from_a_producer_process_to_a_consumer_process(
    boot: &mut BootInfo,
) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let ep = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let mut sup = Supervisor::new(ep);
        let kit = ProcessKit::new(res, &sup)?;

        // The queue: an exclusive page of the root task's, consumed into the two ends.
        let page = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
        let (page, _) = res
            .root_vspace
            .map_next(page, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
        let wake: Cap<Notification, _> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let (tx, rx) = selkie::queue::<Item, Capacity, _, _, _>(page, wake, &res.cspace, res.slots.alloc()?)?;

        // The report page: mapped in the root task, shared, and mapped in the consumer too.
        let report = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
        let (report, _) = res
            .root_vspace
            .map_next(report, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
        let (report, _unused) = report.share(&res.cspace, res.slots.alloc::<U1>()?)?;
        // The queue's page comes first in the consumer's grant window, the report page after it.
        let report_at = GRANT_BASE + PAGE_SIZE as Word;

        let sink_code = ImageFunction::new(&image, sink);
        let sink_params = SinkParams {
            input: rx,
            items: ITEMS,
            report: report_at,
        };
        let mut sink_p = Process::new(
            &kit,
            ProcessBrand::<Sink>::take()?,
            resources(res)?,
            &sink_code,
            sink_params,
            config(2)?,
        )?;
        expect_word(
            "report page's address in the consumer",
            report_at,
            sink_p.map_region(&report)?,
        )?;
        let source_code = ImageFunction::new(&image, source);
        let source_p = Process::new(
            &kit,
            ProcessBrand::<Source>::take()?,
            resources(res)?,
            &source_code,
            SourceParams { out: tx, items: ITEMS },
            config(1)?,
        )?;
        // The consumer first: it finds the queue empty and sleeps.
        let sink_p = sink_p.start()?;
        let source_p = source_p.start()?;

        let (mut source_p, mut sink_p) = (Some(source_p), Some(sink_p));
        for _ in 0..2 {
            let exit = sup.wait();
            expect_word("exit code", 0, exit.fault.exit_code().unwrap_or(Word::MAX))?;
            match exit.badge.value() {
                1 => {
                    let p = source_p.take().ok_or(Fail::Missing("one exit of the producer"))?;
                    let _ = p.kill(exit);
                }
                2 => {
                    let p = sink_p.take().ok_or(Fail::Missing("one exit of the consumer"))?;
                    let _ = p.kill(exit);
                }
                badge => {
                    return Err(Fail::Mismatch {
                        what: "exit badge (1 or 2)",
                        expected: 1,
                        found: wide(badge),
                    })
                }
            }
        }

        let read = |i: usize| {
            // SAFETY: the root task's mapping of the shared report page; the consumer has exited.
            unsafe { read_volatile((report.vaddr() as usize + 8 * i) as *const u64) }
        };
        let mut expected_sum = 0;
        for seq in 0..ITEMS {
            expected_sum = fold(expected_sum, payload(seq));
        }
        expect_eq("consumer finished its report", DONE, read(word::DONE))?;
        expect_eq("items received", ITEMS, read(word::COUNT))?;
        expect_eq("items out of order or altered", 0, read(word::OUT_OF_ORDER))?;
        expect_eq("checksum of the payloads in order", expected_sum, read(word::CHECKSUM))?;
        expect_eq(
            "the queue is mapped at the start of the consumer's grant window",
            wide(GRANT_BASE),
            read(word::QUEUE_ADDRESS),
        )?;
        let sleeps = read(word::SLEEPS);
        selkie::println!("  consumer slept {sleeps} times on its notification");
        expect_eq("the consumer slept on its notification", 1, (sleeps > 0) as u64)?;

        Ok(())
    })
}
