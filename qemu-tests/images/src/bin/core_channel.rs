//! Typed channels between two threads of the root task's address space (the process API has not landed on
//! main): call/reply with typed messages and a capability the server receives and uses, badges telling clients
//! apart, a malicious client refused with errors while the good client is served, and a shared-memory queue
//! of 100 000 items with the consumer sleeping on its notification.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::sync::atomic::{AtomicU64, Ordering::SeqCst};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::rights::ReadWrite;
use selkie::typenum::{U1, U100, U11, U110, U12, U14, U16, U256, U3, U4, U5, U8};
use selkie::CapType;
use selkie::{
    channel, Badge, Buffered, Caller, CapCaller, ChannelError, Endpoint, Exclusive, IpcBuffer, Lent, Local, Mapped,
    Notification, Own, Page4K, Priority, QueueProducer, Region, Rejection, Served, StaticStack, Tcb, ThisProcess,
    Thread, ThreadEnv, Threads,
};
use support::{expect_eq, expect_word, wide, Fail};

selkie::test_main!();

type Mine<'s, T> = selkie::Cap<T, Local<Lent<'s>>>;
/// The branded role of lent resources, seen from a thread that only runs while the lending scope is open.
type Lt = Local<Lent<'static>>;
/// A notification a thread borrows.
type Note = selkie::Cap<Notification, Lt>;

/// A request: two numbers and whether it is the client's last.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Add {
    a: u64,
    b: u64,
}
/// The response: the sum plus 1000 times the caller's badge.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Sum(u64);
/// A message the server does not take (another label).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Stranger(u64, u64);
/// A message with the request's label but one word instead of two.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Short(u64);
// SAFETY (all four): `repr(C)` structs of `u64`s: no padding, every bit pattern valid.
unsafe impl selkie::bytemuck::Zeroable for Add {}
unsafe impl selkie::bytemuck::Pod for Add {}
unsafe impl selkie::bytemuck::Zeroable for Sum {}
unsafe impl selkie::bytemuck::Pod for Sum {}
unsafe impl selkie::bytemuck::Zeroable for Stranger {}
unsafe impl selkie::bytemuck::Pod for Stranger {}
unsafe impl selkie::bytemuck::Zeroable for Short {}
unsafe impl selkie::bytemuck::Pod for Short {}
selkie::message!(Add: U16 = 1, Sum: U8 = 2, Stranger: U16 = 3, Short: U8 = 1);

/// A page mapped in the root's address space, for a thread's IPC buffer or a queue.
type Page<'s> = Region<U1, Mapped<Own>, Exclusive, ReadWrite, Page4K, Lent<'s>>;

fn page<'s>(res: &mut Resources<Lent<'s>>) -> Result<Page<'s>, Fail> {
    let region = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
    let (page, _) = res
        .root_vspace
        .map_next(region, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
    Ok(page)
}

/// A thread of `f(arg)` with its own IPC buffer in `buffer`, not started.
fn ipc_thread<'s, const N: usize>(
    res: &mut Resources<Lent<'s>>,
    buffer: &Page<'s>,
    stack: &'static StaticStack<N>,
    f: fn(usize),
    arg: usize,
    priority: Priority,
) -> Result<Thread<Local<Lent<'s>>>, Fail> {
    let tcb: Mine<'s, Tcb> = res.untyped.alloc::<U11>()?.retype(res.slots.alloc()?)?;
    let join: Mine<'s, Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let env = ThreadEnv::new(&res.cspace, &res.vspace);
    let t = Thread::spawn(&env, tcb, stack.take()?, f, arg, priority, join)?;
    t.tcb()
        .set_ipc_buffer(IpcBuffer::in_frame(buffer.frame(), buffer.vaddr()))?;
    Ok(t)
}

/// Lends `value` to a thread as an address; the thread reads it back with [`borrow`].
fn lend<T>(value: &T) -> usize {
    value as *const T as usize
}

/// The value at `addr`, lent by [`lend`].
///
/// # Safety
/// `addr` must come from `lend` of a `T` (with the lending scope's brand replaced by `'static`) that outlives
/// the thread's use: the parent joins the thread before the value goes away.
unsafe fn borrow<T>(addr: usize) -> &'static T {
    // SAFETY: the caller's promise.
    unsafe { &*(addr as *const T) }
}

/// Encodes a channel error as a number for the checks: reason * 2^32 + detail.
fn code(e: ChannelError) -> u64 {
    match e {
        ChannelError::Rejected { reason, detail } => ((reason as u64) << 32) | wide(detail),
        ChannelError::BadReply { label, .. } => 0xbad0_0000_0000 | wide(label),
    }
}

// ---- call/reply with a capability ----

/// What the client thread saw: the sum, the notification bits it waited for, an error if any.
static GOT_SUM: AtomicU64 = AtomicU64::new(0);
static GOT_BITS: AtomicU64 = AtomicU64::new(0);
static GOT_ERR: AtomicU64 = AtomicU64::new(0);
static STACK_CLIENT: StaticStack<16384> = StaticStack::new();

/// Addresses of what the client uses: its caller end and its notification (which it sends along).
#[derive(Clone, Copy)]
struct ClientArgs {
    caller: usize,
    note: usize,
    badged_note: usize,
}

fn client(args: usize) {
    // SAFETY: the parent lent a `ClientArgs` that lives until it joins this thread.
    let args: &ClientArgs = unsafe { borrow(args) };
    // SAFETY: as above: the parent's caller end and notifications outlive this thread.
    let (caller, note, badged): (&CapCaller<Add, Sum, Notification, Lt>, &Note, &Note) =
        unsafe { (borrow(args.caller), borrow(args.note), borrow(args.badged_note)) };
    match caller.call(&Add { a: 40, b: 2 }, badged) {
        Ok(Sum(s)) => GOT_SUM.store(s, SeqCst),
        Err(e) => GOT_ERR.store(code(e), SeqCst),
    }
    // The server signalled the capability it received: the badge minted into it arrives here.
    GOT_BITS.store(wide(note.wait().value()), SeqCst);
}

#[selkie::test]
fn call_and_reply_carry_typed_messages_and_a_capability_the_server_uses(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let ep: Mine<Endpoint> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
        let (caller, responder) = channel::<Add, Sum, Buffered, Threads, _>(ep, &res.cspace, res.slots.alloc()?)?;
        let caller = caller.with_cap::<Notification>();
        let responder = responder.with_cap::<Notification>();
        let note: Mine<Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let badged: Mine<Notification> = note.mint(&res.cspace, res.slots.alloc()?, Badge::new(0b100)?)?;
        let args = ClientArgs {
            caller: lend(&caller),
            note: lend(&note),
            badged_note: lend(&badged),
        };
        let buffer = page(res)?;
        let t = ipc_thread(res, &buffer, &STACK_CLIENT, client, lend(&args), Priority::of::<U100>())?;
        let t = t.start()?;
        let mut seen_badge = u64::MAX;
        let mut cap_tag = 0;
        let served = responder.serve(&mut res.slots, |badge, req: Add, cap| {
            seen_badge = wide(badge.value());
            cap_tag = support::slot_type(cap.cptr());
            cap.signal();
            Served::ReplyAndStop(Sum(req.a + req.b + 1000 * wide(badge.value())))
        });
        let _ = t.join()?;
        expect_eq("requests served", 1, served)?;
        expect_eq("an unbadged caller", 0, seen_badge)?;
        expect_word(
            "the kernel put a notification in the receive slot",
            <Notification>::KERNEL_TAG,
            cap_tag,
        )?;
        expect_eq("client error", 0, GOT_ERR.load(SeqCst))?;
        expect_eq("the typed response", 42, GOT_SUM.load(SeqCst))?;
        expect_eq(
            "the received capability's signal, with its badge",
            0b100,
            GOT_BITS.load(SeqCst),
        )?;
        Ok(())
    })
}

// ---- badges and a malicious client ----

static GOOD_SUMS: [AtomicU64; 2] = [const { AtomicU64::new(0) }; 2];
static EVIL_RESULTS: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
static STACK_GOOD: StaticStack<16384> = StaticStack::new();
static STACK_EVIL: StaticStack<16384> = StaticStack::new();

#[derive(Clone, Copy)]
struct PairArgs {
    good: usize,
    evil: usize,
    evil_raw: usize,
    note: usize,
}

fn good_client(args: usize) {
    // SAFETY: the parent lent `PairArgs`, the caller end and the notification, and joins this thread.
    let args: &PairArgs = unsafe { borrow(args) };
    // SAFETY: as above.
    let (caller, note): (&CapCaller<Add, Sum, Notification, Lt>, &selkie::Cap<Notification, Lt>) =
        unsafe { (borrow(args.good), borrow(args.note)) };
    for (i, slot) in GOOD_SUMS.iter().enumerate() {
        // `b == 1` on the last request tells the server to stop.
        let r = caller.call(
            &Add {
                a: 10 * (i as u64 + 1),
                b: i as u64,
            },
            note,
        );
        slot.store(r.map(|Sum(s)| s).unwrap_or_else(code), SeqCst);
    }
}

fn evil_client(args: usize) {
    // SAFETY: as in `good_client`.
    let args: &PairArgs = unsafe { borrow(args) };
    // SAFETY: as above. The malicious client owns its caller end (a badged copy) and re-types it.
    let (caller, note): (&CapCaller<Add, Sum, Notification, Lt>, &selkie::Cap<Notification, Lt>) =
        unsafe { (borrow(args.evil), borrow(args.note)) };
    // SAFETY: as above: a second caller end with the same badge, which this thread alone uses.
    let raw: &Caller<Add, Sum, Buffered, Lt> = unsafe { borrow(args.evil_raw) };
    // SAFETY: a by-value copy of that token for the re-typed end; the capability stays in its slot and the
    // original is not used again.
    let stranger = unsafe { core::ptr::read(raw) }.retype_unchecked::<Stranger, Sum>();
    let r = stranger.call(&Stranger(1, 2));
    EVIL_RESULTS[0].store(r.map(|Sum(s)| s).unwrap_or_else(code), SeqCst);
    let short = stranger.retype_unchecked::<Short, Sum>();
    let r = short.call(&Short(5));
    EVIL_RESULTS[1].store(r.map(|Sum(s)| s).unwrap_or_else(code), SeqCst);
    let r = caller.call_without_cap(&Add { a: 1, b: 0 });
    EVIL_RESULTS[2].store(r.map(|Sum(s)| s).unwrap_or_else(code), SeqCst);
    // A well-formed request from this client: served, and told apart from the good client by its badge.
    let r = caller.call(&Add { a: 7, b: 0 }, note);
    EVIL_RESULTS[3].store(r.map(|Sum(s)| s).unwrap_or_else(code), SeqCst);
}

#[selkie::test]
fn badges_tell_clients_apart_and_a_malicious_client_gets_errors(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let ep: Mine<Endpoint> = res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?;
        let (_unbadged, responder) = channel::<Add, Sum, Buffered, Threads, _>(ep, &res.cspace, res.slots.alloc()?)?;
        let good = responder
            .caller::<ThisProcess>(&res.cspace, Badge::new(1)?, res.slots.alloc()?)?
            .with_cap::<Notification>();
        let evil = responder
            .caller::<ThisProcess>(&res.cspace, Badge::new(2)?, res.slots.alloc()?)?
            .with_cap::<Notification>();
        let evil_raw = responder.caller::<ThisProcess>(&res.cspace, Badge::new(2)?, res.slots.alloc()?)?;
        let responder = responder.with_cap::<Notification>();
        let note: Mine<Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let args = PairArgs {
            good: lend(&good),
            evil: lend(&evil),
            evil_raw: lend(&evil_raw),
            note: lend(&note),
        };
        let good_buffer = page(res)?;
        let evil_buffer = page(res)?;
        // The malicious client runs first (higher priority), then the good one; the server above both.
        let g = ipc_thread(
            res,
            &good_buffer,
            &STACK_GOOD,
            good_client,
            lend(&args),
            Priority::of::<U100>(),
        )?;
        let e = ipc_thread(
            res,
            &evil_buffer,
            &STACK_EVIL,
            evil_client,
            lend(&args),
            Priority::of::<U110>(),
        )?;
        let (g, e) = (g.start()?, e.start()?);
        let mut badges = [0u64; 4];
        let mut n = 0;
        let served = responder.serve(&mut res.slots, |badge, req: Add, cap| {
            if n < badges.len() {
                badges[n] = wide(badge.value());
            }
            n += 1;
            let _ = cap.delete(&res.cspace);
            let rsp = Sum(req.a + req.b + 1000 * wide(badge.value()));
            if badge.value() == 1 && req.b == 1 {
                Served::ReplyAndStop(rsp)
            } else {
                Served::Reply(rsp)
            }
        });
        let _ = (e.join()?, g.join()?);
        expect_eq("requests the handler saw", 3, served)?;
        expect_eq("first: the malicious client's good request", 2, badges[0])?;
        expect_eq("then the good client", 1, badges[1])?;
        expect_eq("good client again", 1, badges[2])?;
        let unknown = ((Rejection::UnknownLabel as u64) << 32) | 3;
        // The length the responder saw: the short message's size in machine words (1 on x86_64, 2 on aarch32).
        let short_words = core::mem::size_of::<Short>().div_ceil(core::mem::size_of::<selkie::sys::Word>());
        let short = ((Rejection::WrongLength as u64) << 32) | short_words as u64;
        let missing = (Rejection::MissingCap as u64) << 32;
        expect_eq("unknown label refused", unknown, EVIL_RESULTS[0].load(SeqCst))?;
        expect_eq("short message refused", short, EVIL_RESULTS[1].load(SeqCst))?;
        expect_eq("missing capability refused", missing, EVIL_RESULTS[2].load(SeqCst))?;
        expect_eq(
            "the malicious client's good request, badge 2",
            2007,
            EVIL_RESULTS[3].load(SeqCst),
        )?;
        expect_eq("good client, first", 1010, GOOD_SUMS[0].load(SeqCst))?;
        expect_eq("good client, second", 1021, GOOD_SUMS[1].load(SeqCst))?;
        Ok(())
    })
}

// ---- a shared queue of 100 000 items ----

const ITEMS: u64 = 100_000;
static STACK_PRODUCER: StaticStack<16384> = StaticStack::new();

/// The producer end, as the producer thread sees it (the lending scope's brand replaced by `'static`).
type Tx = QueueProducer<u64, U256, Lent<'static>>;

fn producer(args: usize) {
    // SAFETY: the parent lent its producer end (the only one) and joins this thread before it goes away;
    // the parent does not touch it meanwhile.
    let q: &mut Tx = unsafe { &mut *(args as *mut Tx) };
    for i in 0..ITEMS {
        q.push(i * 3 + 1);
    }
}

#[selkie::test]
fn a_hundred_thousand_items_pass_through_a_shared_queue_in_order(boot: &mut BootInfo) -> Result<(), Fail> {
    boot.lend(|res| {
        let region = page(res)?;
        let wake: Mine<Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let (mut tx, mut q) = selkie::queue::<u64, U256, _, _, _>(region, wake, &res.cspace, res.slots.alloc()?)?;
        let tcb: Mine<Tcb> = res.untyped.alloc::<U11>()?.retype(res.slots.alloc()?)?;
        let join: Mine<Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let env = ThreadEnv::new(&res.cspace, &res.vspace);
        let t = Thread::spawn(
            &env,
            tcb,
            STACK_PRODUCER.take()?,
            producer,
            &mut tx as *mut _ as usize,
            Priority::of::<U100>(),
            join,
        )?;
        let t = t.start()?;
        for i in 0..ITEMS {
            let v = q.pop();
            if v != i * 3 + 1 {
                return Err(Fail::Mismatch {
                    what: "item in order",
                    expected: i * 3 + 1,
                    found: v,
                });
            }
        }
        let _ = t.join()?;
        expect_eq("nothing left over (no duplicates)", 0, q.try_pop().is_some() as u64)?;
        expect_eq("the consumer slept on its notification", 1, (q.sleeps() > 0) as u64)?;
        Ok(())
    })
}
