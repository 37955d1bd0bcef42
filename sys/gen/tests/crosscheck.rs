//! Cross-check against C: every syscall number, invocation label, object type, object size, error code,
//! initial cap slot, bootinfo field offset, capability tag and the message-info encoding the generator
//! computed is compared with what the host gcc computes from the headers the kernel build generates
//! (`api/invocation.h`, `arch/api/*.h`, and the kernel's preprocessed `kernel_all.c_pp` for the bitfield code)
//! plus libsel4's own headers, under the same `autoconf.h`.
//!
//! The invocation and syscall headers carry the configuration conditions as `#if`s, so one kernel build serves
//! every configuration: each configuration below gets its own `autoconf.h` and C program.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use selkie_kernel::config::{Arch, KernelConfig};
use selkie_sys_gen::cprobe::CProbe;
use selkie_sys_gen::{collect, Bindings, Target};

/// The kernel build (source root, build dir) the pipeline produces for the default configuration of `arch`.
fn built_kernel(arch: Arch) -> (PathBuf, PathBuf) {
    let (src, cfg) = selkie_kernel::build_script_inputs().expect("kernel source");
    let cfg = match arch {
        Arch::X86_64 => cfg,
        Arch::Aarch32 => KernelConfig::debug_imx6(),
    };
    let built = selkie_kernel::build_kernel(&selkie_kernel::workspace_target_dir(), &src, &cfg).expect("kernel build");
    (src.root, built.build_dir)
}

fn autoconf(config: &BTreeMap<String, String>) -> String {
    let mut s = String::from("#ifndef AUTOCONF_INCLUDED\n#define AUTOCONF_INCLUDED\n");
    for (k, v) in config {
        let _ = writeln!(s, "#define {k} {v}");
    }
    s.push_str("#endif\n");
    s
}

const MSGINFO_SAMPLES: [(u64, u64, u64, u64); 5] = [
    (0, 0, 0, 0),
    (1, 0, 1, 6),
    (9, 0, 2, 3),
    (0xfffff, 7, 3, 0x7f),
    (47, 0, 0, 2),
];

/// The values the generator produced, keyed like the C program's output. `with_msginfo`: include the
/// message-info samples (computed by C only when the probe runs on the host).
fn expected(b: &Bindings, with_kernel_pp: bool, with_msginfo: bool) -> BTreeMap<String, i64> {
    let k = &b.kernel;
    let mut e = BTreeMap::new();
    for s in b.syscalls.iter().filter(|s| s.enabled) {
        e.insert(format!("sys.{}", s.name), s.number);
    }
    for m in &b.api.methods {
        e.insert(format!("label.{}", m.method.id), m.label as i64);
    }
    e.insert("label.nInvocationLabels".into(), b.api.n_generic_labels as i64);
    e.insert(
        "label.nSeL4ArchInvocationLabels".into(),
        b.api.n_sel4_arch_labels as i64,
    );
    e.insert("label.nArchInvocationLabels".into(), b.api.methods.len() as i64 + 1);
    for (n, v) in &k.object_types {
        e.insert(format!("obj.{n}"), *v);
    }
    e.insert("obj.seL4_ObjectTypeCount".into(), k.object_types.len() as i64);
    for (n, v) in &k.size_bits {
        e.insert(format!("size.{n}"), *v);
    }
    for (n, v) in &k.errors {
        e.insert(format!("err.{n}"), *v);
    }
    e.insert("err.seL4_NumErrors".into(), k.num_errors);
    for (n, v) in &k.initial_caps {
        e.insert(format!("cap.{n}"), *v);
    }
    for (prefix, fields) in [("bi", &k.bootinfo), ("ut", &k.untyped_desc), ("sr", &k.slot_region)] {
        for f in fields {
            e.insert(format!("{prefix}.{}", f.field.name), f.offset as i64);
        }
    }
    e.insert("bi.sizeof".into(), k.bootinfo_size as i64);
    e.insert(
        "ut.sizeof".into(),
        k.untyped_desc.iter().map(|f| f.size).sum::<usize>() as i64,
    );
    e.insert(
        "sr.sizeof".into(),
        k.slot_region.iter().map(|f| f.size).sum::<usize>() as i64,
    );
    e.insert("msg.seL4_MsgMaxLength".into(), k.msg_max_length);
    e.insert("msg.seL4_MsgMaxExtraCaps".into(), k.msg_max_extra_caps);
    if with_kernel_pp {
        for (n, v) in &k.cap_tags {
            e.insert(format!("tag.{n}"), *v);
        }
        let field = |name: &str| {
            k.msg_info
                .iter()
                .find(|f| f.name.as_deref() == Some(name))
                .unwrap()
                .clone()
        };
        let fields = [
            field("label"),
            field("capsUnwrapped"),
            field("extraCaps"),
            field("length"),
        ];
        for (i, (l, c, x, n)) in MSGINFO_SAMPLES.iter().enumerate().filter(|_| with_msginfo) {
            let mut w = 0u64;
            for (f, v) in fields.iter().zip([l, c, x, n]) {
                w |= (v & ((1u64 << f.bits) - 1)) << f.shift;
            }
            e.insert(format!("mi.{i}"), w as i64);
        }
    }
    e
}

/// Builds and runs the C program printing the same keys from the C headers (with the kernel's preprocessed
/// source for the message-info code and cap tags when `with_kernel_pp`); returns its values.
fn c_values(b: &Bindings, root: &Path, build_dir: &Path, with_kernel_pp: bool, dir: &Path) -> BTreeMap<String, i64> {
    let k = &b.kernel;
    // aarch32's headers are compiled by the ARM cross compiler, whose program cannot run here (see `CProbe`).
    let (plat, cross) = match b.target.sel4_arch.as_str() {
        "aarch32" => ("imx6", Some("arm-linux-gnueabihf-")),
        _ => ("pc99", None),
    };
    let mut c = String::new();
    for s in b.syscalls.iter().filter(|s| s.enabled) {
        let _ = writeln!(c, "    P(\"sys.{0}\", Sys{0});", s.name);
    }
    for m in &b.api.methods {
        let _ = writeln!(c, "    P(\"label.{0}\", {0});", m.method.id);
    }
    for n in [
        "nInvocationLabels",
        "nSeL4ArchInvocationLabels",
        "nArchInvocationLabels",
    ] {
        let _ = writeln!(c, "    P(\"label.{n}\", {n});");
    }
    for (n, _) in &k.object_types {
        let _ = writeln!(c, "    P(\"obj.{n}\", {n});");
    }
    c.push_str("    P(\"obj.seL4_ObjectTypeCount\", seL4_ObjectTypeCount);\n");
    for (n, _) in &k.size_bits {
        let _ = writeln!(c, "    P(\"size.{n}\", {n});");
    }
    for (n, _) in &k.errors {
        let _ = writeln!(c, "    P(\"err.{n}\", {n});");
    }
    c.push_str("    P(\"err.seL4_NumErrors\", seL4_NumErrors);\n");
    for (n, _) in &k.initial_caps {
        let _ = writeln!(c, "    P(\"cap.{n}\", {n});");
    }
    for (prefix, ty, fields) in [
        ("bi", "seL4_BootInfo", &k.bootinfo),
        ("ut", "seL4_UntypedDesc", &k.untyped_desc),
        ("sr", "seL4_SlotRegion", &k.slot_region),
    ] {
        for f in fields {
            let _ = writeln!(c, "    P(\"{prefix}.{0}\", offsetof({ty}, {0}));", f.field.name);
        }
        let _ = writeln!(c, "    P(\"{prefix}.sizeof\", sizeof({ty}));");
    }
    c.push_str("    P(\"msg.seL4_MsgMaxLength\", seL4_MsgMaxLength);\n    P(\"msg.seL4_MsgMaxExtraCaps\", seL4_MsgMaxExtraCaps);\n");
    if with_kernel_pp {
        for (n, _) in &k.cap_tags {
            let _ = writeln!(c, "    P(\"tag.{n}\", cap_{n});");
        }
        for (i, (l, cu, x, n)) in MSGINFO_SAMPLES.iter().enumerate().filter(|_| cross.is_none()) {
            let _ = writeln!(
                c,
                "    P(\"mi.{i}\", seL4_MessageInfo_new({l}ull, {cu}ull, {x}ull, {n}ull).words[0]);"
            );
        }
    }
    let probe = CProbe {
        scratch_dir: dir,
        kernel_root: root,
        build_dir,
        arch: &b.target.arch,
        sel4_arch: &b.target.sel4_arch,
        plat,
        autoconf_h: &autoconf(&b.config),
        kernel_pp: with_kernel_pp,
        prelude: "",
        cross,
    };
    probe.run(&c).unwrap_or_else(|e| panic!("{e}"))
}

fn check(name: &str, config: BTreeMap<String, String>, with_kernel_pp: bool) -> Bindings {
    check_arch(Arch::X86_64, name, config, with_kernel_pp)
}

fn check_arch(arch: Arch, name: &str, config: BTreeMap<String, String>, with_kernel_pp: bool) -> Bindings {
    let (root, build_dir) = built_kernel(arch);
    let target = match arch {
        Arch::X86_64 => Target::x86_64(),
        Arch::Aarch32 => Target::aarch32(),
    };
    let b = collect(&root, &target, &config).unwrap_or_else(|e| panic!("{e}"));
    let dir = selkie_kernel::workspace_target_dir()
        .join("selkie-sys-gen-crosscheck")
        .join(name);
    let c = c_values(&b, &root, &build_dir, with_kernel_pp, &dir);
    let e = expected(&b, with_kernel_pp, arch == Arch::X86_64);
    let mut diffs = Vec::new();
    for key in c.keys().chain(e.keys()).collect::<std::collections::BTreeSet<_>>() {
        if c.get(key) != e.get(key) {
            diffs.push(format!("{key}: C {:?}, generator {:?}", c.get(key), e.get(key)));
        }
    }
    assert!(
        diffs.is_empty(),
        "[{name}] generator and C disagree:\n{}",
        diffs.join("\n")
    );
    assert!(e.len() > 100, "[{name}] only {} values compared", e.len());
    b
}

#[test]
fn default_config_matches_c() {
    let b = check("default", common::default_config(), true);
    // The facts the probe measured, as a sanity check of the comparison itself.
    assert_eq!(b.api.label("X86PageMap"), Some(37));
    assert_eq!(b.api.label("X86IOPortOut8"), Some(47));
    assert_eq!(b.kernel.bootinfo_size, 2173);
}

#[test]
fn hardware_debug_api_matches_c() {
    let mut cfg = common::default_config();
    cfg.insert("CONFIG_HARDWARE_DEBUG_API".into(), "1".into());
    let b = check("hardware-debug-api", cfg, false);
    assert_eq!(b.api.label("TCBSetBreakpoint"), Some(14));
    assert_eq!(b.api.label("X86IOPortOut8"), Some(51));
}

#[test]
fn multicore_matches_c() {
    let mut cfg = common::default_config();
    cfg.insert("CONFIG_MAX_NUM_NODES".into(), "2".into());
    let b = check("max-num-nodes-2", cfg, false);
    assert_eq!(b.api.label("TCBSetAffinity"), Some(14));
}

#[test]
fn huge_page_vtx_iommu_match_c() {
    let mut cfg = common::default_config();
    for k in ["CONFIG_HUGE_PAGE", "CONFIG_VTX", "CONFIG_IOMMU"] {
        cfg.insert(k.into(), "1".into());
    }
    let b = check("huge-page-vtx-iommu", cfg, false);
    let obj = |n: &str| b.kernel.object_types.iter().find(|(c, _)| c == n).map(|(_, v)| *v);
    assert_eq!(obj("seL4_X64_HugePageObject"), Some(7));
    assert_eq!(obj("seL4_X86_4K"), Some(8));
    assert!(obj("seL4_X86_VCPUObject").is_some());
    assert!(b.syscalls.iter().any(|s| s.name == "VMEnter" && s.enabled));
}

#[test]
fn non_debug_build_matches_c() {
    let mut cfg = common::default_config();
    cfg.remove("CONFIG_DEBUG_BUILD");
    cfg.remove("CONFIG_PRINTING");
    let b = check("no-debug", cfg, false);
    assert!(!b.syscalls.iter().any(|s| s.name == "DebugPutChar" && s.enabled));
}

#[test]
fn bigger_bootinfo_matches_c() {
    let mut cfg = common::default_config();
    cfg.insert("CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS".into(), "230".into());
    let b = check("untyped-caps-230", cfg, false);
    assert_eq!(b.kernel.bootinfo_size, 169 + 230 * 12);
}

#[test]
fn aarch32_default_config_matches_c() {
    let b = check_arch(Arch::Aarch32, "aarch32-default", common::aarch32_config(), true);
    // The facts the aarch32 probe saw, as a sanity check of the comparison itself.
    assert_eq!(b.arch.word_bits, 32);
    assert_eq!(b.api.label("UntypedRetype"), Some(1));
    assert_eq!(b.api.label("ARMPageMap"), Some(34));
    assert_eq!(b.api.label("ARMASIDPoolAssign"), Some(43));
    let tag = |n: &str| b.kernel.cap_tags.iter().find(|(c, _)| c == n).map(|(_, v)| *v);
    assert_eq!(tag("thread_cap"), Some(12));
    assert_eq!(tag("cnode_cap"), Some(10));
    assert_eq!(tag("page_directory_cap"), Some(9));
    assert_eq!(tag("irq_control_cap"), Some(0x0e));
}

#[test]
fn aarch32_multicore_and_debug_api_match_c() {
    let mut cfg = common::aarch32_config();
    cfg.insert("CONFIG_MAX_NUM_NODES".into(), "2".into());
    cfg.insert("CONFIG_HARDWARE_DEBUG_API".into(), "1".into());
    let b = check_arch(Arch::Aarch32, "aarch32-smp-debug-api", cfg, false);
    assert_eq!(b.api.label("TCBSetAffinity"), Some(14));
}
