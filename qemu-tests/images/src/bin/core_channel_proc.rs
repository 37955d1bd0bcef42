//! Typed channels between processes: each end is a field of one child's parameters (its endpoint capability
//! moved into that child's CSpace). A server process serves two client processes told apart by their badges,
//! receives a capability in a message and signals it (the root task sees the signal), and answers a malicious
//! client's unknown label, short message and missing capability with errors while it keeps serving the good
//! client; a fast-path channel carries four-word messages both ways in registers.
#![no_std]
#![no_main]

#[path = "../core_support.rs"]
mod support;

use core::ptr::{read_volatile, write_volatile};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::process::{
    Brand, ImageFunction, Perms, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessResources, RootImage,
    RunningProcess,
};
use selkie::sys::Word;
use selkie::typenum::{U1, U100, U12, U120, U14, U150, U18, U3, U5, U64, U8};
use selkie::{
    channel, Badge, Between, Borrowed, Buffered, Caller, Cap, CapCaller, CapResponder, ChannelError, Endpoint,
    FastPath, Forever, Lent, Local, Notification, Priority, ReceiveSlots, Region, Responder, Scope, Served, Supervisor,
    ThisProcess,
};
use support::{expect_eq, expect_word, wide, Fail};

selkie::test_main!();

selkie::child_brand!(Server, Good, Evil, FastServer, FastClient);

/// Where the children see the page they share with the root task (their results and tallies).
const SHARED: Word = 0x2000_0000;

/// A request: two numbers, and whether it is the client's last (the server then stops serving sums).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Add {
    a: u64,
    b: u64,
    last: u64,
}
/// The response: the sum plus 1000 times the caller's badge.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Sum(u64);
/// A message the server does not take (another label).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Stranger(u64, u64, u64);
/// A message with `Add`'s label but one word instead of three.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Short(u64);
/// A request that carries a notification for the server to signal.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Fire(u64);
/// The answer to a `Fire`: the request's number plus 100 times the caller's badge.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Ack(u64);
/// Four machine words: the most a fast-path message holds.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
struct Quad([Word; 4]);
// SAFETY (all): `repr(C)` structs of `u64`s or machine words: no padding, every bit pattern valid.
unsafe impl selkie::bytemuck::Zeroable for Add {}
unsafe impl selkie::bytemuck::Pod for Add {}
unsafe impl selkie::bytemuck::Zeroable for Sum {}
unsafe impl selkie::bytemuck::Pod for Sum {}
unsafe impl selkie::bytemuck::Zeroable for Stranger {}
unsafe impl selkie::bytemuck::Pod for Stranger {}
unsafe impl selkie::bytemuck::Zeroable for Short {}
unsafe impl selkie::bytemuck::Pod for Short {}
unsafe impl selkie::bytemuck::Zeroable for Fire {}
unsafe impl selkie::bytemuck::Pod for Fire {}
unsafe impl selkie::bytemuck::Zeroable for Ack {}
unsafe impl selkie::bytemuck::Pod for Ack {}
unsafe impl selkie::bytemuck::Zeroable for Quad {}
unsafe impl selkie::bytemuck::Pod for Quad {}
selkie::message!(
    Add: selkie::typenum::U24 = 1,
    Sum: U8 = 2,
    Stranger: selkie::typenum::U24 = 3,
    Short: U8 = 1,
    Fire: U8 = 4,
    Ack: U8 = 5,
    Quad: selkie::FastPathBytes = 6,
);

// Words of the shared page.
const GOOD_SUM: usize = 0;
const GOOD_LAST_SUM: usize = 1;
const GOOD_ACK: usize = 2;
const EVIL_UNKNOWN: usize = 3;
const EVIL_SHORT: usize = 4;
const EVIL_SUM: usize = 5;
const EVIL_NO_CAP: usize = 6;
const SERVED_SUMS: usize = 7;
const SERVED_FIRES: usize = 8;
const BY_BADGE_1: usize = 9;
const BY_BADGE_2: usize = 10;
const FAST_FIRST: usize = 16;
const FAST_SERVED: usize = 24;

fn put(i: usize, v: u64) {
    // SAFETY: the shared page is mapped read-write at SHARED in every child of this image.
    unsafe { write_volatile((SHARED as usize + 8 * i) as *mut u64, v) };
}

/// Encodes a channel error as a number for the checks: reason * 2^32 + detail.
fn code(e: ChannelError) -> u64 {
    match e {
        ChannelError::Rejected { reason, detail } => ((reason as u64) << 32) | wide(detail),
        ChannelError::BadReply { label, .. } => 0xbad0_0000_0000 | wide(label),
    }
}

fn result_code<T>(r: Result<T, ChannelError>, ok: impl FnOnce(T) -> u64) -> u64 {
    match r {
        Ok(v) => ok(v),
        Err(e) => code(e),
    }
}

// ---- the processes' parameters: each end is for one child ----

/// The server: a responder for sums, one for notifications (with slots to receive them into).
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct ServerSide<S: Scope = Forever> {
    sums: Responder<Add, Sum, Buffered, Local<S>, Server>,
    fires: CapResponder<Fire, Ack, Notification, Local<S>, Server>,
    receive: ReceiveSlots,
}

/// The good client: its badged callers and the notification it sends along.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct GoodSide<S: Scope = Forever> {
    sums: Caller<Add, Sum, Buffered, Local<S>, Good>,
    fires: CapCaller<Fire, Ack, Notification, Local<S>, Good>,
    note: Cap<Notification, Local<S>>,
}

/// The malicious client: badged callers of its own.
#[derive(selkie::ProcessParams)]
#[repr(C)]
struct EvilSide<S: Scope = Forever> {
    sums: Caller<Add, Sum, Buffered, Local<S>, Evil>,
    fires: CapCaller<Fire, Ack, Notification, Local<S>, Evil>,
}

fn server(p: ServerSide) {
    let (mut by1, mut by2) = (0, 0);
    let mut count = |badge: Badge| match badge.value() {
        1 => by1 += 1,
        2 => by2 += 1,
        _ => {}
    };
    let sums = p.sums.serve(|badge, req| {
        count(badge);
        let rsp = Sum(req.a + req.b + 1000 * wide(badge.value()));
        if req.last != 0 {
            Served::ReplyAndStop(rsp)
        } else {
            Served::Reply(rsp)
        }
    });
    let mut slots = p.receive.into_slots();
    let fires = p.fires.serve(&mut slots, |badge, req, note| {
        count(badge);
        // The capability that arrived in the message: signalling it is the kernel's proof it is one.
        note.signal();
        Served::ReplyAndStop(Ack(req.0 + 100 * wide(badge.value())))
    });
    put(SERVED_SUMS, sums);
    put(SERVED_FIRES, fires);
    put(BY_BADGE_1, by1);
    put(BY_BADGE_2, by2);
}

fn good(p: GoodSide) {
    put(
        GOOD_SUM,
        result_code(p.sums.call(&Add { a: 40, b: 2, last: 0 }), |s| s.0),
    );
    put(
        GOOD_LAST_SUM,
        result_code(p.sums.call(&Add { a: 5, b: 6, last: 1 }), |s| s.0),
    );
    put(GOOD_ACK, result_code(p.fires.call(&Fire(7), &p.note), |a| a.0));
}

fn evil(p: EvilSide) {
    let stranger = p.sums.retype_unchecked::<Stranger, Sum>();
    put(EVIL_UNKNOWN, result_code(stranger.call(&Stranger(1, 2, 3)), |s| s.0));
    let short = stranger.retype_unchecked::<Short, Sum>();
    put(EVIL_SHORT, result_code(short.call(&Short(9)), |s| s.0));
    let sums = short.retype_unchecked::<Add, Sum>();
    put(EVIL_SUM, result_code(sums.call(&Add { a: 1, b: 2, last: 0 }), |s| s.0));
    put(EVIL_NO_CAP, result_code(p.fires.call_without_cap(&Fire(8)), |a| a.0));
}

// ---- set-up ----

type Res<'s> = ProcessResources<U18, U64, Borrowed<Lent<'s>>, Lent<'s>>;
type Running<'s, B> = RunningProcess<B, U18, U64, Borrowed<Lent<'s>>, Lent<'s>>;
type Mine<'s, T> = Cap<T, Local<Lent<'s>>>;
type Page<'s> = Region<
    U1,
    selkie::Mapped<selkie::vspace::Own>,
    selkie::Exclusive,
    selkie::rights::ReadWrite,
    selkie::Page4K,
    Lent<'s>,
>;

/// What every test starts from: a supervisor, the process kit, the shared page.
type Setup<'s> = (Supervisor<Local<Lent<'s>>>, ProcessKit<Lent<'s>>, Page<'s>);

fn resources<'s>(res: &mut Resources<Lent<'s>>) -> Result<Res<'s>, Fail> {
    Ok(ProcessResources::new(
        res.untyped.alloc::<U18>()?,
        res.slots.alloc::<U64>()?,
    ))
}

fn config(badge: Word, priority: Priority) -> Result<ProcessConfig, Fail> {
    Ok(ProcessConfig {
        priority,
        badge: Badge::new(badge)?,
    })
}

/// A supervisor, the process kit, and a page the root task maps (shared with every child).
fn setup<'s>(res: &mut Resources<Lent<'s>>) -> Result<Setup<'s>, Fail> {
    let ep = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
    let sup = Supervisor::new(ep);
    let kit = ProcessKit::new(res, &sup)?;
    let page = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
    let (page, _) = res
        .root_vspace
        .map_next(page, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
    Ok((sup, kit, page))
}

/// Starts a child running `f` with `params`, the shared page mapped.
#[allow(clippy::too_many_arguments)]
fn start<'s, B: Brand, P: selkie::process::ProcessParams<B>>(
    res: &mut Resources<Lent<'s>>,
    kit: &ProcessKit<Lent<'s>>,
    page: &Page<'s>,
    image: &RootImage,
    f: fn(P::View),
    params: P,
    badge: Word,
    priority: Priority,
) -> Result<Running<'s, B>, Fail>
where
    P::View: 'static,
{
    let code = ImageFunction::new(image, f);
    let mut p = Process::new(
        kit,
        ProcessBrand::<B>::take()?,
        resources(res)?,
        &code,
        params,
        config(badge, priority)?,
    )?;
    p.map_shared_frame(page.frame(), SHARED, Perms::RW)?;
    Ok(p.start()?)
}

fn word(page: &Page<'_>, i: usize) -> u64 {
    // SAFETY: the root task's mapping of the shared page; children wrote it, hence volatile.
    unsafe { read_volatile((page.vaddr() as usize + 8 * i) as *const u64) }
}

/// Waits for `n` exit messages and checks each is a normal exit (no fault); returns their badges' sum.
fn exits(sup: &mut Supervisor<Local<Lent<'_>>>, n: usize) -> Result<Word, Fail> {
    let mut badges = 0;
    for _ in 0..n {
        let exit = sup.wait();
        if exit.fault.exit_code().is_none() {
            selkie::println!("expected an exit message, got {:?}", exit.fault);
            return Err(Fail::Missing("exit message"));
        }
        badges += exit.badge.value();
    }
    Ok(badges)
}

#[selkie::test]
fn a_server_process_serves_two_client_processes_a_capability_and_refuses_a_malicious_one(
    boot: &mut BootInfo,
) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, page) = setup(res)?;
        // The notification the server will signal: the root keeps it and gives the good client a copy badged 0x50.
        let note: Mine<'_, Notification> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let badged = note.mint(&res.cspace, res.slots.alloc()?, Badge::new(0x50)?)?;

        let ep: Mine<'_, Endpoint> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let (_, sums) =
            channel::<Add, Sum, Buffered, Between<ThisProcess, Server>, _>(ep, &res.cspace, res.slots.alloc()?)?;
        let good_sums = sums.caller::<Good>(&res.cspace, Badge::new(1)?, res.slots.alloc()?)?;
        let evil_sums = sums.caller::<Evil>(&res.cspace, Badge::new(2)?, res.slots.alloc()?)?;

        let ep: Mine<'_, Endpoint> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let (_, fires) =
            channel::<Fire, Ack, Buffered, Between<ThisProcess, Server>, _>(ep, &res.cspace, res.slots.alloc()?)?;
        let good_fires = fires.caller::<Good>(&res.cspace, Badge::new(1)?, res.slots.alloc()?)?;
        let evil_fires = fires.caller::<Evil>(&res.cspace, Badge::new(2)?, res.slots.alloc()?)?;

        let server_side = ServerSide {
            sums,
            fires: fires.with_cap::<Notification>(),
            receive: ReceiveSlots::new(4),
        };
        let good_side = GoodSide {
            sums: good_sums,
            fires: good_fires.with_cap::<Notification>(),
            note: badged,
        };
        let evil_side = EvilSide {
            sums: evil_sums,
            fires: evil_fires.with_cap::<Notification>(),
        };
        // Priorities order the run: the server answers at once; the malicious client runs to the end of its
        // sums and then waits on the notification channel before the good client starts.
        let s = start(
            res,
            &kit,
            &page,
            &image,
            server,
            server_side,
            10,
            Priority::of::<U150>(),
        )?;
        let e = start(res, &kit, &page, &image, evil, evil_side, 12, Priority::of::<U120>())?;
        let g = start(res, &kit, &page, &image, good, good_side, 11, Priority::of::<U100>())?;
        expect_word("exit badges: all three exited", 10 + 11 + 12, exits(&mut sup, 3)?)?;

        expect_eq(
            "good client's sum (40 + 2 + 1000 * badge 1)",
            1042,
            word(&page, GOOD_SUM),
        )?;
        expect_eq("good client's last sum", 1011, word(&page, GOOD_LAST_SUM))?;
        expect_eq("good client's ack (7 + 100 * badge 1)", 107, word(&page, GOOD_ACK))?;
        expect_eq(
            "evil's unknown label refused: UnknownLabel, label 3",
            (1 << 32) | 3,
            word(&page, EVIL_UNKNOWN),
        )?;
        // The length the server saw: the short message's size in machine words (1 on x86_64, 2 on aarch32).
        let short_words = core::mem::size_of::<Short>().div_ceil(core::mem::size_of::<Word>());
        expect_eq(
            "evil's short message refused: WrongLength, its length in words",
            (2 << 32) | short_words as u64,
            word(&page, EVIL_SHORT),
        )?;
        expect_eq(
            "evil's good request served (1 + 2 + 1000 * badge 2)",
            2003,
            word(&page, EVIL_SUM),
        )?;
        expect_eq(
            "evil's message without its capability refused: MissingCap, 0 caps",
            3 << 32,
            word(&page, EVIL_NO_CAP),
        )?;
        expect_eq("sums the server's handler served", 3, word(&page, SERVED_SUMS))?;
        expect_eq(
            "notifications the server's handler served",
            1,
            word(&page, SERVED_FIRES),
        )?;
        expect_eq("requests served for badge 1", 3, word(&page, BY_BADGE_1))?;
        expect_eq("requests served for badge 2", 1, word(&page, BY_BADGE_2))?;
        // The server signalled the capability it received: the root sees the badge minted into the good client's copy.
        expect_word("signal from the received capability", 0x50, note.poll().value())?;
        let _ = (s.teardown(), e.teardown(), g.teardown());
        Ok(())
    })
}

// ---- the fast path between processes ----

#[derive(selkie::ProcessParams)]
#[repr(C)]
struct FastServerSide<S: Scope = Forever> {
    quads: Responder<Quad, Quad, FastPath, Local<S>, FastServer>,
}

#[derive(selkie::ProcessParams)]
#[repr(C)]
struct FastClientSide<S: Scope = Forever> {
    quads: Caller<Quad, Quad, FastPath, Local<S>, FastClient>,
}

/// Answers each quad with its words reversed, each plus the badge; stops after a quad whose first word is 0.
fn fast_server(p: FastServerSide) {
    let served = p.quads.serve(|badge, Quad([a, b, c, d])| {
        let plus = |w: Word| w.wrapping_add(badge.value());
        let rsp = Quad([plus(d), plus(c), plus(b), plus(a)]);
        if a == 0 {
            Served::ReplyAndStop(rsp)
        } else {
            Served::Reply(rsp)
        }
    });
    put(FAST_SERVED, served);
}

/// Sends 100 quads and records the first answer and a checksum of all of them; the last one stops the server.
fn fast_client(p: FastClientSide) {
    let mut checksum: Word = 0;
    for i in 1..=100 {
        let first = if i == 100 { 0 } else { i };
        match p.quads.call(&Quad([first, i << 8, i << 16, Word::MAX - i])) {
            Ok(Quad(w)) => {
                if i == 1 {
                    for (k, v) in w.iter().enumerate() {
                        put(FAST_FIRST + k, wide(*v));
                    }
                }
                checksum = checksum.wrapping_add(w[0] ^ w[1] ^ w[2] ^ w[3]);
            }
            Err(e) => {
                put(FAST_FIRST, code(e));
                return;
            }
        }
    }
    put(FAST_FIRST + 4, wide(checksum));
}

#[selkie::test]
fn four_word_messages_round_trip_on_the_fast_path_between_processes(boot: &mut BootInfo) -> Result<(), Fail> {
    let image = RootImage::new(boot);
    boot.lend(|res| {
        let (mut sup, kit, page) = setup(res)?;
        let ep: Mine<'_, Endpoint> = res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?;
        let (_, quads) =
            channel::<Quad, Quad, FastPath, Between<ThisProcess, FastServer>, _>(ep, &res.cspace, res.slots.alloc()?)?;
        let client_end = quads.caller::<FastClient>(&res.cspace, Badge::new(3)?, res.slots.alloc()?)?;
        let s = start(
            res,
            &kit,
            &page,
            &image,
            fast_server,
            FastServerSide { quads },
            20,
            Priority::of::<U150>(),
        )?;
        let c = start(
            res,
            &kit,
            &page,
            &image,
            fast_client,
            FastClientSide { quads: client_end },
            21,
            Priority::of::<U100>(),
        )?;
        expect_word("exit badges", 20 + 21, exits(&mut sup, 2)?)?;
        // Quad([1, 1 << 8, 1 << 16, MAX - 1]) comes back reversed, each word plus badge 3.
        expect_eq("word 0", wide((Word::MAX - 1).wrapping_add(3)), word(&page, FAST_FIRST))?;
        expect_eq("word 1", (1 << 16) + 3, word(&page, FAST_FIRST + 1))?;
        expect_eq("word 2", (1 << 8) + 3, word(&page, FAST_FIRST + 2))?;
        expect_eq("word 3", 1 + 3, word(&page, FAST_FIRST + 3))?;
        let mut checksum: Word = 0;
        for i in 1..=100 {
            let first = if i == 100 { 0 } else { i };
            let w: [Word; 4] = [(Word::MAX - i).wrapping_add(3), (i << 16) + 3, (i << 8) + 3, first + 3];
            checksum = checksum.wrapping_add(w[0] ^ w[1] ^ w[2] ^ w[3]);
        }
        expect_eq("checksum of 100 answers", wide(checksum), word(&page, FAST_FIRST + 4))?;
        expect_eq("quads the server served", 100, word(&page, FAST_SERVED))?;
        let _ = (s.teardown(), c.teardown());
        Ok(())
    })
}
