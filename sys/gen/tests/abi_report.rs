//! The ABI report (`selkie_sys_gen::abi`, printed by `selkie abi-report`) on the embedded kernel: known entries,
//! every configuration option covered, deterministic output. The report on seL4's newer interface files is
//! checked in `sel4_fixtures.rs`, with the other checks that need them.

use std::path::PathBuf;
use std::sync::OnceLock;

use selkie_kernel::KernelConfig;
use selkie_sys_gen::abi::{self, Category, Outcome, Report};
use selkie_sys_gen::interface::Layout;
use selkie_sys_gen::Target;

/// The embedded kernel tree, as the pipeline resolves it.
fn kernel_root() -> PathBuf {
    selkie_kernel::source::resolve(&selkie_kernel::selkie_home())
        .unwrap_or_else(|e| panic!("cannot resolve the kernel source: {e}"))
        .root
}

/// The report on the embedded kernel from the default configuration, made once for all tests.
fn embedded() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        abi::report(
            &kernel_root(),
            &Target::x86_64(),
            &KernelConfig::default(),
            "the embedded seL4",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn option<'a>(r: &'a Report, name: &str) -> &'a abi::OptionReport {
    r.option(name).unwrap_or_else(|| panic!("no row for {name}"))
}

/// Labels of the baseline, read independently of the report.
fn baseline_api() -> selkie_sys_gen::Api {
    selkie_sys_gen::interface::load_api(
        &kernel_root().join("libsel4"),
        "x86",
        "x86_64",
        &KernelConfig::default().defines(),
    )
    .unwrap()
}

#[test]
fn hardware_debug_api_adds_the_breakpoint_invocations_and_renumbers_the_labels_after_them() {
    let o = option(embedded(), "hardware_debug_api");
    let Outcome::Compared { value, .. } = &o.outcome else {
        panic!("not compared: {:?}", o.outcome)
    };
    assert_eq!(value, "true");
    let labels = o.diff(Category::Labels).expect("labels change");
    assert_eq!(
        labels.added_names(),
        [
            "TCBSetBreakpoint",
            "TCBGetBreakpoint",
            "TCBUnsetBreakpoint",
            "TCBConfigureSingleStepping"
        ]
    );
    assert!(labels.removed.is_empty());
    // Exactly the labels after TCBUnbindNotification move, each by four.
    let base = baseline_api();
    let unbind = base.label("TCBUnbindNotification").unwrap();
    let after: Vec<(String, String, String)> = base
        .methods
        .iter()
        .filter(|m| m.label > unbind)
        .map(|m| (m.method.id.clone(), m.label.to_string(), (m.label + 4).to_string()))
        .collect();
    assert!(after.len() > 30, "{after:?}");
    assert_eq!(labels.changed, after);
    // The breakpoint types and debug exception message layout appear among the constants; syscalls stay.
    let constants = o.diff(Category::Constants).expect("constants change");
    assert!(constants.added_names().contains(&"seL4_DebugException_TriggerAddress"));
    assert!(o.diff(Category::Syscalls).is_none());
    assert!(o.diff(Category::ObjectTypes).is_none());
}

#[test]
fn more_than_one_node_adds_tcb_set_affinity() {
    let o = option(embedded(), "max_num_nodes");
    let labels = o.diff(Category::Labels).expect("labels change");
    assert_eq!(labels.added_names(), ["TCBSetAffinity"]);
    assert!(labels.removed.is_empty());
    assert!(labels
        .changed
        .iter()
        .any(|(id, a, b)| id == "CNodeRevoke" && a == "14" && b == "15"));
}

#[test]
fn root_cnode_size_changes_no_label_only_its_constant() {
    let o = option(embedded(), "root_cnode_size_bits");
    assert_eq!(o.changed_categories(), [Category::Config]);
    let config = o.diff(Category::Config).unwrap();
    assert_eq!(
        config.changed,
        [(
            "CONFIG_ROOT_CNODE_SIZE_BITS".to_string(),
            "12".to_string(),
            "16".to_string()
        )]
    );
    assert!(config.added.is_empty() && config.removed.is_empty());
    assert!(!embedded().abi_changing().contains("root_cnode_size_bits"));
}

#[test]
fn huge_pages_shift_the_object_types() {
    let o = option(embedded(), "huge_page");
    let types = o.diff(Category::ObjectTypes).expect("object types change");
    assert_eq!(types.added_names(), ["seL4_X64_HugePageObject"]);
    let small = types
        .changed
        .iter()
        .find(|(n, _, _)| n == "seL4_X86_4K")
        .expect("4K frames renumbered");
    let (before, after): (i64, i64) = (small.1.parse().unwrap(), small.2.parse().unwrap());
    assert_eq!(after, before + 1);
    let sizes = o.diff(Category::ObjectSizes).expect("a new object size");
    assert_eq!(
        sizes.added,
        [("seL4_X64_HugePageObject size".to_string(), "2^30".to_string())]
    );
    assert!(o.diff(Category::Labels).is_none(), "no label moves");
}

#[test]
fn the_bootinfo_untyped_list_length_changes_the_bootinfo_size() {
    let o = option(embedded(), "max_num_bootinfo_untyped_caps");
    let Outcome::Compared { value, .. } = &o.outcome else {
        panic!("not compared")
    };
    let n: usize = value.parse().unwrap();
    let boot = o.diff(Category::Bootinfo).expect("bootinfo changes");
    let size = boot
        .changed
        .iter()
        .find(|(k, _, _)| k == "sizeof(seL4_BootInfo)")
        .expect("size changes");
    let (a, b): (usize, usize) = (size.1.parse().unwrap(), size.2.parse().unwrap());
    // A packed seL4_UntypedDesc is 12 bytes: the physical address word, then size bits, device flag, padding.
    assert_eq!(b - a, (n - 167) * 12);
    assert!(boot.changed_names().contains(&"seL4_BootInfo.untypedList"));
}

#[test]
fn a_release_kernel_loses_the_debug_syscalls() {
    let o = option(embedded(), "debug_build");
    let sys = o.diff(Category::Syscalls).expect("syscalls change");
    assert!(sys.added.is_empty() && sys.changed.is_empty());
    assert!(sys.removed_names().contains(&"DebugPutChar"));
    assert!(sys.removed_names().contains(&"DebugCapIdentify"));
}

#[test]
fn every_field_of_the_kernel_configuration_has_a_row_and_is_tried() {
    let r = embedded();
    assert_eq!(r.layout, Layout::Old);
    assert_eq!(r.compared, Category::ALL);
    let toml = KernelConfig::default().to_toml();
    let fields: Vec<&str> = toml
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
        .collect();
    let rows: Vec<&str> = r
        .options
        .iter()
        .filter(|o| o.exposed)
        .map(|o| o.option.as_str())
        .collect();
    assert_eq!(rows, fields);
    for o in &r.options {
        match &o.outcome {
            Outcome::Compared { diffs, .. } => {
                // At least the option's own `CONFIG_*` value differs: the variant really changed something.
                assert!(
                    diffs.iter().any(|(c, _)| *c == Category::Config),
                    "{}: {diffs:?}",
                    o.option
                )
            }
            // `arch` and `verified` select whole configurations; any other field left untried means
            // ALTERNATIVES needs an entry.
            Outcome::NotTried(why) => assert!(
                selkie_sys_gen::abi::NOT_TRIED.iter().any(|(k, _)| *k == o.option),
                "{}: {why}",
                o.option
            ),
            Outcome::Failed { error, .. } => panic!("{}: {error}", o.option),
        }
    }
    // The defines selkie does not expose are reported apart, after the fields.
    assert!(option(r, "CONFIG_VTX").diff(Category::Labels).is_some());
    assert!(!option(r, "CONFIG_VTX").exposed);
    assert!(r.option("CONFIG_KERNEL_MCS").is_none(), "seL4 5.0 has no MCS");
}

#[test]
fn the_markdown_is_a_table_with_one_row_per_option_and_is_deterministic() {
    let md = embedded().to_markdown();
    let again = abi::report(
        &kernel_root(),
        &Target::x86_64(),
        &KernelConfig::default(),
        "the embedded seL4",
    )
    .unwrap()
    .to_markdown();
    assert_eq!(md, again);
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), embedded().options.len());
    let row = |name: &str| *rows.iter().find(|r| r.starts_with(&format!("| `{name}` |"))).unwrap();
    assert!(
        row("root_cnode_size_bits").ends_with("| none |"),
        "{}",
        row("root_cnode_size_bits")
    );
    assert!(
        row("hardware_debug_api").contains("labels: 4 added (TCBSetBreakpoint"),
        "{}",
        row("hardware_debug_api")
    );
    assert!(row("max_num_bootinfo_untyped_caps").contains("bootinfo: size 2173 -> "));
    assert!(md.contains("### Details"));
    assert!(!md.contains("Not compared"), "the embedded tree has every fact");
}

#[test]
fn the_config_module_documentation_carries_the_report() {
    let root = kernel_root();
    let config = KernelConfig::default();
    let mut src = selkie_sys_gen::generate(&root, &Target::x86_64(), &config.defines()).unwrap();
    let before = src.clone();
    abi::document_config_module(&mut src, &root, &Target::x86_64(), &config);
    let at = src.find("\npub mod config {").unwrap();
    let doc_start = src[..at]
        .rfind("/// # Which options change the ABI")
        .expect("the section heading");
    let doc = &src[doc_start..at];
    assert!(doc.lines().all(|l| l.starts_with("///")), "only doc lines are added");
    assert!(doc.contains("/// | `hardware_debug_api` | `false` | `true` | labels: 4 added"));
    // Nothing else of the bindings changes: the block inserted runs from the blank doc line before the heading
    // to the line before `pub mod config`.
    let inserted = doc_start - "///\n".len()..at + 1;
    assert_eq!(&src[inserted.start..doc_start], "///\n");
    let mut without = src.clone();
    without.replace_range(inserted, "");
    assert_eq!(without, before);
}
