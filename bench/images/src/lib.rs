//! The in-QEMU cost benchmark: each operation measured three ways in one boot, as guest `rdtsc` deltas over
//! many iterations (with QEMU's `-icount shift=0` the counter advances with executed instructions, so the
//! numbers repeat exactly run to run):
//!
//! - `typed`: selkie's typed API, as a user writes it;
//! - `raw`: the same kernel calls through `selkie-sys`;
//! - `c`: libsel4's own inline stubs, compiled from the kernel tree by the C compiler (`c/cost.c`).
//!
//! Each result is one console line, `selkie-bench <operation> <variant> <iterations> <ticks>`, read by
//! `selkie-bench`'s `qemu_cost` module; the root task's first instruction's counter value is a line
//! `selkie-bench-boot <ticks>`. The operations' names and their order in the report are the host side's
//! (`selkie_bench::qemu_cost::OPERATIONS`). Each variant checks what the kernel answered (replies, error
//! codes) and the run fails if any answer is wrong.
#![no_std]

use core::sync::atomic::{fence, Ordering};

use selkie::bootstrap::{BootInfo, Resources};
use selkie::process::{
    Brand, ImageFunction, Process, ProcessBrand, ProcessConfig, ProcessKit, ProcessParams, ProcessResources, RootImage,
    RunningProcess,
};
use selkie::rights::ReadWrite;
use selkie::typenum::{U1, U12, U128, U14, U18, U255, U3, U4, U5, U64};
use selkie::{
    channel, sys, Badge, Between, Buffered, Cap, Endpoint, Error, Exclusive, FastPath, Forever, Local, Mapped,
    Notification, Own, Page4K, Priority, Region, Responder, Scope, Served, Supervisor, ThisProcess,
};

extern "C" {
    fn selkie_bench_c_signal_wait(ntfn: sys::CPtr, n: u64) -> u64;
    fn selkie_bench_c_copy_delete(root: sys::CPtr, src: sys::Word, dest: sys::Word, n: u64, err: *mut i64) -> u64;
    fn selkie_bench_c_retype_delete(
        untyped: sys::CPtr,
        ty: sys::Word,
        size_bits: sys::Word,
        root: sys::CPtr,
        slot: sys::Word,
        n: u64,
        err: *mut i64,
    ) -> u64;
    fn selkie_bench_c_map_unmap(frame: sys::CPtr, vspace: sys::CPtr, vaddr: sys::Word, n: u64, err: *mut i64) -> u64;
    fn selkie_bench_c_call(ep: sys::CPtr, n: u64, err: *mut i64) -> u64;
    fn selkie_bench_c_serve(ep: sys::CPtr);
    fn selkie_bench_c_call_long(ep: sys::CPtr, n: u64, err: *mut i64) -> u64;
    fn selkie_bench_c_serve_long(ep: sys::CPtr);
    fn selkie_bench_c_queue(ntfn: sys::CPtr, n: u64, err: *mut i64) -> u64;
}

/// The guest's time-stamp counter, fenced so that it counts exactly the instructions between two reads.
#[inline(always)]
pub fn ticks() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: `lfence; rdtsc; lfence` reads the counter; no memory is touched.
    unsafe {
        core::arch::asm!("lfence", "rdtsc", "lfence", out("eax") lo, out("edx") hi, options(nostack, preserves_flags))
    };
    ((hi as u64) << 32) | lo as u64
}

/// A failed check: which operation and variant, and what was seen.
#[derive(Debug)]
pub enum BenchError {
    /// A typed call failed.
    Kernel(Error),
    /// A raw or C variant got a kernel error or a wrong answer (the code, negative for a wrong answer).
    Answer {
        /// The operation.
        op: &'static str,
        /// The variant.
        variant: &'static str,
        /// The kernel's error code, or a negative number for a wrong reply.
        code: i64,
    },
}

impl From<Error> for BenchError {
    fn from(e: Error) -> Self {
        BenchError::Kernel(e)
    }
}

impl<T> From<selkie::Refused<T>> for BenchError {
    fn from(r: selkie::Refused<T>) -> Self {
        BenchError::Kernel(r.error)
    }
}

impl core::fmt::Display for BenchError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BenchError::Kernel(e) => write!(f, "{e}"),
            BenchError::Answer { op, variant, code } => write!(f, "{op} ({variant}): wrong answer or error {code}"),
        }
    }
}

fn check(op: &'static str, variant: &'static str, code: i64) -> Result<(), BenchError> {
    if code == 0 {
        Ok(())
    } else {
        Err(BenchError::Answer { op, variant, code })
    }
}

fn raw(op: &'static str, r: Result<(), sys::Error>) -> Result<(), BenchError> {
    r.map_err(|e| BenchError::Answer {
        op,
        variant: "raw",
        code: e as i64,
    })
}

fn report(op: &str, variant: &str, n: u64, t: u64) {
    selkie::println!("selkie-bench {op} {variant} {n} {t}");
}

/// The fast-path request and reply: one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Ping(pub u64);
/// The long message: sixteen words, through the IPC buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Long(pub [u64; LONG_WORDS]);
/// The long message's length in words (as `LONG_WORDS` in `c/cost.c`).
pub const LONG_WORDS: usize = 16;
// SAFETY: `repr(C)` structs of `u64`s: no padding, every bit pattern valid.
unsafe impl selkie::bytemuck::Zeroable for Ping {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Ping {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Zeroable for Long {}
// SAFETY: as above.
unsafe impl selkie::bytemuck::Pod for Long {}
selkie::message!(Ping: selkie::typenum::U8 = 1, Long: selkie::typenum::U128 = 2);

type Page = Region<U1, Mapped<Own>, Exclusive, ReadWrite, Page4K>;

fn page(res: &mut Resources) -> Result<Page, BenchError> {
    let region = Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?;
    let (page, _) = res
        .root_vspace
        .map_next(region, res.untyped.alloc::<U14>()?, res.slots.alloc::<U3>()?)?;
    Ok(page)
}

fn endpoint(res: &mut Resources) -> Result<Cap<Endpoint>, BenchError> {
    Ok(res.untyped.alloc::<U4>()?.retype(res.slots.alloc()?)?)
}

fn notification(res: &mut Resources) -> Result<Cap<Notification>, BenchError> {
    Ok(res.untyped.alloc::<U5>()?.retype(res.slots.alloc()?)?)
}

// ---- the IPC servers: each a process of its own (its own address space and CSpace), started from this image ----

selkie::child_brand!(TypedServer, RawServer, CServer);

/// The request that ends a server's fast-path loop (sent after the timed calls): the server answers it with
/// the same word and goes on to serve the long messages.
pub const STOP: u64 = u64::MAX;

/// The typed server's parameters: its ends of the two channels.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct TypedSide<S: Scope = Forever> {
    fast: Responder<Ping, Ping, FastPath, Local<S>, TypedServer>,
    long: Responder<Long, Long, Buffered, Local<S>, TypedServer>,
}

/// A raw or C server's parameters: the endpoints it receives the fast and the long messages on.
#[derive(selkie::ProcessParams)]
#[repr(C)]
pub struct RawSide<S: Scope = Forever> {
    fast: Cap<Endpoint, Local<S>>,
    long: Cap<Endpoint, Local<S>>,
}

fn typed_server(p: TypedSide) {
    p.fast.serve(|_, Ping(x)| {
        if x == STOP {
            Served::ReplyAndStop(Ping(x))
        } else {
            Served::Reply(Ping(x + 1))
        }
    });
    p.long.serve(|_, Long(mut w)| {
        for x in &mut w {
            *x += 1;
        }
        Served::Reply(Long(w))
    });
}

fn raw_server(p: RawSide) {
    let (fast, long) = (p.fast.cptr(), p.long.cptr());
    // SAFETY: fast-path IPC in registers on an endpoint this process serves; the stop request is answered
    // through this process's IPC buffer.
    unsafe {
        let (_, _, mut w) = sys::recv_with_mrs(fast);
        loop {
            if w[0] == STOP {
                sys::set_mr(0, STOP);
                sys::reply(sys::MessageInfo::new(1, 0, 0, 1));
                break;
            }
            w[0] += 1;
            (_, _, w) = sys::reply_recv_with_mrs(fast, sys::MessageInfo::new(1, 0, 0, 1), w);
        }
    }
    // SAFETY: IPC through this process's mapped IPC buffer, on an endpoint it serves.
    unsafe {
        sys::recv(long);
        loop {
            for i in 0..LONG_WORDS {
                sys::set_mr(i, sys::get_mr(i) + 1);
            }
            sys::reply_recv(long, sys::MessageInfo::new(2, 0, 0, LONG_WORDS as sys::Word));
        }
    }
}

fn c_server(p: RawSide) {
    // SAFETY: the C servers serve the endpoints given; the first returns after the stop request, the second
    // loops forever.
    unsafe {
        selkie_bench_c_serve(p.fast.cptr());
        selkie_bench_c_serve_long(p.long.cptr());
    }
}

/// A server process left running until the root task ends the system.
type Server<B> = RunningProcess<B, U18, U128, selkie::Local>;

/// What starting a server process needs: the process kit and the root task's own image, whose functions the
/// servers run.
struct Servers {
    kit: ProcessKit,
    image: RootImage,
}

impl Servers {
    /// Starts `f(params)` as a process at the root task's priority (so that calls take the kernel's fast path,
    /// switching address spaces on the way).
    fn start<B: Brand, P: ProcessParams<B>>(
        &self,
        res: &mut Resources,
        f: fn(P::View),
        params: P,
    ) -> Result<Server<B>, BenchError>
    where
        P::View: 'static,
    {
        let code = ImageFunction::new(&self.image, f);
        let memory = ProcessResources::new(res.untyped.alloc::<U18>()?, res.slots.alloc::<U128>()?);
        let config = ProcessConfig {
            priority: Priority::of::<U255>(),
            badge: Badge::new(1)?,
        };
        let p = Process::new(&self.kit, ProcessBrand::<B>::take()?, memory, &code, params, config)?;
        Ok(p.start()?)
    }
}

/// Runs every operation `n` times in each variant and prints the results.
pub fn run(boot: BootInfo, n: u64, boot_ticks: u64) -> Result<(), BenchError> {
    selkie::println!("selkie-bench-boot {boot_ticks}");
    let image = RootImage::new(&boot);
    let mut res = boot.take()?;
    let root = res.cspace.cptr();
    let supervisor = Supervisor::new(endpoint(&mut res)?);
    let servers = Servers {
        kit: ProcessKit::new(&mut res, &supervisor)?,
        image,
    };
    const DEPTH: u8 = 64;

    // ---- IPC between the root task and a server process (its own address space and CSpace): call +
    // reply-receive, one word on the fast path, then sixteen words through the IPC buffer ----
    let (fast, fast_server) = channel::<Ping, Ping, FastPath, Between<ThisProcess, TypedServer>, _>(
        endpoint(&mut res)?,
        &res.cspace,
        res.slots.alloc()?,
    )?;
    let (long, long_server) = channel::<Long, Long, Buffered, Between<ThisProcess, TypedServer>, _>(
        endpoint(&mut res)?,
        &res.cspace,
        res.slots.alloc()?,
    )?;
    let typed = TypedSide {
        fast: fast_server,
        long: long_server,
    };
    let _typed = servers.start(&mut res, typed_server, typed)?;
    let raw_eps = (endpoint(&mut res)?, endpoint(&mut res)?);
    let raw_side = RawSide {
        fast: raw_eps.0.copy(&res.cspace, res.slots.alloc()?)?,
        long: raw_eps.1.copy(&res.cspace, res.slots.alloc()?)?,
    };
    let _raw: Server<RawServer> = servers.start(&mut res, raw_server, raw_side)?;
    let c_eps = (endpoint(&mut res)?, endpoint(&mut res)?);
    let c_side = RawSide {
        fast: c_eps.0.copy(&res.cspace, res.slots.alloc()?)?,
        long: c_eps.1.copy(&res.cspace, res.slots.alloc()?)?,
    };
    let _c: Server<CServer> = servers.start(&mut res, c_server, c_side)?;
    {
        let op = "ipc_call";
        let caller = fast;
        let (raw_ep, c_ep) = (&raw_eps.0, &c_eps.0);
        let t0 = ticks();
        for i in 0..n {
            if caller.call(&Ping(i)) != Ok(Ping(i + 1)) {
                return check(op, "typed", -1);
            }
        }
        report(op, "typed", n, ticks() - t0);
        let t0 = ticks();
        for i in 0..n {
            // SAFETY: fast-path IPC in registers with the raw server.
            let (info, w) =
                unsafe { sys::call_with_mrs(raw_ep.cptr(), sys::MessageInfo::new(1, 0, 0, 1), [i, 0, 0, 0]) };
            if info.label() != 1 || w[0] != i + 1 {
                return check(op, "raw", -1);
            }
        }
        report(op, "raw", n, ticks() - t0);
        let mut err = 0;
        // SAFETY: the C loop calls the C server through the endpoint given.
        let t = unsafe { selkie_bench_c_call(c_ep.cptr(), n, &mut err) };
        check(op, "c", err)?;
        report(op, "c", n, t);
        // Untimed: each server leaves its fast loop for the long one.
        if caller.call(&Ping(STOP)) != Ok(Ping(STOP)) {
            return check(op, "typed", -2);
        }
        for (variant, ep) in [("raw", raw_ep), ("c", c_ep)] {
            // SAFETY: the stop request, in registers; the server answers through its IPC buffer.
            let (info, _) =
                unsafe { sys::call_with_mrs(ep.cptr(), sys::MessageInfo::new(1, 0, 0, 1), [STOP, 0, 0, 0]) };
            if info.label() != 1 {
                return check(op, variant, -2);
            }
        }
    }

    {
        let op = "ipc_long";
        let caller = long;
        let (raw_ep, c_ep) = (&raw_eps.1, &c_eps.1);
        let t0 = ticks();
        for i in 0..n {
            let mut w = [0u64; LONG_WORDS];
            for (k, x) in w.iter_mut().enumerate() {
                *x = i + k as u64;
            }
            match caller.call(&Long(w)) {
                Ok(Long(r)) if r[LONG_WORDS - 1] == i + LONG_WORDS as u64 => {}
                _ => return check(op, "typed", -1),
            }
        }
        report(op, "typed", n, ticks() - t0);
        let t0 = ticks();
        for i in 0..n {
            // SAFETY: IPC through the root task's IPC buffer with the raw server.
            let ok = unsafe {
                for k in 0..LONG_WORDS {
                    sys::set_mr(k, i + k as u64);
                }
                let info = sys::call(raw_ep.cptr(), sys::MessageInfo::new(2, 0, 0, LONG_WORDS as sys::Word));
                info.length() as usize == LONG_WORDS && sys::get_mr(LONG_WORDS - 1) == i + LONG_WORDS as u64
            };
            if !ok {
                return check(op, "raw", -1);
            }
        }
        report(op, "raw", n, ticks() - t0);
        let mut err = 0;
        // SAFETY: the C loop calls the C server through the endpoint given.
        let t = unsafe { selkie_bench_c_call_long(c_ep.cptr(), n, &mut err) };
        check(op, "c", err)?;
        report(op, "c", n, t);
    }

    // ---- notification signal + wait (the signal is pending, so the wait returns at once; a wait that found
    // no signal would block the root task for good, and the run would time out) ----
    {
        let op = "signal_wait";
        let ntfn = notification(&mut res)?;
        let t0 = ticks();
        for _ in 0..n {
            ntfn.signal();
            let _ = ntfn.wait();
        }
        report(op, "typed", n, ticks() - t0);
        let t0 = ticks();
        for _ in 0..n {
            // SAFETY: signal and wait on a notification the root task owns.
            unsafe {
                sys::signal(ntfn.cptr());
                sys::wait(ntfn.cptr());
            }
        }
        report(op, "raw", n, ticks() - t0);
        // SAFETY: as above.
        let t = unsafe { selkie_bench_c_signal_wait(ntfn.cptr(), n) };
        report(op, "c", n, t);
    }

    // ---- untyped retype, reusing the memory each time (an endpoint from 4 KiB) ----
    {
        let op = "retype";
        let mut ut = res.untyped.alloc::<U12>()?;
        let mut slots = res.slots.alloc::<U1>()?;
        let cspace = &res.cspace;
        let t0 = ticks();
        for _ in 0..n {
            ut.with_closed(cspace, &mut slots, |mem, slots| {
                let (slot, _) = slots.alloc::<U1>();
                let ep: Cap<Endpoint, _> = mem.retype(slot)?;
                Ok::<u64, BenchError>(ep.cptr())
            })?;
        }
        report(op, "typed", n, ticks() - t0);
        let ut = res.untyped.alloc::<U12>()?;
        let slot = res.slots.alloc::<U1>()?;
        let (ut, slot) = (ut.cptr(), slot.start());
        let ty = sys::ObjectType::Endpoint.word();
        let t0 = ticks();
        for _ in 0..n {
            // SAFETY: retypes an endpoint from an untyped the root task owns into its own empty slot, then
            // deletes it, which leaves the untyped without children (the next retype reuses the memory).
            raw(op, unsafe {
                sys::untyped_retype(ut, ty, 0, root, 0, 0, slot, 1).and_then(|()| sys::cnode_delete(root, slot, DEPTH))
            })?;
        }
        report(op, "raw", n, ticks() - t0);
        let ut = res.untyped.alloc::<U12>()?;
        let slot = res.slots.alloc::<U1>()?;
        let mut err = 0;
        // SAFETY: as above, in C.
        let t = unsafe { selkie_bench_c_retype_delete(ut.cptr(), ty, 0, root, slot.start(), n, &mut err) };
        check(op, "c", err)?;
        report(op, "c", n, t);
    }

    // ---- CNode copy + delete of an endpoint capability ----
    {
        let op = "copy_delete";
        let ep = endpoint(&mut res)?;
        let cspace = &res.cspace;
        let mut slot = res.slots.alloc::<U1>()?;
        let t0 = ticks();
        for _ in 0..n {
            let copy: Cap<Endpoint> = ep.copy(cspace, slot)?;
            slot = copy.delete(cspace)?;
        }
        report(op, "typed", n, ticks() - t0);
        let dest = res.slots.alloc::<U1>()?.start();
        let t0 = ticks();
        for _ in 0..n {
            // SAFETY: copies a capability the root task owns into its own empty slot, then deletes the copy.
            raw(op, unsafe {
                sys::cnode_copy(root, dest, DEPTH, root, ep.cptr(), DEPTH, sys::CapRights::ALL)
                    .and_then(|()| sys::cnode_delete(root, dest, DEPTH))
            })?;
        }
        report(op, "raw", n, ticks() - t0);
        let dest = res.slots.alloc::<U1>()?.start();
        let mut err = 0;
        // SAFETY: as above, in C.
        let t = unsafe { selkie_bench_c_copy_delete(root, ep.cptr(), dest, n, &mut err) };
        check(op, "c", err)?;
        report(op, "c", n, t);
    }

    // ---- frame map + unmap: one 4 KiB page in the root task's own address space, its page table present ----
    {
        let op = "map_unmap";
        let frame = |res: &mut Resources| -> Result<selkie::Region<U1, selkie::Unmapped, Exclusive, ReadWrite, Page4K>, BenchError> {
            Ok(Region::new(res.untyped.alloc::<U12>()?, res.slots.alloc::<U1>()?)?)
        };
        let mut region = frame(&mut res)?;
        let vaddr = res.root_vspace.reserve(12, 1)?;
        let mut slots = res.slots.alloc::<U3>()?;
        let mut mem = Some(res.untyped.alloc::<U14>()?);
        // The first, untimed mapping makes the page table if one is missing; the timed ones find it there and
        // get the memory and slots back unused.
        let mut t0 = 0;
        for round in 0..=n {
            if round == 1 {
                t0 = ticks();
            }
            let memory = match mem.take() {
                Some(m) => m,
                None => res.untyped.alloc::<U14>()?,
            };
            let (mapped, mut left) = res.root_vspace.map(region, vaddr, memory, slots)?;
            region = mapped.unmap(&mut res.root_vspace)?;
            mem = left.memory;
            slots = left.slots.alloc::<U3>()?;
        }
        report(op, "typed", n, ticks() - t0);
        let vspace = res.vspace.cptr();
        let raw_frame = frame(&mut res)?.first_cptr();
        let raw_vaddr = res.root_vspace.reserve(12, 1)?;
        let t0 = ticks();
        for _ in 0..n {
            // SAFETY: maps a frame nothing else uses at an address reserved for it, then unmaps it.
            raw(op, unsafe {
                sys::x86_page_map(raw_frame, vspace, raw_vaddr, sys::CapRights::ALL, 0)
                    .and_then(|()| sys::x86_page_unmap(raw_frame))
            })?;
        }
        report(op, "raw", n, ticks() - t0);
        let c_frame = frame(&mut res)?.first_cptr();
        let c_vaddr = res.root_vspace.reserve(12, 1)?;
        let mut err = 0;
        // SAFETY: as above, in C.
        let t = unsafe { selkie_bench_c_map_unmap(c_frame, vspace, c_vaddr, n, &mut err) };
        check(op, "c", err)?;
        report(op, "c", n, t);
    }

    // ---- shared-memory queue: push (signalling the consumer: the queue was empty) + pop ----
    {
        let op = "queue";
        let region = page(&mut res)?;
        let wake = notification(&mut res)?;
        let (mut tx, mut rx) =
            selkie::queue::<u64, U64, _, _, _>(region, wake, &res.cspace, res.slots.alloc()?).map_err(|r| r.error)?;
        let t0 = ticks();
        for i in 0..n {
            tx.push(i);
            if rx.pop() != i {
                return check(op, "typed", -1);
            }
        }
        report(op, "typed", n, ticks() - t0);
        let region = page(&mut res)?;
        let wake = notification(&mut res)?;
        let base = region.vaddr() as *mut u8;
        let bytes = cross_queue::QueueMemory::<u64, U64>::BYTES;
        // SAFETY: the page is mapped read-write for the root task and holds nothing else; one end of each kind.
        let ends = unsafe {
            (
                cross_queue::Producer::<u64, U64>::from_raw_parts(base, bytes),
                cross_queue::Consumer::<u64, U64>::from_raw_parts(base, bytes),
            )
        };
        let (Ok(mut p), Ok(mut c)) = ends else {
            return check(op, "raw", -2);
        };
        let t0 = ticks();
        for i in 0..n {
            if p.push(i).is_err() {
                return check(op, "raw", -1);
            }
            fence(Ordering::SeqCst);
            if p.len() == 1 {
                // SAFETY: signals a notification the root task owns.
                unsafe { sys::signal(wake.cptr()) };
            }
            if c.pop() != Some(i) {
                return check(op, "raw", -1);
            }
        }
        report(op, "raw", n, ticks() - t0);
        let mut err = 0;
        // SAFETY: the C ring is its own static memory; it signals the notification given.
        let t = unsafe { selkie_bench_c_queue(wake.cptr(), n, &mut err) };
        check(op, "c", err)?;
        report(op, "c", n, t);
    }
    selkie::println!("selkie-bench-done");
    Ok(())
}
