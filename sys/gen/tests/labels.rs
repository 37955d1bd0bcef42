//! Invocation labels and argument lists computed from the embedded kernel's interface files (the older layout).
//! The newer layout is checked on the project's own files in `own_fixtures.rs`, and on seL4's in
//! `sel4_fixtures.rs`.

mod common;

use std::collections::BTreeMap;

use selkie_sys_gen::emit::{marshal, ParamKind};
use selkie_sys_gen::interface::{load_api, parse_syscalls};
use selkie_sys_gen::Target;

fn old_api(config: &BTreeMap<String, String>) -> selkie_sys_gen::Api {
    load_api(&common::kernel_root().join("libsel4"), "x86", "x86_64", config).unwrap()
}

#[test]
fn embedded_kernel_default_labels() {
    let api = old_api(&common::default_config());
    assert_eq!(api.label("UntypedRetype"), Some(1));
    assert_eq!(api.label("TCBWriteRegisters"), Some(3));
    assert_eq!(api.label("TCBSetSpace"), Some(9));
    assert_eq!(api.label("TCBSuspend"), Some(10));
    assert_eq!(api.n_generic_labels, 28);
    assert_eq!(api.label("X86PDPTMap"), Some(28));
    assert_eq!(api.label("X86PDPTUnmap"), Some(29));
    assert_eq!(api.label("X86PageMap"), Some(37));
    assert_eq!(api.label("X86IOPortOut8"), Some(47));
    for absent in ["TCBSetAffinity", "TCBSetBreakpoint", "X86PageMapEPT", "X86VCPUSetTCB"] {
        assert_eq!(api.label(absent), None, "{absent} must be disabled by default");
    }
    // Labels are dense.
    for (i, m) in api.methods.iter().enumerate() {
        assert_eq!(m.label, i as u64 + 1);
    }
}

#[test]
fn hardware_debug_api_shifts_labels() {
    let mut cfg = common::default_config();
    let base = old_api(&cfg);
    cfg.insert("CONFIG_HARDWARE_DEBUG_API".into(), "1".into());
    let dbg = old_api(&cfg);
    // Four breakpoint methods come right after TCBUnbindNotification.
    let unbind = base.label("TCBUnbindNotification").unwrap();
    assert_eq!(dbg.label("TCBUnbindNotification"), Some(unbind));
    assert_eq!(dbg.label("TCBSetBreakpoint"), Some(unbind + 1));
    assert_eq!(dbg.label("TCBConfigureSingleStepping"), Some(unbind + 4));
    for m in &base.methods {
        let expect = if m.label <= unbind { m.label } else { m.label + 4 };
        assert_eq!(dbg.label(&m.method.id), Some(expect), "{}", m.method.id);
    }
    assert_eq!(dbg.label("X86IOPortOut8"), Some(51));
}

#[test]
fn multicore_and_vtx_shift_labels() {
    let mut cfg = common::default_config();
    cfg.insert("CONFIG_MAX_NUM_NODES".into(), "2".into());
    let smp = old_api(&cfg);
    assert_eq!(smp.label("TCBSetAffinity"), Some(14));
    assert_eq!(smp.label("CNodeRevoke"), Some(15));
    assert_eq!(smp.label("X86PageMap"), Some(38));
    assert_eq!(smp.label("UntypedRetype"), Some(1));

    let mut cfg = common::default_config();
    cfg.insert("CONFIG_VTX".into(), "1".into());
    let vtx = old_api(&cfg);
    // X86PageMapEPT sits after X86PageGetAddress: everything after it moves by one.
    assert_eq!(vtx.label("X86PageMapEPT"), Some(42));
    assert_eq!(vtx.label("X86IOPortOut8"), Some(48));
}

#[test]
fn embedded_kernel_argument_lists() {
    let api = old_api(&common::default_config());
    let retype = api.method("UntypedRetype").unwrap();
    let m = marshal(retype, 64, &api.structs, &api.interfaces).unwrap();
    assert_eq!(m.caps, vec!["root"]);
    let words: Vec<Vec<&str>> = m
        .words
        .iter()
        .map(|w| w.iter().map(|p| p.name.as_str()).collect())
        .collect();
    assert_eq!(
        words,
        vec![
            vec!["type_"],
            vec!["size_bits"],
            vec!["node_index"],
            vec!["node_depth"],
            vec!["node_offset"],
            vec!["num_objects"]
        ]
    );

    // TCB_WriteRegisters: resume_target (bit 0) and arch_flags (bits 8..16) share MR0; count; then 19 words.
    let wr = api.method("TCBWriteRegisters").unwrap();
    let m = marshal(wr, 64, &api.structs, &api.interfaces).unwrap();
    assert_eq!(m.words.len(), 2 + 19);
    assert_eq!(
        m.words[0]
            .iter()
            .map(|p| (p.name.as_str(), p.shift))
            .collect::<Vec<_>>(),
        vec![("resume_target", 0), ("arch_flags", 8)]
    );
    assert_eq!(m.words[2][0].kind, ParamKind::Struct("UserContext".into(), 19));

    // TCB_SetSpace: caps cspace_root then vspace_root; 3 words.
    let ss = api.method("TCBSetSpace").unwrap();
    let m = marshal(ss, 64, &api.structs, &api.interfaces).unwrap();
    assert_eq!(m.caps, vec!["cspace_root", "vspace_root"]);
    assert_eq!(m.words.len(), 3);

    // X86_IOPort_In8: one output, an 8-bit value in MR0.
    let inp = api.method("X86IOPortIn8").unwrap();
    let m = marshal(inp, 64, &api.structs, &api.interfaces).unwrap();
    assert_eq!(m.outputs.len(), 1);
    assert_eq!((m.outputs[0].2, m.outputs[0].3), (0, 8));
}

#[test]
fn embedded_kernel_syscalls() {
    let path = common::kernel_root().join("libsel4/include/api/syscall.xml");
    let s = parse_syscalls(&path, &common::default_config()).unwrap();
    let find = |n: &str| s.iter().find(|x| x.name == n).unwrap();
    assert_eq!(find("Call").number, -1);
    assert_eq!(find("NBRecv").number, -8);
    assert_eq!(find("DebugPutChar").number, -9);
    assert_eq!(find("DebugNameThread").number, -13);
    assert!(find("DebugNameThread").enabled);
    assert_eq!(find("VMEnter").number, -22);
    assert!(!find("VMEnter").enabled);
    let mut no_debug = common::default_config();
    no_debug.remove("CONFIG_DEBUG_BUILD");
    let s = parse_syscalls(&path, &no_debug).unwrap();
    assert!(!s.iter().find(|x| x.name == "DebugPutChar").unwrap().enabled);
}

#[test]
fn embedded_kernel_generates_code() {
    let src = selkie_sys_gen::generate(&common::kernel_root(), &Target::x86_64(), &common::default_config()).unwrap();
    assert!(src.contains("pub unsafe fn untyped_retype(service: CPtr, type_: Word, size_bits: Word, root: CPtr, node_index: Word, node_depth: Word, node_offset: Word, num_objects: Word) -> Result<(), Error>"));
    assert!(src.contains("X86IOPortOut8 = 47,"));
    assert!(src.contains("pub unsafe fn x86_io_port_in8(service: CPtr, port: u16) -> Result<u8, Error>"));
}
