//! The runtime's hand-over from the kernel: the bootinfo pointer, the initial capabilities, and the IPC buffer
//! the kernel set up for the root task.
#![no_std]
#![no_main]

use selkie_sys as sys;

selkie::test_main!();

fn bootinfo() -> &'static sys::BootInfo {
    // SAFETY: in a root task the runtime stores the kernel's bootinfo pointer before any test runs; the kernel
    // maps the frame read-only for the task's whole life.
    unsafe { &*selkie::rt::bootinfo_ptr() }
}

#[selkie::test]
fn the_kernel_hands_over_untyped_memory_and_free_slots() -> Result<(), &'static str> {
    let bi = bootinfo();
    let (ut, empty) = (bi.untyped, bi.empty);
    if ut.end <= ut.start {
        return Err("no untyped capabilities");
    }
    if empty.end <= empty.start {
        return Err("no free slots");
    }
    if empty.end != 1 << sys::config::ROOT_CNODE_SIZE_BITS {
        return Err("the free slot range does not end at the root CNode's size");
    }
    if u64::from(bi.init_thread_cnode_size_bits) != sys::config::ROOT_CNODE_SIZE_BITS as u64 {
        return Err("bootinfo's CNode size differs from the configuration the bindings were generated for");
    }
    Ok(())
}

/// The object type of the root task's VSpace: the top-level paging structure of the architecture.
#[cfg(target_arch = "x86_64")]
const VSPACE_TAG: sys::Word = sys::cap_tag::PML4;
/// The object type of a 4 KiB frame (x86_64 has one frame type for every size).
#[cfg(target_arch = "x86_64")]
const PAGE_TAG: sys::Word = sys::cap_tag::FRAME;
/// The object type of the root task's VSpace: the top-level paging structure of the architecture.
#[cfg(target_arch = "arm")]
const VSPACE_TAG: sys::Word = sys::cap_tag::PAGE_DIRECTORY;
/// The object type of a 4 KiB frame (ARM's small frame; its larger frames are another type).
#[cfg(target_arch = "arm")]
const PAGE_TAG: sys::Word = sys::cap_tag::SMALL_FRAME;

#[selkie::test]
fn initial_capabilities_have_the_kernel_object_types() -> Result<(), (sys::Word, sys::Word)> {
    for (slot, tag) in [
        (sys::CAP_NULL, sys::cap_tag::NULL),
        (sys::CAP_INIT_THREAD_TCB, sys::cap_tag::THREAD),
        (sys::CAP_INIT_THREAD_CNODE, sys::cap_tag::CNODE),
        (sys::CAP_INIT_THREAD_VSPACE, VSPACE_TAG),
        (sys::CAP_IRQ_CONTROL, sys::cap_tag::IRQ_CONTROL),
        (sys::CAP_INIT_THREAD_ASID_POOL, sys::cap_tag::ASID_POOL),
        (sys::CAP_BOOT_INFO_FRAME, PAGE_TAG),
        (sys::CAP_INIT_THREAD_IPC_BUFFER, PAGE_TAG),
    ] {
        // SAFETY: a debug query of a capability slot; no memory effects.
        let got = unsafe { sys::debug_cap_identify(slot) };
        if got != tag {
            return Err((slot, got));
        }
    }
    Ok(())
}

#[selkie::test]
fn the_ipc_buffer_is_reached_through_gs() -> Result<(), &'static str> {
    let bi = bootinfo();
    let buf = bi.ipc_buffer;
    // SAFETY: the kernel maps the root task's IPC buffer at `bi.ipc_buffer` and points GS base at it; writing
    // the user-data word through one path and reading it through the other touches only that buffer.
    unsafe {
        sys::set_user_data(0x5e1c1e);
        if core::ptr::read_volatile(core::ptr::addr_of!((*buf).user_data)) != 0x5e1c1e {
            return Err("a word written through GS is not in the bootinfo's IPC buffer");
        }
        core::ptr::write_volatile(core::ptr::addr_of_mut!((*buf).user_data), 7);
        if sys::get_user_data() != 7 {
            return Err("a word written to the bootinfo's IPC buffer is not read back through GS");
        }
    }
    Ok(())
}
