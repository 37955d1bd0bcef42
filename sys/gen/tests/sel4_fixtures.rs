//! An additional check of the generator on seL4's own newer-layout interface files (seL4 16.0.0-dev), which
//! are not part of the repository: `SELKIE_NEWER_FIXTURES` names the directory holding
//! `sel4-16.0.0-dev/libsel4` (CI sets it to its copy of those files, kept beside the repository).
//!
//! A libtest-mimic harness, because whether the files are there is only known at run time: without the
//! variable, every check is reported as `ignored` with the reason (never as a pass, a failure or not at all);
//! with it set to a directory that lacks the files, every check fails saying so.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use selkie_sys_gen::emit::marshal;
use selkie_sys_gen::interface::{interface_paths, load_api, parse_interface_file, parse_syscalls, Layout};
use selkie_sys_gen::{Api, Dir};

/// A named check, run on the `libsel4` directory of seL4's files.
type Check = (&'static str, fn(&Path));

fn main() {
    let args = Arguments::from_args();
    let checks: [Check; 7] = [
        ("newer_layout_is_detected", newer_layout_is_detected),
        (
            "labels_follow_document_order_and_conditions",
            labels_follow_document_order_and_conditions,
        ),
        ("mcs_changes_methods", mcs_changes_methods),
        ("hardware_debug_and_smp", hardware_debug_and_smp),
        ("every_method_marshals", every_method_marshals),
        (
            "generated_code_compiles_and_marshals",
            generated_code_compiles_and_marshals,
        ),
        (
            "abi_report_mcs_changes_labels_and_messages",
            abi_report_mcs_changes_labels_and_messages,
        ),
    ];
    let trials = checks
        .into_iter()
        .map(|(name, check)| {
            Trial::ignorable_test(
                format!("sel4_16_fixtures::{name}"),
                move || match common::sel4_fixtures() {
                    Ok(Some(dir)) => {
                        check(&dir);
                        Ok(Completion::Completed)
                    }
                    Ok(None) => Ok(Completion::ignored_with(common::SEL4_FIXTURES_SKIPPED)),
                    Err(e) => Err(Failed::from(e)),
                },
            )
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn api(dir: &Path, config: &BTreeMap<String, String>) -> Api {
    load_api(dir, "x86", "x86_64", config).unwrap()
}

/// Every method id of a file in document order, with its condition's `<config>` variables, read straight from
/// the XML.
fn document_methods(path: &Path) -> Vec<(String, Option<String>, bool)> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("method"))
        .map(|n| {
            let cond = n.children().find(|c| c.has_tag_name("condition"));
            let vars = cond.map(|c| {
                c.descendants()
                    .filter(|d| d.has_tag_name("config"))
                    .map(|d| d.attribute("var").unwrap().to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            });
            let negated = cond.is_some_and(|c| c.descendants().any(|d| d.has_tag_name("not")));
            (n.attribute("id").unwrap().to_string(), vars, negated)
        })
        .collect()
}

fn newer_layout_is_detected(dir: &Path) {
    for p in &interface_paths(dir, "x86", "x86_64").unwrap() {
        let f = parse_interface_file(p).unwrap();
        assert_eq!(f.layout, Layout::New, "{}", p.display());
    }
}

fn labels_follow_document_order_and_conditions(dir: &Path) {
    let a = api(dir, &common::default_config());
    // Non-MCS, uniprocessor, no hardware debug, no IOMMU, no VTX: the enabled methods are those without a
    // condition and those whose only condition is <not><config var="CONFIG_KERNEL_MCS"/></not>.
    let mut expected: Vec<String> = Vec::new();
    for f in &interface_paths(dir, "x86", "x86_64").unwrap() {
        for (id, vars, negated) in document_methods(f) {
            let keep = match vars.as_deref() {
                None => true,
                Some("CONFIG_KERNEL_MCS") => negated,
                Some(_) => false,
            };
            if keep && !expected.contains(&id) {
                expected.push(id);
            }
        }
    }
    let got: Vec<String> = a.methods.iter().map(|m| m.method.id.clone()).collect();
    assert_eq!(got, expected);
    // A sample, counted by hand from the files.
    assert_eq!(a.label("UntypedRetype"), Some(1));
    assert_eq!(a.label("TCBReadRegisters"), Some(2));
    assert!(a.label("TCBConfigure").is_some());
    assert_eq!(a.label("SchedControlConfigureFlags"), None);
    assert_eq!(a.label("X86IOPageTableMap"), None, "needs CONFIG_IOMMU");
    assert_eq!(a.label("X86PageDirectoryGetStatusBits"), None, "needs CONFIG_ARCH_IA32");
    let tcb_conf = a.method("TCBConfigure").unwrap();
    let params: Vec<(&str, &str, Dir)> = tcb_conf
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.ty.as_str(), p.dir))
        .collect();
    assert_eq!(params[0], ("fault_ep", "seL4_Word", Dir::In));
    assert!(!tcb_conf.brief.is_empty());
    let retype = a.method("UntypedRetype").unwrap();
    assert!(retype.errors.iter().any(|e| e.name == "seL4_NotEnoughMemory"));
    assert!(retype.description.contains("`num_objects`"));
}

fn mcs_changes_methods(dir: &Path) {
    let mut cfg = common::default_config();
    let base = api(dir, &cfg);
    cfg.insert("CONFIG_KERNEL_MCS".into(), "1".into());
    let mcs = api(dir, &cfg);
    assert!(mcs.label("SchedControlConfigureFlags").is_some());
    assert!(base.label("CNodeSaveCaller").is_some());
    assert_eq!(mcs.label("CNodeSaveCaller"), None);
    // The MCS TCBConfigure has a different argument list.
    assert_ne!(
        base.method("TCBConfigure").unwrap().params,
        mcs.method("TCBConfigure").unwrap().params
    );
    // Syscalls: the api-mcs list replaces api-master.
    let s = parse_syscalls(&dir.join("include/api/syscall.xml"), &cfg).unwrap();
    assert_eq!(s.iter().find(|x| x.name == "NBSendRecv").unwrap().number, -3);
}

fn hardware_debug_and_smp(dir: &Path) {
    let mut cfg = common::default_config();
    let base = api(dir, &cfg);
    cfg.insert("CONFIG_HARDWARE_DEBUG_API".into(), "1".into());
    cfg.insert("CONFIG_ENABLE_SMP_SUPPORT".into(), "1".into());
    let more = api(dir, &cfg);
    let after = base.label("TCBUnbindNotification").unwrap();
    let shifted_by = more.label("CNodeRevoke").unwrap() - base.label("CNodeRevoke").unwrap();
    assert!(
        shifted_by >= 5,
        "SetAffinity + 4 breakpoint methods (and any others) come before CNodeRevoke"
    );
    assert!(more.label("TCBSetAffinity").unwrap() > after);
}

fn every_method_marshals(dir: &Path) {
    let a = api(dir, &common::default_config());
    for m in &a.methods {
        marshal(&m.method, 64, &a.structs, &a.interfaces).unwrap_or_else(|e| panic!("{e}"));
    }
}

const MAIN: &str = r#"
fn main() {
    unsafe {
        untyped_retype(1, 2, 3, 4, 5, 6, 7, 8).unwrap();
        cnode_copy(10, 11, 12, 13, 14, 15, CapRights::from_word(7)).unwrap();
        tcb_write_registers(20, true, 0x5, 2, &UserContext { rip: 0xaa, rsp: 0xbb, ..Default::default() }).unwrap();
        reply_with(0, &(0x100..0x114).collect::<Vec<Word>>());
        let regs = tcb_read_registers(21, false, 0, 20).unwrap();
        println!("read rip={:#x} rsp={:#x} r15={:#x} gs_base={:#x}", regs.rip, regs.rsp, regs.r15, regs.gs_base);
        reply_with(0, &[0x4000]);
        println!("page address={:#x}", x86_page_get_address(30).unwrap());
        reply_with(0, &[0x1ff]);
        println!("in8={:#x}", x86_io_port_in8(31, 0x3f8).unwrap());
    }
}
"#;

fn generated_code_compiles_and_marshals(dir: &Path) {
    let a = api(dir, &common::default_config());
    let (code, lines) = common::compile_and_run("sel4-16", &a, MAIN);
    let label = |id: &str| a.label(id).unwrap();
    // The x86_64 seL4_UserContext of this kernel has 20 registers.
    let mut regs = vec!["0xaa".to_string(), "0xbb".to_string()];
    regs.extend((0..18).map(|_| "0x0".to_string()));
    let expected = vec![
        // Untyped_Retype: six words; root is the only extra cap.
        format!(
            "call dest=1 label={} caps=[4] words=[0x2, 0x3, 0x5, 0x6, 0x7, 0x8]",
            label("UntypedRetype")
        ),
        // CNode_Copy: dest_index, dest_depth (u8), src_index, src_depth (u8), rights; src_root is a cap.
        format!(
            "call dest=10 label={} caps=[13] words=[0xb, 0xc, 0xe, 0xf, 0x7]",
            label("CNodeCopy")
        ),
        // TCB_WriteRegisters: resume_target | arch_flags << 8, count, then the registers.
        format!(
            "call dest=20 label={} caps=[] words=[0x501, 0x2, {}]",
            label("TCBWriteRegisters"),
            regs.join(", ")
        ),
        format!(
            "call dest=21 label={} caps=[] words=[0x0, 0x14]",
            label("TCBReadRegisters")
        ),
        // rip, rsp are reply words 0 and 1; r15 is word 17 and gs_base word 19 (from the IPC buffer).
        "read rip=0x100 rsp=0x101 r15=0x111 gs_base=0x113".to_string(),
        format!("call dest=30 label={} caps=[] words=[]", label("X86PageGetAddress")),
        "page address=0x4000".to_string(),
        format!("call dest=31 label={} caps=[] words=[0x3f8]", label("X86IOPortIn8")),
        "in8=0xff".to_string(),
    ];
    assert_eq!(lines, expected);
    // The files' documentation became rustdoc.
    assert!(
        code.contains("/// - `NotEnoughMemory`: The total size of the new objects exceeds the space available."),
        "error docs"
    );
    assert!(code.contains("/// Retype an untyped object"), "brief");
}

/// `selkie abi-report --newer` on these files: MCS changes labels, syscalls and messages; SMP and the hardware
/// debug API add their invocations; facts that need the kernel's headers are not claimed.
fn abi_report_mcs_changes_labels_and_messages(libsel4: &Path) {
    use selkie_kernel::KernelConfig;
    use selkie_sys_gen::abi::{self, Category};
    use selkie_sys_gen::Target;

    let tree = libsel4.parent().unwrap();
    fn option<'a>(r: &'a abi::Report, name: &str) -> &'a abi::OptionReport {
        r.option(name).unwrap_or_else(|| panic!("no row for {name}"))
    }
    let r = abi::report(tree, &Target::x86_64(), &KernelConfig::default(), "seL4 16.0.0-dev").unwrap();
    assert_eq!(r.layout, Layout::New);
    assert_eq!(
        r.compared,
        [
            Category::Syscalls,
            Category::Labels,
            Category::Messages,
            Category::Config
        ]
    );
    let mcs = option(&r, "CONFIG_KERNEL_MCS");
    assert!(!mcs.exposed);
    let labels = mcs.diff(Category::Labels).expect("MCS changes labels");
    assert!(labels.added_names().contains(&"SchedContextBind"));
    assert_eq!(labels.removed_names(), ["CNodeSaveCaller"]);
    assert!(!labels.changed.is_empty());
    let messages = mcs.diff(Category::Messages).expect("MCS changes message layouts");
    assert!(messages.changed_names().contains(&"TCBConfigure"));
    let sys = mcs.diff(Category::Syscalls).expect("MCS changes syscalls");
    assert!(sys.added_names().contains(&"NBSendRecv"));
    // SMP is derived from the node count, as the newer kernels' build does.
    let smp = option(&r, "max_num_nodes").diff(Category::Labels).unwrap();
    assert_eq!(smp.added_names(), ["TCBSetAffinity"]);
    let dbg = option(&r, "hardware_debug_api").diff(Category::Labels).unwrap();
    assert_eq!(dbg.added.len(), 4);
    // Facts that need headers are not claimed.
    let md = r.to_markdown();
    assert!(md.contains("Not compared (object types, object sizes, bootinfo, constants)"));
    assert!(md.contains("CONFIG_ENABLE_SMP_SUPPORT"));
    assert!(option(&r, "huge_page").changed_categories() == [Category::Config]);
}
