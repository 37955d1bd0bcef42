//! Host checks of the compiled bindings: every syscall number, invocation label, object type and size, error
//! code, initial cap, capability tag, the message-info encoding and the bootinfo and IPC buffer layouts of this
//! crate (as compiled, for the configuration its build script used) are compared with what gcc computes from
//! the kernel build's generated headers and libsel4's headers for the same configuration.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::mem::offset_of;

use selkie_sys::*;
use selkie_sys_gen::cprobe::CProbe;

/// Runs `program_body` (after `prelude`) as C built against the kernel build's and libsel4's headers for the
/// configuration this crate was built for; returns the `P(key, value)` lines it printed.
fn c_values(program_body: &str, prelude: &str) -> BTreeMap<String, i64> {
    let (src, cfg) = selkie_kernel::build_script_inputs().expect("kernel source");
    let built = selkie_kernel::build_kernel(&selkie_kernel::workspace_target_dir(), &src, &cfg).expect("kernel build");
    let arch = cfg.arch();
    let probe = CProbe {
        scratch_dir: &selkie_kernel::workspace_target_dir().join("selkie-sys-abi-check"),
        kernel_root: &src.root,
        build_dir: &built.build_dir,
        arch: arch.arch(),
        sel4_arch: arch.sel4_arch(),
        plat: arch.plat(),
        autoconf_h: &cfg.autoconf_h(),
        kernel_pp: true,
        prelude,
        cross: None,
    };
    probe.run(program_body).unwrap_or_else(|e| panic!("{e}"))
}

struct Check {
    c: String,
    rust: BTreeMap<String, i64>,
}

impl Check {
    fn add(&mut self, key: &str, c_expr: &str, rust: i64) {
        let _ = writeln!(self.c, "    P(\"{key}\", {c_expr});");
        self.rust.insert(key.to_string(), rust);
    }
}

const MSGINFO_SAMPLES: [(u64, u64, u64, u64); 4] = [(1, 0, 1, 6), (9, 0, 2, 3), (0xfffff, 7, 3, 0x7f), (47, 0, 0, 2)];

#[test]
fn compiled_bindings_match_the_kernel_headers() {
    let mut k = Check {
        c: String::new(),
        rust: BTreeMap::new(),
    };
    for s in Syscall::ALL {
        k.add(
            &format!("sys.{}", s.name()),
            &format!("Sys{}", s.name()),
            *s as isize as i64,
        );
    }
    for l in InvocationLabel::ALL.iter().skip(1) {
        k.add(&format!("label.{}", l.name()), l.name(), *l as u64 as i64);
    }
    k.add(
        "label.nArchInvocationLabels",
        "nArchInvocationLabels",
        InvocationLabel::ALL.len() as i64,
    );
    k.add(
        "label.nInvocationLabels",
        "nInvocationLabels",
        N_INVOCATION_LABELS as i64,
    );
    k.add(
        "label.nSeL4ArchInvocationLabels",
        "nSeL4ArchInvocationLabels",
        N_SEL4_ARCH_INVOCATION_LABELS as i64,
    );
    for o in ObjectType::ALL {
        k.add(&format!("obj.{}", o.c_name()), o.c_name(), o.word() as i64);
    }
    k.add("obj.count", "seL4_ObjectTypeCount", ObjectType::ALL.len() as i64);
    for (name, v) in [
        ("seL4_TCBBits", TCB_BITS),
        ("seL4_EndpointBits", ENDPOINT_BITS),
        ("seL4_NotificationBits", NOTIFICATION_BITS),
        ("seL4_SlotBits", SLOT_BITS),
        ("seL4_PageBits", PAGE_BITS),
        ("seL4_LargePageBits", LARGE_PAGE_BITS),
        ("seL4_HugePageBits", HUGE_PAGE_BITS),
        ("seL4_PageTableBits", PAGE_TABLE_BITS),
        ("seL4_PageDirBits", PAGE_DIR_BITS),
        ("seL4_PDPTBits", PDPT_BITS),
        ("seL4_PML4Bits", PML4_BITS),
        ("seL4_ASIDPoolBits", ASID_POOL_BITS),
        ("seL4_MinUntypedBits", MIN_UNTYPED_BITS),
        ("seL4_MaxUntypedBits", MAX_UNTYPED_BITS),
    ] {
        k.add(&format!("size.{name}"), name, v as i64);
    }
    for e in Error::ALL {
        k.add(
            &format!("err.{}", e.name()),
            &format!("seL4_{}", e.name()),
            *e as u64 as i64,
        );
    }
    k.add("err.num", "seL4_NumErrors", NUM_ERRORS as i64);
    for (c, v) in [
        ("seL4_CapNull", CAP_NULL),
        ("seL4_CapInitThreadTCB", CAP_INIT_THREAD_TCB),
        ("seL4_CapInitThreadCNode", CAP_INIT_THREAD_CNODE),
        ("seL4_CapInitThreadVSpace", CAP_INIT_THREAD_VSPACE),
        ("seL4_CapIRQControl", CAP_IRQ_CONTROL),
        ("seL4_CapASIDControl", CAP_ASID_CONTROL),
        ("seL4_CapInitThreadASIDPool", CAP_INIT_THREAD_ASID_POOL),
        ("seL4_CapIOPort", CAP_IO_PORT),
        ("seL4_CapIOSpace", CAP_IO_SPACE),
        ("seL4_CapBootInfoFrame", CAP_BOOT_INFO_FRAME),
        ("seL4_CapInitThreadIPCBuffer", CAP_INIT_THREAD_IPC_BUFFER),
        ("seL4_CapDomain", CAP_DOMAIN),
    ] {
        k.add(&format!("cap.{c}"), c, v as i64);
    }
    k.add("cap.num", "seL4_NumInitialCaps", NUM_INITIAL_CAPS as i64);
    for (c, v) in [
        ("null_cap", cap_tag::NULL),
        ("untyped_cap", cap_tag::UNTYPED),
        ("endpoint_cap", cap_tag::ENDPOINT),
        ("notification_cap", cap_tag::NOTIFICATION),
        ("reply_cap", cap_tag::REPLY),
        ("cnode_cap", cap_tag::CNODE),
        ("thread_cap", cap_tag::THREAD),
        ("irq_control_cap", cap_tag::IRQ_CONTROL),
        ("irq_handler_cap", cap_tag::IRQ_HANDLER),
        ("zombie_cap", cap_tag::ZOMBIE),
        ("domain_cap", cap_tag::DOMAIN),
        ("frame_cap", cap_tag::FRAME),
        ("page_table_cap", cap_tag::PAGE_TABLE),
        ("page_directory_cap", cap_tag::PAGE_DIRECTORY),
        ("pdpt_cap", cap_tag::PDPT),
        ("pml4_cap", cap_tag::PML4),
        ("asid_control_cap", cap_tag::ASID_CONTROL),
        ("asid_pool_cap", cap_tag::ASID_POOL),
        ("io_port_cap", cap_tag::IO_PORT),
    ] {
        k.add(&format!("tag.{c}"), &format!("cap_{c}"), v as i64);
    }
    for (i, (l, c, x, n)) in MSGINFO_SAMPLES.iter().enumerate() {
        let mi = MessageInfo::new(*l, *c, *x, *n);
        assert_eq!(
            (mi.label(), mi.caps_unwrapped(), mi.extra_caps(), mi.length()),
            (*l, *c, *x, *n)
        );
        k.add(
            &format!("mi.{i}"),
            &format!("seL4_MessageInfo_new({l}ull, {c}ull, {x}ull, {n}ull).words[0]"),
            mi.into_word() as i64,
        );
    }
    // Bootinfo and IPC buffer layouts.
    let bi: [(&str, usize); 16] = [
        ("extraLen", offset_of!(BootInfo, extra_len)),
        ("nodeID", offset_of!(BootInfo, node_id)),
        ("numNodes", offset_of!(BootInfo, num_nodes)),
        ("numIOPTLevels", offset_of!(BootInfo, num_iopt_levels)),
        ("ipcBuffer", offset_of!(BootInfo, ipc_buffer)),
        ("empty", offset_of!(BootInfo, empty)),
        ("sharedFrames", offset_of!(BootInfo, shared_frames)),
        ("userImageFrames", offset_of!(BootInfo, user_image_frames)),
        ("userImagePaging", offset_of!(BootInfo, user_image_paging)),
        ("ioSpaceCaps", offset_of!(BootInfo, io_space_caps)),
        ("extraBIPages", offset_of!(BootInfo, extra_bi_pages)),
        (
            "initThreadCNodeSizeBits",
            offset_of!(BootInfo, init_thread_cnode_size_bits),
        ),
        ("initThreadDomain", offset_of!(BootInfo, init_thread_domain)),
        ("archInfo", offset_of!(BootInfo, arch_info)),
        ("untyped", offset_of!(BootInfo, untyped)),
        ("untypedList", offset_of!(BootInfo, untyped_list)),
    ];
    for (f, off) in bi {
        k.add(&format!("bi.{f}"), &format!("offsetof(seL4_BootInfo, {f})"), off as i64);
    }
    k.add(
        "bi.size",
        "sizeof(seL4_BootInfo)",
        std::mem::size_of::<BootInfo>() as i64,
    );
    k.add(
        "bi.untyped_count",
        "sizeof(((seL4_BootInfo *)0)->untypedList) / sizeof(seL4_UntypedDesc)",
        config::MAX_NUM_BOOTINFO_UNTYPED_CAPS as i64,
    );
    for (f, off) in [
        ("paddr", offset_of!(UntypedDesc, paddr)),
        ("sizeBits", offset_of!(UntypedDesc, size_bits)),
        ("isDevice", offset_of!(UntypedDesc, is_device)),
    ] {
        k.add(
            &format!("ut.{f}"),
            &format!("offsetof(seL4_UntypedDesc, {f})"),
            off as i64,
        );
    }
    k.add(
        "ut.size",
        "sizeof(seL4_UntypedDesc)",
        std::mem::size_of::<UntypedDesc>() as i64,
    );
    for (f, off) in [
        ("tag", offset_of!(IpcBuffer, tag)),
        ("msg", offset_of!(IpcBuffer, msg)),
        ("userData", offset_of!(IpcBuffer, user_data)),
        ("caps_or_badges", offset_of!(IpcBuffer, caps_or_badges)),
        ("receiveCNode", offset_of!(IpcBuffer, receive_cnode)),
        ("receiveIndex", offset_of!(IpcBuffer, receive_index)),
        ("receiveDepth", offset_of!(IpcBuffer, receive_depth)),
    ] {
        k.add(
            &format!("ipc.{f}"),
            &format!("offsetof(seL4_IPCBuffer, {f})"),
            off as i64,
        );
    }
    k.add(
        "ipc.size",
        "sizeof(seL4_IPCBuffer)",
        std::mem::size_of::<IpcBuffer>() as i64,
    );
    k.add("ipc.msg_len", "seL4_MsgMaxLength", MSG_MAX_LENGTH as i64);
    k.add("ipc.extra_caps", "seL4_MsgMaxExtraCaps", MSG_MAX_EXTRA_CAPS as i64);

    let c = c_values(&k.c, "");
    let mut diffs = Vec::new();
    for (key, v) in &k.rust {
        if c.get(key) != Some(v) {
            diffs.push(format!("{key}: C {:?}, selkie-sys {v}", c.get(key)));
        }
    }
    assert!(
        diffs.is_empty(),
        "selkie-sys and the C headers disagree:\n{}",
        diffs.join("\n")
    );
    assert!(k.rust.len() > 120, "only {} values compared", k.rust.len());
}

/// Whether the crate was built for the default kernel configuration (no `SELKIE_CONFIG`).
fn is_default_config() -> bool {
    KERNEL_CONFIG_TOML[..] == *selkie_kernel::KernelConfig::default().to_toml().as_bytes()
}

#[test]
fn probe_facts() {
    // The numbers the kernel probe used (KERNEL.md), for the default configuration.
    if !is_default_config() {
        eprintln!("skipped: the crate was built for a non-default kernel configuration");
        return;
    }
    assert_eq!(InvocationLabel::UntypedRetype as u64, 1);
    assert_eq!(InvocationLabel::TCBWriteRegisters as u64, 3);
    assert_eq!(InvocationLabel::TCBSetSpace as u64, 9);
    assert_eq!(InvocationLabel::TCBSuspend as u64, 10);
    assert_eq!(InvocationLabel::X86PageMap as u64, 37);
    assert_eq!(InvocationLabel::X86IOPortOut8 as u64, 47);
    assert_eq!(MessageInfo::new(1, 0, 1, 6).into_word(), 0x1086);
    assert_eq!(Syscall::DebugCapIdentify.word(), (-11i64) as u64);
    assert_eq!(ObjectType::X86PageDirectory.word(), 10);
    assert_eq!(ObjectType::Tcb.size_bits(), Some(11));
    assert_eq!(ObjectType::CapTable.size_bits(), None);
    assert_eq!(ObjectType::X86LargePage.size_bits(), Some(21));
    // Every object type maps to the size constant that was compared with C above.
    for o in ObjectType::ALL {
        let expect = match o {
            ObjectType::Untyped | ObjectType::CapTable => None,
            ObjectType::Tcb => Some(TCB_BITS),
            ObjectType::Endpoint => Some(ENDPOINT_BITS),
            ObjectType::Notification => Some(NOTIFICATION_BITS),
            ObjectType::X86Pdpt => Some(PDPT_BITS),
            ObjectType::X64Pml4 => Some(PML4_BITS),
            ObjectType::X86_4K => Some(PAGE_BITS),
            ObjectType::X86LargePage => Some(LARGE_PAGE_BITS),
            ObjectType::X86PageTable => Some(PAGE_TABLE_BITS),
            ObjectType::X86PageDirectory => Some(PAGE_DIR_BITS),
            #[allow(unreachable_patterns)]
            _ => o.size_bits(),
        };
        assert_eq!(o.size_bits(), expect, "{o:?}");
    }
    assert_eq!(std::mem::size_of::<BootInfo>(), 2173);
    assert_eq!(std::mem::size_of::<UserContext>(), 19 * 8);
}

#[test]
fn small_types() {
    let r = CapRights::new(true, false, true);
    assert!(r.grant() && !r.read() && r.write());
    assert_eq!(CapRights::ALL.into_word(), 0b111);
    assert_eq!(Error::from_word(0), None);
    assert_eq!(Error::from_word(10), Some(Error::NotEnoughMemory));
    assert_eq!(Error::from_word(11), None);
    assert_eq!(Error::InvalidArgument.name(), "InvalidArgument");
    assert_eq!(Error::from_reply_label(3), Error::IllegalOperation);
    let mi = MessageInfo::from_word(MessageInfo::new(0x1_2345, 5, 2, 99).into_word());
    assert_eq!(
        (mi.label(), mi.caps_unwrapped(), mi.extra_caps(), mi.length()),
        (0x1_2345 & 0xfffff, 5, 2, 99)
    );
    if is_default_config() {
        assert_eq!(config::ROOT_CNODE_SIZE_BITS, 12);
        assert_eq!(config::MAX_NUM_BOOTINFO_UNTYPED_CAPS, 167);
        assert_eq![(config::HUGE_PAGE, config::DEBUG_BUILD), (false, true)];
    }
}

#[test]
fn embedded_kernel_config_is_the_build_config() {
    let (_, cfg) = selkie_kernel::build_script_inputs().unwrap();
    assert_eq!(std::str::from_utf8(&KERNEL_CONFIG_TOML).unwrap(), cfg.to_toml());
    // And the section is really in this (host) binary.
    let exe = std::env::current_exe().unwrap();
    let bytes = std::fs::read(&exe).unwrap();
    assert!(bytes.windows(b".selkie.kconfig".len()).any(|w| w == b".selkie.kconfig"));
}
