//! The generator on the project's own newer-layout interface files (`tests/fixtures/newer-layout/`, an invented
//! API written for these tests), with every expected value derived by hand from the layout rules:
//!
//! * **Labels.** 0 is `InvalidInvocation`; then every method whose `<condition>` holds gets the next label, in
//!   document order, through the generic file (`object-api.xml`), then the sel4-arch file
//!   (`object-api-sel4-arch.xml`), then the arch file (`object-api-arch.xml`). `<config var="X"/>` holds when
//!   `X` is defined (whatever its value); `<not>`, `<and>`, `<or>` as in logic. A method id may appear twice
//!   under exclusive conditions; the enabled one takes its place in the order. `nInvocationLabels` is the
//!   first label after the generic file, `nSeL4ArchInvocationLabels` the first after the sel4-arch file.
//! * **Message packing** (64-bit words). Capability parameters go to the extra caps, in order, and take no
//!   message space. The other inputs are packed in order: each starts at the bit offset used so far rounded
//!   up to the smaller of its own size and a word, and takes its size (`seL4_Bool` 1 bit, `seL4_Uint8` 8,
//!   `seL4_Uint16` 16, `seL4_Uint32` 32, `seL4_Word` and `seL4_CapRights_t` 64, a `<struct>` 64 per member).
//!   Word `i` of the message is message register `i`. Outputs are unpacked from the reply by the same rule.
//! * **Syscalls.** The API list (`<api-master>`, or `<api-mcs>` with `CONFIG_KERNEL_MCS`) counts down from -1;
//!   the `<debug>` groups continue the count whether or not their condition holds.

mod common;

use std::collections::BTreeMap;

use selkie_sys_gen::emit::{marshal, Marshalling, ParamKind};
use selkie_sys_gen::interface::{interface_paths, load_api, parse_interface_file, parse_syscalls, Layout};
use selkie_sys_gen::{Api, Condition, Dir};

fn api(defined: &[&str]) -> Api {
    load_api(&common::own_fixtures(), "x86", "x86_64", &common::config(defined)).unwrap()
}

/// `(id, label)` of every enabled method, in label order.
fn labels(api: &Api) -> Vec<(&str, u64)> {
    api.methods.iter().map(|m| (m.method.id.as_str(), m.label)).collect()
}

fn marshalled(api: &Api, id: &str) -> Marshalling {
    marshal(api.method(id).unwrap(), 64, &api.structs, &api.interfaces).unwrap()
}

/// Each message word as `(parameter, shift, width, word of the value)` parts.
fn words(m: &Marshalling) -> Vec<Vec<(&str, u32, u32, usize)>> {
    m.words
        .iter()
        .map(|w| {
            w.iter()
                .map(|p| (p.name.as_str(), p.shift, p.width, p.word_of_value))
                .collect()
        })
        .collect()
}

/// Each output as `(parameter, first bit, width)`.
fn outputs(m: &Marshalling) -> Vec<(&str, u32, u32)> {
    m.outputs.iter().map(|(p, _, f, w)| (p.name.as_str(), *f, *w)).collect()
}

#[test]
fn files_are_detected_as_the_newer_layout() {
    let paths = interface_paths(&common::own_fixtures(), "x86", "x86_64").unwrap();
    assert!(paths[0].ends_with("include/interfaces/object-api.xml"));
    assert!(paths[1].ends_with("sel4_arch_include/x86_64/interfaces/object-api-sel4-arch.xml"));
    assert!(paths[2].ends_with("arch_include/x86/interfaces/object-api-arch.xml"));
    let counts: Vec<usize> = paths
        .iter()
        .map(|p| {
            let f = parse_interface_file(p).unwrap();
            assert_eq!(f.layout, Layout::New, "{}", p.display());
            f.methods.len()
        })
        .collect();
    // Every <method> is read whatever its condition: 9 generic (WidgetConfigure twice), 3 sel4-arch, 4 arch.
    assert_eq!(counts, vec![9, 3, 4]);
}

#[test]
fn conditions_are_read_as_written() {
    let f = parse_interface_file(&common::own_fixtures().join("include/interfaces/object-api.xml")).unwrap();
    let cond = |id: &str, nth: usize| {
        f.methods
            .iter()
            .filter(|m| m.id == id)
            .nth(nth)
            .unwrap()
            .condition
            .clone()
    };
    let config = |v: &str| Condition::Config(v.to_string());
    let not_mcs = Condition::Not(Box::new(config("CONFIG_KERNEL_MCS")));
    assert_eq!(cond("WidgetPack", 0), None);
    assert_eq!(cond("WidgetConfigure", 0), Some(not_mcs.clone()));
    assert_eq!(cond("WidgetConfigure", 1), Some(config("CONFIG_KERNEL_MCS")));
    assert_eq!(
        cond("WidgetSetAffinity", 0),
        Some(Condition::And(vec![not_mcs, config("CONFIG_ENABLE_SMP_SUPPORT")]))
    );
    let trace = cond("WidgetTrace", 0).unwrap();
    assert_eq!(
        trace,
        Condition::Or(vec![
            config("CONFIG_HARDWARE_DEBUG_API"),
            config("CONFIG_ENABLE_BENCHMARKS")
        ])
    );
    assert_eq!(
        trace.to_cpp(),
        "(defined(CONFIG_HARDWARE_DEBUG_API)) || (defined(CONFIG_ENABLE_BENCHMARKS))"
    );
}

#[test]
fn labels_with_nothing_defined() {
    let a = api(&[]);
    // Generic: WidgetPack (no condition) 1; WidgetConfigure, the non-MCS one, 2; WidgetQuery 3; WidgetSetAffinity
    // needs SMP, WidgetTrace HARDWARE_DEBUG_API or BENCHMARKS, WidgetBindBudget MCS: none; HolderStore 4;
    // HolderSaveCaller (not MCS) 5. nInvocationLabels = 6.
    // Sel4-arch: X64LeverWrite 6, X64LeverRead 7, X64LeverReset needs VTX. nSeL4ArchInvocationLabels = 8.
    // Arch: GadgetPoke 8, GadgetPeek 9; GadgetIOMMUMap needs IOMMU, GadgetLegacy ARCH_IA32.
    assert_eq!(
        labels(&a),
        vec![
            ("WidgetPack", 1),
            ("WidgetConfigure", 2),
            ("WidgetQuery", 3),
            ("HolderStore", 4),
            ("HolderSaveCaller", 5),
            ("X64LeverWrite", 6),
            ("X64LeverRead", 7),
            ("GadgetPoke", 8),
            ("GadgetPeek", 9),
        ]
    );
    assert_eq!((a.n_generic_labels, a.n_sel4_arch_labels), (6, 8));
    // The enabled WidgetConfigure is the first one (non-MCS: space, priority, buffer).
    let names: Vec<&str> = a
        .method("WidgetConfigure")
        .unwrap()
        .params
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, vec!["space", "priority", "buffer"]);
}

#[test]
fn labels_with_mcs() {
    let a = api(&["CONFIG_KERNEL_MCS"]);
    // Generic: WidgetPack 1; the MCS WidgetConfigure 2 (the non-MCS one is off); WidgetQuery 3; WidgetBindBudget
    // (MCS) 4; HolderStore 5; HolderSaveCaller is off. nInvocationLabels = 6, so the later files keep their
    // labels: 6, 7 and 8, 9.
    assert_eq!(
        labels(&a),
        vec![
            ("WidgetPack", 1),
            ("WidgetConfigure", 2),
            ("WidgetQuery", 3),
            ("WidgetBindBudget", 4),
            ("HolderStore", 5),
            ("X64LeverWrite", 6),
            ("X64LeverRead", 7),
            ("GadgetPoke", 8),
            ("GadgetPeek", 9),
        ]
    );
    assert_eq!((a.n_generic_labels, a.n_sel4_arch_labels), (6, 8));
    let m = a.method("WidgetConfigure").unwrap();
    let names: Vec<&str> = m.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["space", "budget", "priority", "period"]);
    assert_eq!(m.brief, "Configure a widget (MCS scheduler)");
}

#[test]
fn labels_with_smp_and_the_and_condition() {
    // WidgetSetAffinity is <and><not>MCS</not>SMP</and>: on with SMP alone, after WidgetQuery (4); every later
    // label moves up by one (HolderStore 5, HolderSaveCaller 6, nInvocationLabels 7, levers 7, 8, gadgets 9, 10).
    let a = api(&["CONFIG_ENABLE_SMP_SUPPORT"]);
    assert_eq!(
        labels(&a),
        vec![
            ("WidgetPack", 1),
            ("WidgetConfigure", 2),
            ("WidgetQuery", 3),
            ("WidgetSetAffinity", 4),
            ("HolderStore", 5),
            ("HolderSaveCaller", 6),
            ("X64LeverWrite", 7),
            ("X64LeverRead", 8),
            ("GadgetPoke", 9),
            ("GadgetPeek", 10),
        ]
    );
    assert_eq!((a.n_generic_labels, a.n_sel4_arch_labels), (7, 9));
    // With MCS too, the <not> makes the <and> false: the same labels as MCS alone.
    assert_eq!(
        labels(&api(&["CONFIG_ENABLE_SMP_SUPPORT", "CONFIG_KERNEL_MCS"])),
        labels(&api(&["CONFIG_KERNEL_MCS"]))
    );
}

#[test]
fn labels_with_the_or_condition() {
    // WidgetTrace is <or>HARDWARE_DEBUG_API BENCHMARKS</or>: either or both put it at 4, after WidgetQuery.
    for defined in [
        &["CONFIG_HARDWARE_DEBUG_API"][..],
        &["CONFIG_ENABLE_BENCHMARKS"],
        &["CONFIG_HARDWARE_DEBUG_API", "CONFIG_ENABLE_BENCHMARKS"],
    ] {
        let a = api(defined);
        assert_eq!(a.label("WidgetTrace"), Some(4), "{defined:?}");
        assert_eq!(a.label("HolderStore"), Some(5), "{defined:?}");
        assert_eq!(a.label("GadgetPeek"), Some(10), "{defined:?}");
    }
    // A config option defined as "0" is still defined.
    let mut cfg = BTreeMap::new();
    cfg.insert("CONFIG_ENABLE_BENCHMARKS".to_string(), "0".to_string());
    let a = load_api(&common::own_fixtures(), "x86", "x86_64", &cfg).unwrap();
    assert_eq!(a.label("WidgetTrace"), Some(4));
}

#[test]
fn labels_in_the_later_files() {
    // X64LeverReset (VTX) comes after X64LeverRead (7) at 8; nSeL4ArchInvocationLabels becomes 9, gadgets 9, 10.
    let a = api(&["CONFIG_VTX"]);
    assert_eq!(a.label("X64LeverReset"), Some(8));
    assert_eq!((a.n_generic_labels, a.n_sel4_arch_labels), (6, 9));
    assert_eq!((a.label("GadgetPoke"), a.label("GadgetPeek")), (Some(9), Some(10)));
    // GadgetIOMMUMap is <and>IOMMU <or>ARCH_X86_64 ARCH_IA32</or></and>; GadgetLegacy is ARCH_IA32.
    assert_eq!(api(&["CONFIG_IOMMU"]).label("GadgetIOMMUMap"), None);
    assert_eq!(api(&["CONFIG_ARCH_X86_64"]).label("GadgetIOMMUMap"), None);
    let a = api(&["CONFIG_IOMMU", "CONFIG_ARCH_X86_64"]);
    assert_eq!((a.label("GadgetIOMMUMap"), a.label("GadgetLegacy")), (Some(10), None));
    let a = api(&["CONFIG_IOMMU", "CONFIG_ARCH_IA32"]);
    assert_eq!(
        (a.label("GadgetIOMMUMap"), a.label("GadgetLegacy")),
        (Some(10), Some(11))
    );
    assert_eq!(api(&["CONFIG_ARCH_IA32"]).label("GadgetLegacy"), Some(10));
}

#[test]
fn documentation_is_read() {
    let a = api(&[]);
    let pack = a.method("WidgetPack").unwrap();
    assert_eq!(pack.c_name(), "seL4_Widget_Pack");
    assert_eq!(pack.brief, "Pack small values and a count into a widget");
    // <texttt text="x"/> becomes `x`; <docref> is read through; <autoref label="l"/> names the manual section;
    // <obj name="n"/> is its name; lines of a paragraph are joined, paragraphs kept.
    assert_eq!(
        pack.description,
        "Stores `level`, `enable`, `port` and `mask` in the widget named by `_service`.\n\n\
         A second paragraph, with a reference (see the seL4 manual (`sec:widgets`)) and an object name: Widget, \
         and raw_text [in brackets]."
    );
    assert_eq!(pack.cap_description, "Capability to the widget being operated on.");
    // An <error> with a description attribute, and one with a <description> element.
    let errors: Vec<(&str, &str)> = pack
        .errors
        .iter()
        .map(|e| (e.name.as_str(), e.description.as_str()))
        .collect();
    assert_eq!(
        errors,
        vec![
            ("seL4_InvalidArgument", "The level is above seven."),
            ("seL4_RangeError", "The `count` is zero.")
        ]
    );
    // Parameters: attribute and element descriptions, types and directions as written.
    let port = &pack.params[3];
    assert_eq!(
        (port.name.as_str(), port.ty.as_str(), port.dir),
        ("port", "seL4_Uint16", Dir::In)
    );
    assert_eq!(port.description, "A sixteen-bit port, given as a `seL4_Uint16`.");
    let query = a.method("WidgetQuery").unwrap();
    let dirs: Vec<(&str, Dir)> = query.params.iter().map(|p| (p.name.as_str(), p.dir)).collect();
    assert_eq!(
        dirs,
        vec![
            ("index", Dir::In),
            ("low", Dir::Out),
            ("ready", Dir::Out),
            ("value", Dir::Out)
        ]
    );
    // No cap_description on seL4_Holder: the <cap_param> text describes the invoked capability.
    let store = a.method("HolderStore").unwrap();
    assert_eq!(store.cap_description, "CPtr to the holder that keeps the word.");
    // <shortref sec="s"/> names the manual section too.
    assert_eq!(store.description, "Keeps `value` (the seL4 manual (`holders`)).");
}

#[test]
fn sub_word_values_and_a_capability() {
    let m = marshalled(&api(&[]), "WidgetPack");
    // Values in order (the cap `target` takes no message space):
    //   level u8:   offset 0, align 8   -> bits 0..8 of word 0; used 8
    //   enable bool: one bit, align 1  -> bit 8;                used 9
    //   sticky bool:                    -> bit 9;                used 10
    //   port u16:   10 rounded up to 16 -> bits 16..32;          used 32
    //   mask u32:   32 is aligned to 32 -> bits 32..64;          used 64
    //   count Word: 64                  -> word 1;               used 128
    //   tag u8:     128                 -> bits 0..8 of word 2
    assert_eq!(
        words(&m),
        vec![
            vec![
                ("level", 0, 8, 0),
                ("enable", 8, 1, 0),
                ("sticky", 9, 1, 0),
                ("port", 16, 16, 0),
                ("mask", 32, 32, 0)
            ],
            vec![("count", 0, 64, 0)],
            vec![("tag", 0, 8, 0)],
        ]
    );
    assert_eq!(m.caps, vec!["target"]);
    let kinds: Vec<&ParamKind> = m.inputs.iter().map(|(_, k)| k).collect();
    assert_eq!(
        kinds,
        vec![
            &ParamKind::Value("u8", 8),
            &ParamKind::Value("bool", 1),
            &ParamKind::Value("bool", 1),
            &ParamKind::Value("u16", 16),
            &ParamKind::Value("u32", 32),
            &ParamKind::Cap,
            &ParamKind::Value("Word", 64),
            &ParamKind::Value("u8", 8),
        ]
    );
}

#[test]
fn capabilities_of_every_kind() {
    // seL4_CNode is a capability type by name; seL4_Gadget because the arch file declares that interface;
    // seL4_X86_IOSpace is a capability type by name. Caps go in order; the words hold only the values.
    let mcs = api(&["CONFIG_KERNEL_MCS", "CONFIG_IOMMU", "CONFIG_ARCH_X86_64"]);
    let m = marshalled(&mcs, "WidgetConfigure");
    assert_eq!(m.caps, vec!["space", "budget"]);
    // priority Word at 0 (word 0); period u32 at 64 (word 1).
    assert_eq!(
        words(&m),
        vec![vec![("priority", 0, 64, 0)], vec![("period", 0, 32, 0)]]
    );
    let m = marshalled(&mcs, "WidgetBindBudget");
    assert_eq!((m.caps.clone(), m.words.len()), (vec!["budget".to_string()], 0));
    let m = marshalled(&mcs, "GadgetIOMMUMap");
    assert_eq!((m.caps.clone(), m.words.len()), (vec!["iospace".to_string()], 0));
    let plain = api(&[]);
    let m = marshalled(&plain, "WidgetConfigure");
    assert_eq!(m.caps, vec!["space"]);
    assert_eq!(
        words(&m),
        vec![vec![("priority", 0, 64, 0)], vec![("buffer", 0, 64, 0)]]
    );
}

#[test]
fn multi_word_structures_and_rights() {
    let a = api(&[]);
    // HolderStore: value Word at 0 (word 0); rights, one word, at 64 (word 1); span, a two-member struct of
    // 128 bits aligned to a word, at 128 (words 2 and 3, one member each).
    let m = marshalled(&a, "HolderStore");
    assert_eq!(
        words(&m),
        vec![
            vec![("value", 0, 64, 0)],
            vec![("rights", 0, 64, 0)],
            vec![("span", 0, 64, 0)],
            vec![("span", 0, 64, 1)],
        ]
    );
    assert_eq!(m.inputs[1].1, ParamKind::Rights);
    assert_eq!(m.inputs[2].1, ParamKind::Struct("Span".into(), 2));
    // X64LeverWrite: resume bool at bit 0; flags u8: 1 rounded up to 8 -> bits 8..16; count Word at 64 (word 1);
    // regs, six members (384 bits), at 128: words 2..8.
    let m = marshalled(&a, "X64LeverWrite");
    let mut expected = vec![vec![("resume", 0, 1, 0), ("flags", 8, 8, 0)], vec![("count", 0, 64, 0)]];
    expected.extend((0..6).map(|i| vec![("regs", 0, 64, i)]));
    assert_eq!(words(&m), expected);
    assert_eq!(m.inputs[3].1, ParamKind::Struct("RegisterSet".into(), 6));
}

#[test]
fn outputs_are_placed_by_the_same_rule() {
    let a = api(&["CONFIG_HARDWARE_DEBUG_API"]);
    // WidgetQuery: low u8 bits 0..8; ready bool bit 8; value Word: 9 rounded up to 64 -> word 1.
    let m = marshalled(&a, "WidgetQuery");
    assert_eq!(outputs(&m), vec![("low", 0, 8), ("ready", 8, 1), ("value", 64, 64)]);
    assert_eq!(words(&m), vec![vec![("index", 0, 64, 0)]]);
    // One output each: WidgetTrace's hits u32 bits 0..32; GadgetPeek's value u16 bits 0..16; X64LeverRead's regs,
    // six words from 0.
    assert_eq!(outputs(&marshalled(&a, "WidgetTrace")), vec![("hits", 0, 32)]);
    assert_eq!(outputs(&marshalled(&a, "GadgetPeek")), vec![("value", 0, 16)]);
    assert_eq!(outputs(&marshalled(&a, "X64LeverRead")), vec![("regs", 0, 384)]);
    // GadgetPoke: port u16 bits 0..16; value u32: 16 rounded up to 32 -> bits 32..64.
    assert_eq!(
        words(&marshalled(&a, "GadgetPoke")),
        vec![vec![("port", 0, 16, 0), ("value", 32, 32, 0)]]
    );
}

#[test]
fn syscall_numbers() {
    let path = common::own_fixtures().join("include/api/syscall.xml");
    let list = |defined: &[&str]| -> Vec<(String, i64, bool)> {
        parse_syscalls(&path, &common::config(defined))
            .unwrap()
            .into_iter()
            .map(|s| (s.name, s.number, s.enabled))
            .collect()
    };
    let s = |n: &str, i: i64, e: bool| (n.to_string(), i, e);
    // <api-master>: five, -1..-5; the debug groups continue at -6 whether enabled or not.
    // PRINTING: DebugPutChar, DebugDumpScheduler on. <and>DEBUG_BUILD SMP</and>: DebugSendIPI off (no SMP).
    // <or>BENCHMARKS <not>DEBUG_BUILD</not></or>: BenchmarkFlushCaches off. No condition: SetTLSBase on.
    assert_eq!(
        list(&["CONFIG_PRINTING", "CONFIG_DEBUG_BUILD"]),
        vec![
            s("Call", -1, true),
            s("ReplyRecv", -2, true),
            s("Send", -3, true),
            s("Recv", -4, true),
            s("Yield", -5, true),
            s("DebugPutChar", -6, true),
            s("DebugDumpScheduler", -7, true),
            s("DebugSendIPI", -8, false),
            s("BenchmarkFlushCaches", -9, false),
            s("SetTLSBase", -10, true),
        ]
    );
    // Nothing defined: printing off; <not>DEBUG_BUILD</not> makes BenchmarkFlushCaches on.
    let none = list(&[]);
    assert_eq!(none[5], s("DebugPutChar", -6, false));
    assert_eq!(none[8], s("BenchmarkFlushCaches", -9, true));
    // <api-mcs>: seven, -1..-7; the debug groups start at -8. DEBUG_BUILD and SMP make DebugSendIPI (-10) on.
    let mcs = list(&["CONFIG_KERNEL_MCS", "CONFIG_DEBUG_BUILD", "CONFIG_ENABLE_SMP_SUPPORT"]);
    let names: Vec<&str> = mcs.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Call",
            "ReplyRecv",
            "NBSendRecv",
            "Send",
            "Recv",
            "Wait",
            "Yield",
            "DebugPutChar",
            "DebugDumpScheduler",
            "DebugSendIPI",
            "BenchmarkFlushCaches",
            "SetTLSBase"
        ]
    );
    assert_eq!(mcs[6], s("Yield", -7, true));
    assert_eq!(mcs[9], s("DebugSendIPI", -10, true));
    assert_eq!(mcs[11], s("SetTLSBase", -12, true));
}

/// The calls the compiled code makes with HARDWARE_DEBUG_API defined. Labels: WidgetPack 1, WidgetConfigure 2,
/// WidgetQuery 3, WidgetTrace 4, HolderStore 5, HolderSaveCaller 6, X64LeverWrite 7, X64LeverRead 8, GadgetPoke
/// 9, GadgetPeek 10.
const MAIN_DEBUG: &str = r#"
fn main() {
    unsafe {
        widget_pack(1, 0x12, true, true, 0x3456, 0x789a_bcde, 7, 99, 0xef).unwrap();
        widget_configure(2, 8, 200, 0x5000).unwrap();
        reply_with(0, &[0x1ab, 0xdead_beef]);
        let q = widget_query(3, 5).unwrap();
        println!("query low={:#x} ready={} value={:#x}", q.low, q.ready, q.value);
        reply_with(0, &[0x2cd, 1]);
        let q = widget_query(3, 6).unwrap();
        println!("query low={:#x} ready={} value={:#x}", q.low, q.ready, q.value);
        reply_with(0, &[0x1_0000_0007]);
        println!("trace hits={}", widget_trace(4, 0xffff_ffff).unwrap());
        holder_store(5, 0x11, CapRights::from_word(0b1011), &Span { start: 0x100, end: 0x200 }).unwrap();
        holder_save_caller(6, 9).unwrap();
        let regs = RegisterSet { pc: 0xa0, sp: 0xa1, r0: 0xa2, r1: 0xa3, r2: 0xa4, r3: 0xa5 };
        x64_lever_write(7, true, 0x5, 6, &regs).unwrap();
        reply_with(0, &[0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5]);
        let r = x64_lever_read(8, 6).unwrap();
        println!("read pc={:#x} sp={:#x} r0={:#x} r1={:#x} r2={:#x} r3={:#x}", r.pc, r.sp, r.r0, r.r1, r.r2, r.r3);
        gadget_poke(9, 0x60, 0x1234_5678).unwrap();
        reply_with(0, &[0xabcd_1234]);
        println!("peek={:#x}", gadget_peek(10, 0x61).unwrap());
        reply_with(3, &[0x77]);
        println!("peek={:?} mr0={:#x}", gadget_peek(10, 0x62), get_mr(0));
    }
}
"#;

#[test]
fn generated_code_sends_and_receives_what_the_files_say() {
    let a = api(&["CONFIG_HARDWARE_DEBUG_API"]);
    let (code, lines) = common::compile_and_run("own-debug", &a, MAIN_DEBUG);
    let expected = [
        // WidgetPack: MR0 = 0x12 | 1 << 8 | 1 << 9 | 0x3456 << 16 | 0x789abcde << 32; MR1 = 99; MR2 = 0xef; cap 7.
        "call dest=1 label=1 caps=[7] words=[0x789abcde34560312, 0x63, 0xef]",
        // WidgetConfigure (non-MCS): cap space = 8; priority 200 = 0xc8, buffer.
        "call dest=2 label=2 caps=[8] words=[0xc8, 0x5000]",
        "call dest=3 label=3 caps=[] words=[0x5]",
        // Reply 0x1ab: low = 0xab (bits 0..8), ready = bit 8 = 1; value = reply word 1.
        "query low=0xab ready=true value=0xdeadbeef",
        "call dest=3 label=3 caps=[] words=[0x6]",
        // Reply 0x2cd: bit 8 is 0 (bit 9 is not part of `ready`).
        "query low=0xcd ready=false value=0x1",
        "call dest=4 label=4 caps=[] words=[0xffffffff]",
        // hits = bits 0..32 of 0x1_0000_0007.
        "trace hits=7",
        // HolderStore: value, rights word, span.start, span.end.
        "call dest=5 label=5 caps=[] words=[0x11, 0xb, 0x100, 0x200]",
        "call dest=6 label=6 caps=[] words=[0x9]",
        // X64LeverWrite: 1 | 5 << 8; count; the six registers (the last four through the IPC buffer).
        "call dest=7 label=7 caps=[] words=[0x501, 0x6, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5]",
        "call dest=8 label=8 caps=[] words=[0x6]",
        // Six reply words: four from the registers, two from the IPC buffer.
        "read pc=0xb0 sp=0xb1 r0=0xb2 r1=0xb3 r2=0xb4 r3=0xb5",
        // GadgetPoke: 0x60 | 0x12345678 << 32.
        "call dest=9 label=9 caps=[] words=[0x1234567800000060]",
        "call dest=10 label=10 caps=[] words=[0x61]",
        // value = bits 0..16 of the reply.
        "peek=0x1234",
        "call dest=10 label=10 caps=[] words=[0x62]",
        // A reply with label 3 is an error; the returned registers are left in the IPC buffer.
        "peek=Err(Code(3)) mr0=0x77",
    ];
    assert_eq!(lines, expected);

    // The documentation became rustdoc.
    for doc in [
        "/// `seL4_Widget_Pack` (invocation label 1).",
        "/// Pack small values and a count into a widget",
        "/// Stores `level`, `enable`, `port` and `mask` in the widget named by `_service`.\n///\n/// A second",
        // Brackets and underscores outside code spans are escaped for Markdown.
        "Widget, and raw\\_text \\[in brackets\\].",
        "/// - `service`: Capability to the widget being operated on.",
        "/// - `port` (`seL4_Uint16`, message): A sixteen-bit port, given as a `seL4_Uint16`.",
        "/// - `target` (`seL4_CNode`, extra cap 0): CNode the widget reports to.",
        "/// - `InvalidArgument`: The level is above seven.",
        "/// - `RangeError`: The `count` is zero.",
        "/// - returns `ready` (`seL4_Bool`): Whether it is ready.",
        "/// Present because this configuration satisfies `(defined(CONFIG_HARDWARE_DEBUG_API)) || \
         (defined(CONFIG_ENABLE_BENCHMARKS))`.",
        "/// - `service`: CPtr to the holder that keeps the word.",
        "pub const N_INVOCATION_LABELS: Word = 7;",
        "pub const N_SEL4_ARCH_INVOCATION_LABELS: Word = 9;",
        "    GadgetPeek = 10,",
    ] {
        assert!(code.contains(doc), "missing from the generated code: {doc}");
    }
}

/// The MCS variant of WidgetConfigure and the MCS- and IOMMU-only methods. Labels: WidgetConfigure 2,
/// WidgetBindBudget 4, HolderStore 5, GadgetIOMMUMap 10.
const MAIN_MCS: &str = r#"
fn main() {
    unsafe {
        widget_configure(1, 8, 11, 200, 0x10).unwrap();
        widget_bind_budget(2, 12).unwrap();
        holder_store(3, 1, CapRights::from_word(0), &Span::default()).unwrap();
        gadget_iommu_map(4, 13).unwrap();
    }
}
"#;

#[test]
fn generated_code_for_the_mcs_variant() {
    let a = api(&["CONFIG_KERNEL_MCS", "CONFIG_IOMMU", "CONFIG_ARCH_X86_64"]);
    let (code, lines) = common::compile_and_run("own-mcs", &a, MAIN_MCS);
    assert_eq!(
        lines,
        [
            // Caps space and budget in order; priority, then period (u32) in word 1.
            "call dest=1 label=2 caps=[8, 11] words=[0xc8, 0x10]",
            "call dest=2 label=4 caps=[12] words=[]",
            "call dest=3 label=5 caps=[] words=[0x1, 0x0, 0x0, 0x0]",
            "call dest=4 label=10 caps=[13] words=[]",
        ]
    );
    assert!(code.contains("/// Configure a widget (MCS scheduler)"));
    assert!(!code.contains("holder_save_caller"), "HolderSaveCaller is not MCS");
}
