/*
 * The benchmark's C variant: each operation written with libsel4's own inline stubs, as a C program would,
 * timed with the same rdtsc loop as the Rust variants (see src/lib.rs). Every function runs `n` iterations and
 * returns the ticks they took; a kernel error stops the loop and is reported through `*err`.
 */
#include <sel4/sel4.h>

typedef unsigned long long u64;

static inline u64 ticks(void)
{
    unsigned int lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((u64)hi << 32) | lo;
}

u64 selkie_bench_c_signal_wait(seL4_CPtr ntfn, u64 n)
{
    u64 t0 = ticks();
    for (u64 i = 0; i < n; i++) {
        seL4_Signal(ntfn);
        seL4_Wait(ntfn, (void *)0);
    }
    return ticks() - t0;
}

u64 selkie_bench_c_copy_delete(seL4_CPtr root, seL4_Word src, seL4_Word dest, u64 n, long *err)
{
    u64 t0 = ticks();
    for (u64 i = 0; i < n; i++) {
        long e = seL4_CNode_Copy(root, dest, 64, root, src, 64, seL4_AllRights);
        if (e == 0) {
            e = seL4_CNode_Delete(root, dest, 64);
        }
        if (e != 0) {
            *err = e;
            break;
        }
    }
    return ticks() - t0;
}

u64 selkie_bench_c_retype_delete(seL4_CPtr untyped, seL4_Word type, seL4_Word size_bits, seL4_CPtr root,
                                 seL4_Word slot, u64 n, long *err)
{
    u64 t0 = ticks();
    for (u64 i = 0; i < n; i++) {
        long e = seL4_Untyped_Retype(untyped, type, size_bits, root, 0, 0, slot, 1);
        if (e == 0) {
            e = seL4_CNode_Delete(root, slot, 64);
        }
        if (e != 0) {
            *err = e;
            break;
        }
    }
    return ticks() - t0;
}

u64 selkie_bench_c_map_unmap(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, u64 n, long *err)
{
    u64 t0 = ticks();
    for (u64 i = 0; i < n; i++) {
        long e = seL4_X86_Page_Map(frame, vspace, vaddr, seL4_AllRights, seL4_X86_Default_VMAttributes);
        if (e == 0) {
            e = seL4_X86_Page_Unmap(frame);
        }
        if (e != 0) {
            *err = e;
            break;
        }
    }
    return ticks() - t0;
}

/* One-word call over the register fast path; the server (another process) answers with the word plus one. */
u64 selkie_bench_c_call(seL4_CPtr ep, u64 n, long *err)
{
    u64 t0 = ticks();
    for (u64 i = 0; i < n; i++) {
        seL4_Word mr0 = i, mr1 = 0, mr2 = 0, mr3 = 0;
        seL4_MessageInfo_t info = seL4_CallWithMRs(ep, seL4_MessageInfo_new(1, 0, 0, 1), &mr0, &mr1, &mr2, &mr3);
        if (seL4_MessageInfo_get_label(info) != 1 || mr0 != i + 1) {
            *err = -1;
            break;
        }
    }
    return ticks() - t0;
}

/* Serves until the stop request (the word STOP), which it answers with the same word. */
#define STOP (~0ULL)

void selkie_bench_c_serve(seL4_CPtr ep)
{
    seL4_Word mr0 = 0, mr1 = 0, mr2 = 0, mr3 = 0;
    seL4_MessageInfo_t info = seL4_RecvWithMRs(ep, (void *)0, &mr0, &mr1, &mr2, &mr3);
    for (;;) {
        (void)info;
        if (mr0 == STOP) {
            seL4_SetMR(0, STOP);
            seL4_Reply(seL4_MessageInfo_new(1, 0, 0, 1));
            return;
        }
        mr0 += 1;
        info = seL4_ReplyRecvWithMRs(ep, seL4_MessageInfo_new(1, 0, 0, 1), (void *)0, &mr0, &mr1, &mr2, &mr3);
    }
}

/* The long message: LONG_WORDS words through the IPC buffer; the server answers each word plus one. */
#define LONG_WORDS 16

u64 selkie_bench_c_call_long(seL4_CPtr ep, u64 n, long *err)
{
    u64 t0 = ticks();
    for (u64 i = 0; i < n; i++) {
        for (int w = 0; w < LONG_WORDS; w++) {
            seL4_SetMR(w, i + w);
        }
        seL4_MessageInfo_t info = seL4_Call(ep, seL4_MessageInfo_new(2, 0, 0, LONG_WORDS));
        if (seL4_MessageInfo_get_length(info) != LONG_WORDS || seL4_GetMR(LONG_WORDS - 1) != i + LONG_WORDS) {
            *err = -1;
            break;
        }
    }
    return ticks() - t0;
}

void selkie_bench_c_serve_long(seL4_CPtr ep)
{
    seL4_MessageInfo_t info = seL4_Recv(ep, (void *)0);
    for (;;) {
        (void)info;
        for (int w = 0; w < LONG_WORDS; w++) {
            seL4_SetMR(w, seL4_GetMR(w) + 1);
        }
        info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(2, 0, 0, LONG_WORDS), (void *)0);
    }
}

/* A single-producer single-consumer ring of words with a notification to wake the consumer, as a C program
 * would write one: the producer signals when the ring was empty, after a full fence. */
#define RING 64
static volatile u64 ring[RING];
static volatile u64 head, tail;

u64 selkie_bench_c_queue(seL4_CPtr ntfn, u64 n, long *err)
{
    u64 t0 = ticks();
    for (u64 i = 0; i < n; i++) {
        u64 t = __atomic_load_n(&tail, __ATOMIC_RELAXED);
        if (t - __atomic_load_n(&head, __ATOMIC_ACQUIRE) == RING) {
            *err = -1;
            break;
        }
        ring[t % RING] = i;
        __atomic_store_n(&tail, t + 1, __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (t + 1 - __atomic_load_n(&head, __ATOMIC_ACQUIRE) == 1) {
            seL4_Signal(ntfn);
        }
        u64 h = __atomic_load_n(&head, __ATOMIC_RELAXED);
        if (__atomic_load_n(&tail, __ATOMIC_ACQUIRE) == h) {
            *err = -2;
            break;
        }
        u64 v = ring[h % RING];
        __atomic_store_n(&head, h + 1, __ATOMIC_RELEASE);
        if (v != i) {
            *err = -3;
            break;
        }
    }
    return ticks() - t0;
}
