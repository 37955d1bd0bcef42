//! `selkie-sys-gen`: generates selkie's raw seL4 bindings (Rust source) from the kernel's own definitions.
//!
//! Inputs, all read from the kernel source tree the pipeline builds (nothing is hand-copied):
//! - the object API interface files (both layouts, see [`interface`]) and the syscall list;
//! - the kernel configuration (`CONFIG_*` name to value, as in `autoconf.h`) and the types of its options
//!   (the kernel's `Kconfig` files);
//! - libsel4's headers for object types, object sizes, error codes, initial capability slots and the bootinfo
//!   structure, with `#if`/`#ifdef` evaluated against the configuration;
//! - the bitfield (`.bf`) files for the message-info and cap-rights layouts and the capability type tags.
//!
//! [`collect`] gathers everything into [`Bindings`] (inspectable by tests), [`emit`](emit::emit) turns that
//! into one Rust source string, and [`generate`] does both. Every failure is an [`Error`] naming the file and
//! the element or line at fault.
//!
//! [`abi`] answers which kernel configuration options change the kernel/user ABI, by generating the bindings
//! once per option and comparing.
//!
//! [`cprobe`] is test support, not part of generation: the host cross-check tests use it to ask gcc what the
//! kernel's C headers say.

#![warn(missing_docs)]

pub mod abi;
pub mod cexpr;
pub mod cheader;
pub mod cprobe;
pub mod emit;
pub mod error;
pub mod interface;
pub mod names;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::{Error, Result};
pub use interface::{Api, Condition, Dir, Method, Param, Syscall};

use cheader::{BfField, CField, Defines};

/// The architecture the bindings are for, in the kernel's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The kernel's `ARCH`, e.g. `x86`.
    pub arch: String,
    /// The kernel's `SEL4_ARCH`, e.g. `x86_64`.
    pub sel4_arch: String,
}

impl Target {
    /// pc99 / x86_64.
    pub fn x86_64() -> Self {
        Target {
            arch: "x86".into(),
            sel4_arch: "x86_64".into(),
        }
    }

    /// imx6 (and the other ARMv7-A platforms) / aarch32.
    pub fn aarch32() -> Self {
        Target {
            arch: "arm".into(),
            sel4_arch: "aarch32".into(),
        }
    }

    /// The architecture facts the generator needs that are not in any kernel file it reads.
    pub fn info(&self) -> Result<ArchInfo> {
        match self.sel4_arch.as_str() {
            // Four message registers travel in r2-r5 (libsel4's aarch32 `syscalls.h`).
            "aarch32" => Ok(ArchInfo {
                word_bits: 32,
                message_registers: 4,
                object_size: &[
                    ("seL4_TCBObject", "seL4_TCBBits"),
                    ("seL4_EndpointObject", "seL4_EndpointBits"),
                    ("seL4_NotificationObject", "seL4_NotificationBits"),
                    ("seL4_ARM_SmallPageObject", "seL4_PageBits"),
                    ("seL4_ARM_LargePageObject", "seL4_LargePageBits"),
                    ("seL4_ARM_SectionObject", "seL4_SectionBits"),
                    ("seL4_ARM_SuperSectionObject", "seL4_SuperSectionBits"),
                    ("seL4_ARM_PageTableObject", "seL4_PageTableBits"),
                    ("seL4_ARM_PageDirectoryObject", "seL4_PageDirBits"),
                    ("seL4_ARM_VCPUObject", "seL4_ARM_VCPUBits"),
                    ("seL4_ARM_IOPageTableObject", "seL4_IOPageTableBits"),
                ],
            }),
            "x86_64" => Ok(ArchInfo {
                word_bits: 64,
                message_registers: 4,
                object_size: &[
                    ("seL4_TCBObject", "seL4_TCBBits"),
                    ("seL4_EndpointObject", "seL4_EndpointBits"),
                    ("seL4_NotificationObject", "seL4_NotificationBits"),
                    ("seL4_X86_PDPTObject", "seL4_PDPTBits"),
                    ("seL4_X64_PML4Object", "seL4_PML4Bits"),
                    ("seL4_X64_HugePageObject", "seL4_HugePageBits"),
                    ("seL4_X86_4K", "seL4_PageBits"),
                    ("seL4_X86_LargePageObject", "seL4_LargePageBits"),
                    ("seL4_X86_PageTableObject", "seL4_PageTableBits"),
                    ("seL4_X86_PageDirectoryObject", "seL4_PageDirBits"),
                    ("seL4_X86_IOPageTableObject", "seL4_IOPageTableBits"),
                    ("seL4_X86_VCPUObject", "seL4_X86_VCPUBits"),
                    ("seL4_X86_EPTPML4Object", "seL4_X86_EPTPML4Bits"),
                    ("seL4_X86_EPTPDPTObject", "seL4_X86_EPTPDPTBits"),
                    ("seL4_X86_EPTPDObject", "seL4_X86_EPTPDBits"),
                    ("seL4_X86_EPTPTObject", "seL4_X86_EPTPTBits"),
                ],
            }),
            other => Err(Error::file(
                Path::new("."),
                format!("sel4_arch `{other}` is not supported by the generator yet"),
            )),
        }
    }
}

/// Per-architecture facts that live in libsel4's Python generators rather than in a data file.
#[derive(Debug, Clone)]
pub struct ArchInfo {
    /// Bits in a machine word.
    pub word_bits: u32,
    /// How many message registers travel in CPU registers (the rest go through the IPC buffer).
    pub message_registers: usize,
    /// Object type enumerator -> the `#define` giving its size in bits (types not listed are caller-sized).
    pub object_size: &'static [(&'static str, &'static str)],
}

/// The type of a Kconfig option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KconfigType {
    /// `bool` / `tristate`: defined or not.
    Bool,
    /// `int` or `hex`.
    Int,
    /// `string`.
    String,
}

/// A packed struct field with its computed byte offset and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaidField {
    /// The C field.
    pub field: CField,
    /// Rust type to emit.
    pub rust_ty: String,
    /// Byte offset in the packed struct.
    pub offset: usize,
    /// Byte size.
    pub size: usize,
}

/// What the generator read from the kernel's headers and bitfield files.
#[derive(Debug, Clone)]
pub struct KernelInfo {
    /// Object type enumerators (C name, value) in value order, without the `*Count` markers.
    pub object_types: Vec<(String, i64)>,
    /// Size `#define`s (`seL4_*Bits`) with values.
    pub size_bits: Vec<(String, i64)>,
    /// Error codes (C name, value), without `seL4_NoError` and `seL4_NumErrors`.
    pub errors: Vec<(String, i64)>,
    /// `seL4_NumErrors`.
    pub num_errors: i64,
    /// Initial capability slots (C name, value), including `seL4_NumInitialCaps`.
    pub initial_caps: Vec<(String, i64)>,
    /// Capability type tags (`null_cap`, ...) as returned by the debug cap-identify call.
    pub cap_tags: Vec<(String, i64)>,
    /// `seL4_MessageInfo` fields.
    pub msg_info: Vec<BfField>,
    /// `seL4_CapRights` fields.
    pub cap_rights: Vec<BfField>,
    /// `seL4_MsgMaxLength`.
    pub msg_max_length: i64,
    /// `seL4_MsgMaxExtraCaps` (`(1 << seL4_MsgExtraCapBits) - 1`).
    pub msg_max_extra_caps: i64,
    /// `seL4_BootInfo` fields with packed offsets.
    pub bootinfo: Vec<LaidField>,
    /// `sizeof(seL4_BootInfo)`.
    pub bootinfo_size: usize,
    /// `seL4_UntypedDesc` fields with packed offsets.
    pub untyped_desc: Vec<LaidField>,
    /// `seL4_SlotRegion` fields.
    pub slot_region: Vec<LaidField>,
    /// Kconfig option types by name (without the `CONFIG_` prefix).
    pub kconfig: BTreeMap<String, KconfigType>,
}

/// Everything the emitted bindings are made from.
#[derive(Debug, Clone)]
pub struct Bindings {
    /// The architecture.
    pub target: Target,
    /// Its facts.
    pub arch: ArchInfo,
    /// The configuration (`CONFIG_*` name to value).
    pub config: BTreeMap<String, String>,
    /// The labelled object API.
    pub api: Api,
    /// The syscall list with numbers.
    pub syscalls: Vec<Syscall>,
    /// Header-derived facts.
    pub kernel: KernelInfo,
}

fn first_existing(paths: &[PathBuf]) -> Result<PathBuf> {
    paths
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| Error::file(&paths[0], "file not found"))
}

/// Reads the Kconfig option types below `root` (the kernel's `Kconfig`, `libsel4/Kconfig` and `src/**/Kconfig`).
pub fn read_kconfig(root: &Path) -> Result<BTreeMap<String, KconfigType>> {
    let mut files = vec![root.join("Kconfig"), root.join("libsel4/Kconfig")];
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in rd.flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.file_name().is_some_and(|n| n == "Kconfig") {
                files.push(p);
            }
        }
    }
    let mut out = BTreeMap::new();
    for file in files.iter().filter(|f| f.is_file()) {
        let text = interface::read(file)?;
        let mut current: Option<String> = None;
        for line in text.lines() {
            let t = line.trim();
            let mut words = t.split_whitespace();
            match words.next() {
                Some("config" | "menuconfig") => current = words.next().map(str::to_string),
                Some("choice" | "endchoice" | "menu" | "endmenu" | "if" | "endif" | "source" | "comment") => {
                    current = None
                }
                Some(w @ ("bool" | "tristate" | "int" | "hex" | "string" | "def_bool" | "def_tristate")) => {
                    if let Some(name) = current.take() {
                        let ty = match w {
                            "int" | "hex" => KconfigType::Int,
                            "string" => KconfigType::String,
                            _ => KconfigType::Bool,
                        };
                        out.entry(name).or_insert(ty);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

fn c_type_layout(path: &Path, ty: &str, word_bytes: usize) -> Result<(String, usize)> {
    Ok(match ty {
        "seL4_Word" | "seL4_NodeId" | "seL4_Domain" | "seL4_SlotPos" | "seL4_CPtr" => ("Word".into(), word_bytes),
        "seL4_IPCBuffer*" => ("*mut crate::IpcBuffer".into(), word_bytes),
        "seL4_SlotRegion" => ("SlotRegion".into(), 2 * word_bytes),
        "seL4_UntypedDesc" => ("UntypedDesc".into(), word_bytes + 4),
        "seL4_Uint8" => ("u8".into(), 1),
        "seL4_Uint16" => ("u16".into(), 2),
        "seL4_Uint32" => ("u32".into(), 4),
        "seL4_Uint64" => ("u64".into(), 8),
        other => {
            return Err(Error::element(
                path,
                format!("field type {other}"),
                None,
                "unknown C type in a bootinfo structure",
            ))
        }
    })
}

fn lay_out(path: &Path, fields: Vec<CField>, defines: &Defines, word_bytes: usize) -> Result<(Vec<LaidField>, usize)> {
    let mut offset = 0;
    let mut out = Vec::new();
    for field in fields {
        let (mut rust_ty, mut size) = c_type_layout(path, &field.ty, word_bytes)?;
        if let Some(len) = &field.array {
            let n = defines.eval(len).map_err(|e| {
                Error::element(
                    path,
                    format!("field {}", field.name),
                    None,
                    format!("array length `{len}`: {e}"),
                )
            })?;
            let n = usize::try_from(n)
                .map_err(|_| Error::element(path, format!("field {}", field.name), None, "negative array length"))?;
            let len_expr = match len.strip_prefix("CONFIG_") {
                Some(name) if len.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    format!("config::{name}")
                }
                _ => n.to_string(),
            };
            rust_ty = format!("[{rust_ty}; {len_expr}]");
            size *= n;
        }
        out.push(LaidField {
            field,
            rust_ty,
            offset,
            size,
        });
        offset += size;
    }
    Ok((out, offset))
}

/// Reads the header- and bitfield-derived facts from a kernel tree.
pub fn read_kernel_info(root: &Path, target: &Target, config: &BTreeMap<String, String>) -> Result<KernelInfo> {
    let arch = target.info()?;
    let l = root.join("libsel4");
    let (a, sa) = (&target.arch, &target.sel4_arch);
    let mut defines = Defines::from_config(config);
    defines.map.entry("HAVE_AUTOCONF".into()).or_insert_with(|| "1".into());

    // Object types: generic, then sel4_arch ("mode"), then arch, each continuing the previous count.
    let mut object_types = Vec::new();
    for p in [
        l.join("include/sel4/objecttype.h"),
        l.join(format!("sel4_arch_include/{sa}/sel4/sel4_arch/objecttype.h")),
        l.join(format!("arch_include/{a}/sel4/arch/objecttype.h")),
    ] {
        let pre = cheader::preprocess_file(&p, &mut defines, false)?;
        let es = cheader::enums(&p, &pre.text, &mut defines)?;
        if es.is_empty() {
            return Err(Error::file(&p, "no object type enum found"));
        }
        for e in es {
            object_types.extend(e.entries.into_iter().filter(|(n, _)| !n.ends_with("Count")));
        }
    }
    object_types.sort_by_key(|(_, v)| *v);

    // Sizes.
    let mut size_bits = Vec::new();
    for p in [
        l.join(format!("sel4_arch_include/{sa}/sel4/sel4_arch/constants.h")),
        l.join(format!("arch_include/{a}/sel4/arch/constants.h")),
    ] {
        if !p.is_file() {
            continue;
        }
        let pre = cheader::preprocess_file(&p, &mut defines, false)?;
        for (name, _) in pre.defines {
            if name.starts_with("seL4_") && name.ends_with("Bits") {
                if let Ok(v) = defines.eval(&name) {
                    size_bits.push((name, v));
                }
            }
        }
    }

    // `seL4_WordBits` is `sizeof(seL4_Word) * 8` in some trees, which the evaluator cannot read: the word
    // size is known.
    if !size_bits.iter().any(|(n, _)| n == "seL4_WordBits") {
        size_bits.push(("seL4_WordBits".into(), i64::from(arch.word_bits)));
    }

    // Message limits.
    let cpath = l.join("include/sel4/constants.h");
    let pre = cheader::preprocess_file(&cpath, &mut defines, false)?;
    cheader::enums(&cpath, &pre.text, &mut defines)?;
    let get = |d: &Defines, name: &str, path: &Path| {
        d.eval(name)
            .map_err(|e| Error::element(path, name.to_string(), None, e))
    };
    let msg_max_length = get(&defines, "seL4_MsgMaxLength", &cpath)?;
    let msg_max_extra_caps = (1i64 << get(&defines, "seL4_MsgExtraCapBits", &cpath)?) - 1;

    // Errors.
    let epath = l.join("include/sel4/errors.h");
    let pre = cheader::preprocess_file(&epath, &mut defines, false)?;
    let es = cheader::enums(&epath, &pre.text, &mut defines)?;
    let all_errors: Vec<(String, i64)> = es.into_iter().flat_map(|e| e.entries).collect();
    let num_errors = all_errors
        .iter()
        .find(|(n, _)| n == "seL4_NumErrors")
        .map(|(_, v)| *v)
        .ok_or_else(|| Error::element(&epath, "enum seL4_Error", None, "no seL4_NumErrors"))?;
    let errors = all_errors
        .into_iter()
        .filter(|(n, _)| n != "seL4_NoError" && n != "seL4_NumErrors")
        .collect();

    // Bootinfo.
    let bpath = l.join("include/sel4/bootinfo_types.h");
    let pre = cheader::preprocess_file(&bpath, &mut defines, false)?;
    let es = cheader::enums(&bpath, &pre.text, &mut defines)?;
    let initial_caps: Vec<(String, i64)> = es
        .into_iter()
        .flat_map(|e| e.entries)
        .filter(|(n, _)| n.starts_with("seL4_Cap") || n == "seL4_NumInitialCaps")
        .collect();
    if initial_caps.is_empty() {
        return Err(Error::element(&bpath, "initial caps enum", None, "not found"));
    }
    let wb = (arch.word_bits / 8) as usize;
    let (bootinfo, bootinfo_size) = lay_out(
        &bpath,
        cheader::typedef_struct(&bpath, &pre.text, "seL4_BootInfo")?,
        &defines,
        wb,
    )?;
    let (untyped_desc, _) = lay_out(
        &bpath,
        cheader::typedef_struct(&bpath, &pre.text, "seL4_UntypedDesc")?,
        &defines,
        wb,
    )?;
    let (slot_region, _) = lay_out(
        &bpath,
        cheader::typedef_struct(&bpath, &pre.text, "seL4_SlotRegion")?,
        &defines,
        wb,
    )?;

    // Bitfields.
    let bits = arch.word_bits;
    let sbf = first_existing(&[
        l.join(format!("include/sel4/shared_types_{bits}.bf")),
        l.join(format!("mode_include/{bits}/sel4/shared_types.bf")),
    ])?;
    let pre = cheader::preprocess_file(&sbf, &mut defines, true)?;
    let msg_info = cheader::bf_block(&sbf, &pre.text, "seL4_MessageInfo")?;
    let cap_rights = cheader::bf_block(&sbf, &pre.text, "seL4_CapRights")?;
    let tag_bf = root.join(format!("include/arch/{a}/arch/{bits}/mode/object/structures.bf"));
    let pre = cheader::preprocess_file(&tag_bf, &mut defines, true)?;
    let cap_tags = cheader::bf_tags(&tag_bf, &pre.text, "cap")?;

    Ok(KernelInfo {
        object_types,
        size_bits,
        errors,
        num_errors,
        initial_caps,
        cap_tags,
        msg_info,
        cap_rights,
        msg_max_length,
        msg_max_extra_caps,
        bootinfo,
        bootinfo_size,
        untyped_desc,
        slot_region,
        kconfig: read_kconfig(root)?,
    })
}

/// Reads everything the bindings are made of from the kernel tree at `root` (the `seL4/` directory).
pub fn collect(root: &Path, target: &Target, config: &BTreeMap<String, String>) -> Result<Bindings> {
    let arch = target.info()?;
    let libsel4 = root.join("libsel4");
    let api = interface::load_api(&libsel4, &target.arch, &target.sel4_arch, config)?;
    let syscalls = interface::parse_syscalls(&libsel4.join("include/api/syscall.xml"), config)?;
    let kernel = read_kernel_info(root, target, config)?;
    Ok(Bindings {
        target: target.clone(),
        arch,
        config: config.clone(),
        api,
        syscalls,
        kernel,
    })
}

/// Generates the Rust bindings source for the kernel tree at `root`, an architecture and a configuration.
pub fn generate(root: &Path, target: &Target, config: &BTreeMap<String, String>) -> Result<String> {
    emit::emit(&collect(root, target, config)?)
}
