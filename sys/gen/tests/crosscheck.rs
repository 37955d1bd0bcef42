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
use std::process::Command;

use selkie_sys_gen::{collect, Bindings, Target};

/// The kernel build (source root, build dir) the pipeline produces for the default configuration.
fn built_kernel() -> (PathBuf, PathBuf) {
    let (src, cfg) = selkie_kernel::build_script_inputs().expect("kernel source");
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

/// Text from `start` (first occurrence) to the first `end` after it, inclusive.
fn extract<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let a = text.find(start)?;
    let b = text[a..].find(end)? + a + end.len();
    Some(&text[a..b])
}

const MSGINFO_SAMPLES: [(u64, u64, u64, u64); 5] = [
    (0, 0, 0, 0),
    (1, 0, 1, 6),
    (9, 0, 2, 3),
    (0xfffff, 7, 3, 0x7f),
    (47, 0, 0, 2),
];

/// The values the generator produced, keyed like the C program's output.
fn expected(b: &Bindings, with_kernel_pp: bool) -> BTreeMap<String, i64> {
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
        for (i, (l, c, x, n)) in MSGINFO_SAMPLES.iter().enumerate() {
            let mut w = 0u64;
            for (f, v) in fields.iter().zip([l, c, x, n]) {
                w |= (v & ((1u64 << f.bits) - 1)) << f.shift;
            }
            e.insert(format!("mi.{i}"), w as i64);
        }
    }
    e
}

/// Builds and runs the C program printing the same keys from the C headers; returns its values and whether
/// the kernel's preprocessed source was used.
fn c_values(b: &Bindings, root: &Path, build_dir: &Path, with_kernel_pp: bool, dir: &Path) -> BTreeMap<String, i64> {
    let k = &b.kernel;
    let l = root.join("libsel4");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("autoconf.h"), autoconf(&b.config)).unwrap();
    let pp = if with_kernel_pp {
        std::fs::read_to_string(build_dir.join("kernel_all.c_pp")).unwrap()
    } else {
        String::new()
    };

    let mut c = String::new();
    c.push_str(
        "#include <autoconf.h>\n#include <stdio.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\n",
    );
    c.push_str("typedef unsigned long word_t;\n#define UNUSED __attribute__((unused))\n");
    c.push_str("#include <api/invocation.h>\n#include <arch/api/invocation.h>\n#include <arch/api/syscall.h>\n");
    c.push_str("#define HAVE_AUTOCONF 1\n#include <sel4/simple_types.h>\n#include <sel4/macros.h>\n#include <sel4/sel4_arch/types.h>\n");
    c.push_str(
        "#include <sel4/objecttype.h>\n#include <sel4/sel4_arch/objecttype.h>\n#include <sel4/arch/objecttype.h>\n",
    );
    c.push_str("#include <sel4/errors.h>\n#include <sel4/constants.h>\n#include <sel4/sel4_arch/constants.h>\n");
    c.push_str("static void _assert_fail(const char *a, const char *f, unsigned l, const char *fn) { fprintf(stderr, \"%s %s:%u %s\\n\", a, f, l, fn); exit(2); }\n");
    if with_kernel_pp {
        // The kernel's own generated bitfield code for seL4_MessageInfo and its cap_tag enum.
        let mi = extract(&pp, "struct seL4_MessageInfo {", "return seL4_MessageInfo;\n}")
            .expect("seL4_MessageInfo in kernel_all.c_pp");
        let tags = extract(&pp, "enum cap_tag {", "};").expect("enum cap_tag in kernel_all.c_pp");
        let _ = writeln!(c, "{mi}\n{tags}");
    } else {
        c.push_str("typedef struct seL4_MessageInfo { seL4_Uint64 words[1]; } seL4_MessageInfo_t;\n");
    }
    c.push_str("#include <sel4/shared_types.h>\n#include <sel4/bootinfo_types.h>\n");
    c.push_str("#define P(k, v) printf(\"%s %lld\\n\", k, (long long)(v))\nint main(void) {\n");
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
        for (i, (l, cu, x, n)) in MSGINFO_SAMPLES.iter().enumerate() {
            let _ = writeln!(
                c,
                "    P(\"mi.{i}\", seL4_MessageInfo_new({l}ull, {cu}ull, {x}ull, {n}ull).words[0]);"
            );
        }
    }
    c.push_str("    return 0;\n}\n");
    let src = dir.join("check.c");
    std::fs::write(&src, &c).unwrap();
    let exe = dir.join("check");
    let a = &b.target.arch;
    let sa = &b.target.sel4_arch;
    let out = Command::new("gcc")
        .args(["-std=gnu11", "-w", "-o"])
        .arg(&exe)
        .arg(&src)
        .arg(format!("-I{}", dir.display()))
        .arg(format!("-I{}", build_dir.display()))
        .arg(format!("-I{}", l.join("include").display()))
        .arg(format!("-I{}", l.join(format!("arch_include/{a}")).display()))
        .arg(format!("-I{}", l.join(format!("sel4_arch_include/{sa}")).display()))
        .arg(format!("-I{}", l.join("sel4_plat_include/pc99").display()))
        .output()
        .expect("running gcc");
    assert!(
        out.status.success(),
        "gcc failed on {}:\n{}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().expect("running the check program");
    assert!(
        run.status.success(),
        "{} failed: {}",
        exe.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

fn check(name: &str, config: BTreeMap<String, String>, with_kernel_pp: bool) -> Bindings {
    let (root, build_dir) = built_kernel();
    let b = collect(&root, &Target::x86_64(), &config).unwrap_or_else(|e| panic!("{e}"));
    let dir = selkie_kernel::workspace_target_dir()
        .join("selkie-sys-gen-crosscheck")
        .join(name);
    let c = c_values(&b, &root, &build_dir, with_kernel_pp, &dir);
    let e = expected(&b, with_kernel_pp);
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
