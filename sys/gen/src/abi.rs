//! Which kernel configuration options change the kernel/user ABI.
//!
//! For every option of selkie's typed kernel configuration ([`KernelConfig`]), the generator reads the kernel
//! tree with only that option changed from a baseline configuration, and the result is compared with the
//! baseline's in everything user code depends on: syscall numbers, invocation labels, message layouts of the object methods, object types and their
//! sizes, the bootinfo layout, and libsel4's constants (errors, initial capability slots, capability tags,
//! message limits, fault message layouts, priorities) and the `config` constants themselves.
//!
//! The options are found by serialising the configuration (so a field added to [`KernelConfig`] is tried
//! without a change here): a boolean is flipped, a number gets the value of [`ALTERNATIVES`] (or is doubled),
//! an enumeration gets the value of [`ALTERNATIVES`]. Whether the changed configuration builds or boots in QEMU
//! does not matter: the question is what the ABI would be.
//!
//! A tree with the newer interface layout and no headers (the seL4 16.0.0-dev fixtures) only allows the
//! interface-derived facts (syscalls, labels, message layouts) to be compared; [`Report::compared`] says which
//! were, and the markdown says so too.
//!
//! ```no_run
//! # fn main() -> selkie_sys_gen::Result<()> {
//! use selkie_sys_gen::{abi, Target};
//! let root = std::path::Path::new("seL4");
//! let report = abi::report(root, &Target::x86_64(), &selkie_kernel::KernelConfig::default(), "seL4 5.0.0")?;
//! print!("{}", report.to_markdown());
//! # Ok(())
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use selkie_kernel::{Config, KernelConfig};

use crate::cheader::{self, BfField, Defines};
use crate::emit::marshal;
use crate::error::{Error, Result};
use crate::interface::{self, Api, Layout, Method, Syscall};
use crate::{Bindings, LaidField, Target};

/// The value tried for options that are not booleans, in TOML: the first entry that differs from the baseline
/// value is used. Numbers not listed are doubled; enumerations not listed are reported as not tried.
pub const ALTERNATIVES: &[(&str, &[&str])] = &[
    ("apic", &["\"x2apic\"", "\"xapic\""]),
    ("fsgsbase", &["\"inst\"", "\"msr\""]),
    ("optimisation", &["\"O3\"", "\"O2\""]),
    ("root_cnode_size_bits", &["16", "12"]),
    ("max_num_bootinfo_untyped_caps", &["230", "167"]),
    ("num_priorities", &["128", "256"]),
    ("num_domains", &["16", "1"]),
    ("max_num_nodes", &["2", "1"]),
    ("kernel_stack_bits", &["13", "12"]),
];

/// Fields that are not tried, with the reason: they select a whole configuration rather than one option.
pub const NOT_TRIED: &[(&str, &str)] = &[
    (
        "arch",
        "it selects the architecture, whose bindings are a different set: each architecture has its own report",
    ),
    (
        "verified",
        "it selects the kernel tree's own imx6 configuration file (aarch32 only), whose options are the fields tried here",
    ),
];

/// Kernel options that selkie's configuration does not expose, tried too by adding the define to the baseline
/// (each only when some file of the tree's `libsel4` mentions it: seL4 5.0 has no MCS).
pub const UNEXPOSED: &[&str] = &["CONFIG_KERNEL_MCS", "CONFIG_VTX", "CONFIG_IOMMU"];

/// One kind of ABI fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Syscall numbers of the enabled syscalls.
    Syscalls,
    /// Invocation labels of the enabled object methods.
    Labels,
    /// How each method's arguments travel (capabilities, message words, reply words).
    Messages,
    /// Object type numbers.
    ObjectTypes,
    /// Object sizes (`seL4_*Bits`).
    ObjectSizes,
    /// Field offsets and sizes of `seL4_BootInfo` and its element types, and its total size.
    Bootinfo,
    /// libsel4 constants: errors, initial capability slots, capability tags, message limits and layouts,
    /// fault message layouts, priorities.
    Constants,
    /// The `CONFIG_*` values (the generated `config` module).
    Config,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 8] = [
        Category::Syscalls,
        Category::Labels,
        Category::Messages,
        Category::ObjectTypes,
        Category::ObjectSizes,
        Category::Bootinfo,
        Category::Constants,
        Category::Config,
    ];

    /// The categories a tree with interface files only allows.
    pub const INTERFACE: [Category; 3] = [Category::Syscalls, Category::Labels, Category::Messages];

    /// Short name used in the report.
    pub fn name(self) -> &'static str {
        match self {
            Category::Syscalls => "syscalls",
            Category::Labels => "labels",
            Category::Messages => "messages",
            Category::ObjectTypes => "object types",
            Category::ObjectSizes => "object sizes",
            Category::Bootinfo => "bootinfo",
            Category::Constants => "constants",
            Category::Config => "config",
        }
    }

    /// What a changed value is called in this category.
    fn changed_word(self) -> &'static str {
        match self {
            Category::Syscalls | Category::Labels | Category::ObjectTypes => "renumbered",
            _ => "changed",
        }
    }

    /// A longer description, for the list of compared facts.
    fn description(self) -> &'static str {
        match self {
            Category::Syscalls => "syscall numbers",
            Category::Labels => "invocation labels",
            Category::Messages => "message layouts of the object methods (capabilities, message words, reply words)",
            Category::ObjectTypes => "object type numbers",
            Category::ObjectSizes => "object sizes (`seL4_*Bits`)",
            Category::Bootinfo => "bootinfo layout (field offsets and sizes, total size)",
            Category::Constants => {
                "constants (errors, initial caps, cap tags, message limits, message-info and cap-rights bits, \
                 fault message layouts, priorities)"
            }
            Category::Config => "`config` constants (`CONFIG_*` values)",
        }
    }
}

/// The ABI facts of one configuration: for each category, named values in a meaningful order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Category to (name, value) pairs.
    pub facts: BTreeMap<Category, Vec<(String, String)>>,
}

/// What differs in one category between the baseline and a changed configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Present only in the changed configuration: (name, value), in the changed configuration's order.
    pub added: Vec<(String, String)>,
    /// Present only in the baseline: (name, value), in the baseline's order.
    pub removed: Vec<(String, String)>,
    /// Present in both with different values: (name, baseline value, changed value).
    pub changed: Vec<(String, String, String)>,
}

impl Diff {
    /// Compares two ordered fact lists.
    pub fn between(old: &[(String, String)], new: &[(String, String)]) -> Diff {
        let old_map: BTreeMap<&str, &str> = old.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let new_map: BTreeMap<&str, &str> = new.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut d = Diff::default();
        for (k, v) in new {
            match old_map.get(k.as_str()) {
                None => d.added.push((k.clone(), v.clone())),
                Some(o) if *o != v => d.changed.push((k.clone(), o.to_string(), v.clone())),
                Some(_) => {}
            }
        }
        for (k, v) in old {
            if !new_map.contains_key(k.as_str()) {
                d.removed.push((k.clone(), v.clone()));
            }
        }
        d
    }

    /// Nothing differs.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The names added.
    pub fn added_names(&self) -> Vec<&str> {
        self.added.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The names removed.
    pub fn removed_names(&self) -> Vec<&str> {
        self.removed.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The names whose value changed.
    pub fn changed_names(&self) -> Vec<&str> {
        self.changed.iter().map(|(k, _, _)| k.as_str()).collect()
    }
}

/// One option of the report: how it was changed and what that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionReport {
    /// The option: a [`KernelConfig`] field name, or a `CONFIG_*` define selkie does not expose.
    pub option: String,
    /// Whether the option is a field of [`KernelConfig`] (else a kernel define from [`UNEXPOSED`]).
    pub exposed: bool,
    /// Its baseline value (TOML for fields, "undefined" for defines).
    pub baseline: String,
    /// What was compared.
    pub outcome: Outcome,
}

/// The result of trying one option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Compared with this value (TOML for fields, `1` for defines): the non-empty differences, in
    /// [`Category::ALL`] order.
    Compared {
        /// The value tried.
        value: String,
        /// The categories that differ.
        diffs: Vec<(Category, Diff)>,
    },
    /// Not tried, with the reason (for example: the option has only one valid value).
    NotTried(String),
    /// The generator could not read the tree with this value (the error).
    Failed {
        /// The value tried.
        value: String,
        /// The generator's error.
        error: String,
    },
}

impl OptionReport {
    /// The difference in one category, if the option was compared and the category differs.
    pub fn diff(&self, category: Category) -> Option<&Diff> {
        match &self.outcome {
            Outcome::Compared { diffs, .. } => diffs.iter().find(|(c, _)| *c == category).map(|(_, d)| d),
            _ => None,
        }
    }

    /// The categories that differ (empty when not compared).
    pub fn changed_categories(&self) -> Vec<Category> {
        match &self.outcome {
            Outcome::Compared { diffs, .. } => diffs.iter().map(|(c, _)| *c).collect(),
            _ => Vec::new(),
        }
    }
}

/// The whole report for one kernel tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What the tree is (e.g. "the embedded seL4 5.0.0"), for the title.
    pub title: String,
    /// The interface layout of the tree.
    pub layout: Layout,
    /// The facts that could be compared.
    pub compared: Vec<Category>,
    /// Defines added to every configuration the way the tree's own build derives them (with the reason).
    pub derived: Vec<String>,
    /// One entry per option: [`KernelConfig`] fields first (in declaration order), then [`UNEXPOSED`] defines.
    pub options: Vec<OptionReport>,
}

impl Report {
    /// The entry for an option.
    pub fn option(&self, name: &str) -> Option<&OptionReport> {
        self.options.iter().find(|o| o.option == name)
    }
}

/// A configuration to compare with the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The [`KernelConfig`] field name.
    pub option: String,
    /// Its baseline value, as TOML.
    pub baseline: String,
    /// The value tried, as TOML, and the configuration's defines; or why no value was tried.
    pub tried: std::result::Result<(String, BTreeMap<String, String>), String>,
}

/// One variant per field of `base`: each field changed alone to another value (see [`ALTERNATIVES`]).
pub fn variants(base: &KernelConfig) -> Vec<Variant> {
    let text = base.to_toml();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with('[') {
            // A nested table: its fields are not scalar options; none exist today.
            break;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let alternative = alternative(key, value);
        let tried = alternative.and_then(|alt| {
            let mut changed: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            changed[i] = format!("{key} = {alt}");
            let toml = format!("[kernel]\n{}\n", changed.join("\n"));
            let config = Config::from_toml_str(&toml, "abi-report")
                .map_err(|e| format!("{key} = {alt} is not a value of the field: {e}"))?;
            Ok((alt, config.kernel.defines()))
        });
        out.push(Variant {
            option: key.to_string(),
            baseline: value.to_string(),
            tried,
        });
    }
    out
}

/// The value to try for a field whose baseline value (TOML) is `value`.
fn alternative(key: &str, value: &str) -> std::result::Result<String, String> {
    if let Some((_, why)) = NOT_TRIED.iter().find(|(k, _)| *k == key) {
        return Err(why.to_string());
    }
    if let Some((_, list)) = ALTERNATIVES.iter().find(|(k, _)| *k == key) {
        return list
            .iter()
            .find(|v| **v != value)
            .map(|v| v.to_string())
            .ok_or_else(|| "only one value exists".to_string());
    }
    match value {
        "true" => Ok("false".into()),
        "false" => Ok("true".into()),
        _ => match value.parse::<u64>() {
            Ok(0) => Ok("1".into()),
            Ok(n) => Ok((n * 2).to_string()),
            Err(_) => Err(format!(
                "no other value known: add one to selkie_sys_gen::abi::ALTERNATIVES (baseline {value})"
            )),
        },
    }
}

/// Adds the defines a tree's own build derives from others, so that its conditions see them: the newer kernels'
/// build defines `CONFIG_ENABLE_SMP_SUPPORT` when `CONFIG_MAX_NUM_NODES` > 1 (the older ones test the number
/// directly, and selkie's [`KernelConfig::defines`] is written for them).
fn derive_defines(layout: Layout, config: &mut BTreeMap<String, String>) {
    if layout == Layout::New {
        let nodes = config
            .get("CONFIG_MAX_NUM_NODES")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(1);
        if nodes > 1 {
            config.insert("CONFIG_ENABLE_SMP_SUPPORT".into(), "1".into());
        }
    }
}

/// The interface layout of a `libsel4` directory.
fn layout_of(libsel4: &Path, target: &Target) -> Result<Layout> {
    let paths = interface::interface_paths(libsel4, &target.arch, &target.sel4_arch)?;
    Ok(interface::parse_interface_file(&paths[0])?.layout)
}

/// How one method's arguments travel, as one line: `caps(a, b) words(x | y[8+8], z) reply(r[0+8])`.
fn message_layout(m: &Method, word_bits: u32, api: &Api) -> String {
    match marshal(m, word_bits, &api.structs, &api.interfaces) {
        Ok(mar) => {
            let part = |name: &str, shift: u32, width: u32, of: usize| {
                let mut s = name.to_string();
                if of > 0 {
                    let _ = write!(s, "#{of}");
                }
                if width != word_bits {
                    let _ = write!(s, "[{shift}+{width}]");
                }
                s
            };
            let words: Vec<String> = mar
                .words
                .iter()
                .map(|w| {
                    w.iter()
                        .map(|p| part(&p.name, p.shift, p.width, p.word_of_value))
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect();
            let reply: Vec<String> = mar
                .outputs
                .iter()
                .map(|(p, _, first, width)| format!("{}@{first}+{width}", p.name))
                .collect();
            format!(
                "caps({}) words({}) reply({})",
                mar.caps.join(", "),
                words.join(", "),
                reply.join(", ")
            )
        }
        // A parameter type the generator cannot place: compare the declared parameters instead.
        Err(_) => m
            .params
            .iter()
            .map(|p| {
                format!(
                    "{} {}: {}",
                    if p.dir == crate::Dir::In { "in" } else { "out" },
                    p.name,
                    p.ty
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn interface_facts(api: &Api, syscalls: &[Syscall], word_bits: u32, facts: &mut Facts) {
    let f = &mut facts.facts;
    f.insert(
        Category::Syscalls,
        syscalls
            .iter()
            .filter(|s| s.enabled)
            .map(|s| (s.name.clone(), s.number.to_string()))
            .collect(),
    );
    f.insert(
        Category::Labels,
        api.methods
            .iter()
            .map(|m| (m.method.id.clone(), m.label.to_string()))
            .collect(),
    );
    f.insert(
        Category::Messages,
        api.methods
            .iter()
            .map(|m| (m.method.id.clone(), message_layout(&m.method, word_bits, api)))
            .collect(),
    );
}

fn laid(prefix: &str, fields: &[LaidField], out: &mut Vec<(String, String)>) {
    for f in fields {
        out.push((
            format!("{prefix}.{}", f.field.name),
            format!("offset {}, {} bytes", f.offset, f.size),
        ));
    }
}

fn bits(prefix: &str, fields: &[BfField], out: &mut Vec<(String, String)>) {
    for f in fields {
        if let Some(name) = &f.name {
            out.push((format!("{prefix}.{name}"), format!("bits {}+{}", f.shift, f.bits)));
        }
    }
}

/// The enumerators of libsel4's `constants.h` files (fault message layouts, priorities, breakpoint types,
/// message limits), evaluated for the configuration.
fn constants_h(root: &Path, target: &Target, config: &BTreeMap<String, String>) -> Result<Vec<(String, String)>> {
    let l = root.join("libsel4");
    let mut defines = Defines::from_config(config);
    defines.map.entry("HAVE_AUTOCONF".into()).or_insert_with(|| "1".into());
    let mut out = Vec::new();
    for p in [
        l.join(format!(
            "sel4_arch_include/{}/sel4/sel4_arch/constants.h",
            target.sel4_arch
        )),
        l.join(format!("arch_include/{}/sel4/arch/constants.h", target.arch)),
        l.join("include/sel4/constants.h"),
    ] {
        if !p.is_file() {
            continue;
        }
        let pre = cheader::preprocess_file(&p, &mut defines, false)?;
        for e in cheader::enums(&p, &pre.text, &mut defines)? {
            out.extend(e.entries.into_iter().map(|(n, v)| (n, v.to_string())));
        }
    }
    Ok(out)
}

/// Every ABI fact of a full kernel tree (headers available) for a configuration.
pub fn full_facts(root: &Path, b: &Bindings) -> Result<Facts> {
    let mut facts = Facts::default();
    interface_facts(&b.api, &b.syscalls, b.arch.word_bits, &mut facts);
    let k = &b.kernel;
    let num = |list: &[(String, i64)]| -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.clone(), v.to_string())).collect()
    };
    let f = &mut facts.facts;
    f.insert(Category::ObjectTypes, num(&k.object_types));
    let mut sizes = num(&k.size_bits);
    for (ty, define) in b.arch.object_size {
        if let Some((_, v)) = k.size_bits.iter().find(|(n, _)| n == define) {
            if k.object_types.iter().any(|(n, _)| n == ty) {
                sizes.push((format!("{ty} size"), format!("2^{v}")));
            }
        }
    }
    f.insert(Category::ObjectSizes, sizes);
    let mut boot = vec![("sizeof(seL4_BootInfo)".to_string(), k.bootinfo_size.to_string())];
    laid("seL4_BootInfo", &k.bootinfo, &mut boot);
    laid("seL4_UntypedDesc", &k.untyped_desc, &mut boot);
    laid("seL4_SlotRegion", &k.slot_region, &mut boot);
    f.insert(Category::Bootinfo, boot);
    let mut c = num(&k.errors);
    c.push(("seL4_NumErrors".into(), k.num_errors.to_string()));
    c.extend(num(&k.initial_caps));
    c.extend(k.cap_tags.iter().map(|(n, v)| (format!("cap tag {n}"), v.to_string())));
    c.push(("seL4_MsgMaxExtraCaps".into(), k.msg_max_extra_caps.to_string()));
    c.push((
        "message registers in CPU registers".into(),
        b.arch.message_registers.to_string(),
    ));
    bits("seL4_MessageInfo", &k.msg_info, &mut c);
    bits("seL4_CapRights", &k.cap_rights, &mut c);
    for (n, v) in constants_h(root, &b.target, &b.config)? {
        if !c.iter().any(|(m, _)| *m == n) {
            c.push((n, v));
        }
    }
    f.insert(Category::Constants, c);
    f.insert(
        Category::Config,
        b.config.iter().map(|(n, v)| (n.clone(), v.clone())).collect(),
    );
    Ok(facts)
}

/// Whether a tree has the headers the full comparison reads (else only the interface files are compared).
fn has_headers(root: &Path) -> bool {
    root.join("libsel4/include/sel4/objecttype.h").is_file()
}

/// The facts of `root` (a kernel tree: the directory holding `libsel4/`) for a configuration.
fn facts_of(root: &Path, target: &Target, config: &BTreeMap<String, String>) -> Result<Facts> {
    if has_headers(root) {
        let b = crate::collect(root, target, config)?;
        full_facts(root, &b)
    } else {
        let libsel4 = root.join("libsel4");
        let arch = target.info()?;
        let api = interface::load_api(&libsel4, &target.arch, &target.sel4_arch, config)?;
        let syscalls = interface::parse_syscalls(&libsel4.join("include/api/syscall.xml"), config)?;
        let mut facts = Facts::default();
        interface_facts(&api, &syscalls, arch.word_bits, &mut facts);
        facts.facts.insert(
            Category::Config,
            config.iter().map(|(n, v)| (n.clone(), v.clone())).collect(),
        );
        Ok(facts)
    }
}

fn compare(base: &Facts, other: &Facts) -> Vec<(Category, Diff)> {
    Category::ALL
        .iter()
        .filter_map(|c| {
            let (Some(a), Some(b)) = (base.facts.get(c), other.facts.get(c)) else {
                return None;
            };
            let mut d = Diff::between(a, b);
            if *c == Category::Messages {
                // Methods that appear or disappear are reported under labels; here only changed layouts count.
                d.added.clear();
                d.removed.clear();
            }
            (!d.is_empty()).then_some((*c, d))
        })
        .collect()
}

/// Whether any input file of the tree's `libsel4` mentions `name` (for [`UNEXPOSED`] defines).
fn tree_mentions(root: &Path, name: &str) -> bool {
    let mut dirs = vec![root.join("libsel4")];
    while let Some(dir) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                dirs.push(p);
            } else if std::fs::read_to_string(&p).is_ok_and(|t| t.contains(name)) {
                return true;
            }
        }
    }
    false
}

/// Resolves a directory given for a tree: the tree itself (holding `libsel4/`) or its `libsel4` directory.
pub fn tree_root(dir: &Path) -> Result<PathBuf> {
    if dir.join("libsel4").is_dir() {
        Ok(dir.to_path_buf())
    } else if dir.join("include/interfaces").is_dir() {
        Ok(dir.parent().map(Path::to_path_buf).unwrap_or_default())
    } else {
        Err(Error::file(
            dir,
            "not a kernel tree: expected a `libsel4/` directory in it (or it to be one)",
        ))
    }
}

/// Reports, for every option of `base` (and the [`UNEXPOSED`] defines the tree mentions), what changing it
/// alone changes in the ABI of the tree at `root` (the directory holding `libsel4/`). `title` names the tree in
/// the output.
pub fn report(root: &Path, target: &Target, base: &KernelConfig, title: &str) -> Result<Report> {
    let layout = layout_of(&root.join("libsel4"), target)?;
    let mut base_defines = base.defines();
    derive_defines(layout, &mut base_defines);
    let base_facts = facts_of(root, target, &base_defines)?;
    let compared: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|c| base_facts.facts.contains_key(c))
        .collect();
    let mut derived = Vec::new();
    if layout == Layout::New {
        derived.push(
            "`CONFIG_ENABLE_SMP_SUPPORT` is defined whenever `CONFIG_MAX_NUM_NODES` > 1, as the newer kernels' \
             build does"
                .to_string(),
        );
    }
    let try_one = |value: String, mut config: BTreeMap<String, String>| {
        derive_defines(layout, &mut config);
        match facts_of(root, target, &config) {
            Ok(f) => Outcome::Compared {
                value,
                diffs: compare(&base_facts, &f),
            },
            Err(e) => Outcome::Failed {
                value,
                error: e.to_string(),
            },
        }
    };
    let mut options = Vec::new();
    for v in variants(base) {
        let outcome = match v.tried {
            Ok((value, config)) => try_one(value, config),
            Err(why) => Outcome::NotTried(why),
        };
        options.push(OptionReport {
            option: v.option,
            exposed: true,
            baseline: v.baseline,
            outcome,
        });
    }
    for define in UNEXPOSED {
        if base_defines.contains_key(*define) || !tree_mentions(root, define) {
            continue;
        }
        let mut config = base.defines();
        config.insert(define.to_string(), "1".into());
        options.push(OptionReport {
            option: define.to_string(),
            exposed: false,
            baseline: "undefined".into(),
            outcome: try_one("1".into(), config),
        });
    }
    Ok(Report {
        title: title.to_string(),
        layout,
        compared,
        derived,
        options,
    })
}

/// Up to `max` names, then "...".
fn some_names(names: &[&str], max: usize) -> String {
    let mut s = names.iter().take(max).copied().collect::<Vec<_>>().join(", ");
    if names.len() > max {
        s.push_str(", ...");
    }
    s
}

/// A short value fits in a table cell.
fn short(v: &str) -> bool {
    v.len() <= 12
}

/// One category's difference in a few words: `labels: 4 added (A, B, ...), 31 renumbered`.
pub fn summarise(category: Category, d: &Diff) -> String {
    let mut parts = Vec::new();
    let bootinfo_size = "sizeof(seL4_BootInfo)";
    let mut changed: Vec<&(String, String, String)> = d.changed.iter().collect();
    if category == Category::Bootinfo {
        if let Some(pos) = changed.iter().position(|(k, _, _)| k == bootinfo_size) {
            let (_, a, b) = changed.remove(pos);
            parts.push(format!("size {a} -> {b}"));
        }
    }
    if !d.added.is_empty() {
        parts.push(format!("{} added ({})", d.added.len(), some_names(&d.added_names(), 4)));
    }
    if !d.removed.is_empty() {
        parts.push(format!(
            "{} removed ({})",
            d.removed.len(),
            some_names(&d.removed_names(), 4)
        ));
    }
    if !changed.is_empty() {
        let word = category.changed_word();
        if changed.len() <= 3 {
            let items: Vec<String> = changed
                .iter()
                .map(|(k, a, b)| {
                    let k = if category == Category::Bootinfo {
                        k.rsplit('.').next().unwrap_or(k)
                    } else {
                        k.strip_prefix("CONFIG_").unwrap_or(k)
                    };
                    if short(a) && short(b) {
                        format!("{k} {a} -> {b}")
                    } else {
                        k.to_string()
                    }
                })
                .collect();
            parts.push(format!("{word}: {}", items.join(", ")));
        } else {
            parts.push(format!("{} {word}", changed.len()));
        }
    }
    format!("{}: {}", category.name(), parts.join(", "))
}

/// The table cell for one option.
fn option_summary(o: &OptionReport, compared: &[Category]) -> String {
    match &o.outcome {
        Outcome::NotTried(why) => format!("not tried: {why}"),
        Outcome::Failed { error, .. } => format!("could not be read: {error}"),
        Outcome::Compared { diffs, .. } => {
            let abi: Vec<String> = diffs
                .iter()
                .filter(|(c, _)| *c != Category::Config)
                .map(|(c, d)| summarise(*c, d))
                .collect();
            if abi.is_empty() && compared.len() == Category::ALL.len() {
                "none".to_string()
            } else if abi.is_empty() {
                // Only some facts were compared: say which, so that "none" is not read as "no ABI change".
                let names: Vec<&str> = compared
                    .iter()
                    .filter(|c| **c != Category::Config)
                    .map(|c| c.name())
                    .collect();
                format!("none in {}", names.join(", "))
            } else {
                abi.join("; ")
            }
        }
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

impl Report {
    /// The report as markdown: a table with one row per option, then the details of every option that changes
    /// something. Deterministic: the same tree and baseline give the same text.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "ABI changes per kernel configuration option, for {}.\n",
            self.title
        );
        let _ = writeln!(
            out,
            "Each option is changed alone from that configuration; the bindings are generated for both \
             configurations and compared. Compared: {}.",
            self.compared
                .iter()
                .map(|c| c.description())
                .collect::<Vec<_>>()
                .join("; ")
        );
        let missing: Vec<&str> = Category::ALL
            .iter()
            .filter(|c| !self.compared.contains(c))
            .map(|c| c.name())
            .collect();
        if !missing.is_empty() {
            let _ = writeln!(
                out,
                "\nNot compared ({}): this tree has interface files only (`{}` layout), no libsel4 headers.",
                missing.join(", "),
                match self.layout {
                    Layout::New => "object-api.xml",
                    Layout::Old => "sel4.xml",
                }
            );
        }
        for d in &self.derived {
            let _ = writeln!(out, "\nDerived: {d}.");
        }
        out.push_str(
            "\nA change in `config` alone (the option's own `CONFIG_*` constant) leaves the interface's numbers and \
             layouts as they were: the table says \"none\" and the details list it.\n\n",
        );
        out.push_str("| option | default | tried | ABI changes |\n|---|---|---|---|\n");
        for o in &self.options {
            let name = if o.exposed {
                format!("`{}`", o.option)
            } else {
                format!("`{}` (not a selkie option)", o.option)
            };
            let tried = match &o.outcome {
                Outcome::Compared { value, .. } | Outcome::Failed { value, .. } => format!("`{value}`"),
                Outcome::NotTried(_) => "-".into(),
            };
            let _ = writeln!(
                out,
                "| {name} | `{}` | {tried} | {} |",
                o.baseline,
                cell(&option_summary(o, &self.compared))
            );
        }
        out.push_str("\n### Details\n");
        for o in &self.options {
            let Outcome::Compared { value, diffs } = &o.outcome else {
                continue;
            };
            let _ = writeln!(out, "\n**`{}` = `{value}`** (default `{}`):\n", o.option, o.baseline);
            for (c, d) in diffs {
                let mut line = |what: &str, items: Vec<String>| {
                    if !items.is_empty() {
                        let _ = writeln!(out, "- {} {what}: {}", c.name(), items.join(", "));
                    }
                };
                line("added", d.added.iter().map(|(k, v)| format!("`{k}` = {v}")).collect());
                line(
                    "removed",
                    d.removed.iter().map(|(k, v)| format!("`{k}` = {v}")).collect(),
                );
                // Message layouts hold brackets and bars: shown as code so that markdown leaves them alone.
                let value = |v: &str| {
                    if *c == Category::Messages {
                        format!("`{v}`")
                    } else {
                        v.to_string()
                    }
                };
                line(
                    c.changed_word(),
                    d.changed
                        .iter()
                        .map(|(k, a, b)| format!("`{k}` {} -> {}", value(a), value(b)))
                        .collect(),
                );
            }
        }
        out
    }

    /// The options whose change alters something other than their own `config` constant.
    pub fn abi_changing(&self) -> BTreeSet<&str> {
        self.options
            .iter()
            .filter(|o| o.changed_categories().iter().any(|c| *c != Category::Config))
            .map(|o| o.option.as_str())
            .collect()
    }
}

/// Appends the ABI report for the configuration `config` of the tree at `root` to the documentation of the
/// generated `config` module in `bindings` (the output of [`generate`](crate::generate)), for `selkie-sys`'s
/// build script. The report never fails the build: if it cannot be made, the documentation says why.
pub fn document_config_module(bindings: &mut String, root: &Path, target: &Target, config: &KernelConfig) {
    let Some(at) = bindings.find("\npub mod config {").map(|i| i + 1) else {
        return;
    };
    let version = std::fs::read_to_string(root.join("VERSION")).unwrap_or_default();
    let title = match version.trim() {
        "" => "this build's kernel tree, from this build's configuration".to_string(),
        v => format!("seL4 {v} (this build's kernel tree), from this build's configuration"),
    };
    let text = match report(root, target, config, &title) {
        Ok(r) => r.to_markdown(),
        Err(e) => format!("The ABI report could not be made: {e}\n"),
    };
    let mut doc = String::from("///\n/// # Which options change the ABI\n///\n");
    for line in text.lines() {
        if line.is_empty() {
            doc.push_str("///\n");
        } else {
            doc.push_str("/// ");
            doc.push_str(line);
            doc.push('\n');
        }
    }
    bindings.insert_str(at, &doc);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_diff_keeps_each_side_s_order() {
        let old = facts(&[("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")]);
        let new = facts(&[("A", "1"), ("X", "2"), ("B", "3"), ("D", "5")]);
        let d = Diff::between(&old, &new);
        assert_eq!(d.added_names(), ["X"]);
        assert_eq!(d.removed_names(), ["C"]);
        assert_eq!(
            d.changed,
            [
                ("B".to_string(), "2".to_string(), "3".to_string()),
                ("D".to_string(), "4".to_string(), "5".to_string())
            ]
        );
        assert!(Diff::between(&old, &old).is_empty());
        assert_eq!(
            summarise(Category::Labels, &d),
            "labels: 1 added (X), 1 removed (C), renumbered: B 2 -> 3, D 4 -> 5"
        );
    }

    #[test]
    fn alternatives_flip_booleans_double_numbers_and_refuse_unknown_enumerations() {
        assert_eq!(alternative("fastpath", "true").unwrap(), "false");
        assert_eq!(alternative("huge_page", "false").unwrap(), "true");
        assert_eq!(alternative("some_new_count", "7").unwrap(), "14");
        assert_eq!(alternative("some_new_count", "0").unwrap(), "1");
        assert_eq!(alternative("apic", "\"xapic\"").unwrap(), "\"x2apic\"");
        assert_eq!(alternative("apic", "\"x2apic\"").unwrap(), "\"xapic\"");
        assert!(alternative("arch", "\"x86_64\"").is_err());
        let e = alternative("some_new_mode", "\"fast\"").unwrap_err();
        assert!(e.contains("ALTERNATIVES"), "{e}");
    }

    #[test]
    fn every_variant_changes_its_field_and_the_defines() {
        let base = KernelConfig::default();
        let base_toml = base.to_toml();
        for v in variants(&base) {
            let Ok((value, defines)) = &v.tried else {
                continue;
            };
            assert_ne!(*value, v.baseline, "{}", v.option);
            assert_ne!(*defines, base.defines(), "{} = {value} changes no define", v.option);
            assert!(base_toml.contains(&format!("{} = {}", v.option, v.baseline)));
        }
    }
}
