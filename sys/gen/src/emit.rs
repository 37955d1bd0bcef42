//! Turning [`Bindings`] into Rust source.
//!
//! The emitted code is meant to be `include!`d inside a module of `selkie-sys` that also provides (by hand,
//! per architecture) `Word`, `CPtr`, `IpcBuffer`, `call_with_mrs`, `set_mr`, `get_mr` and `set_cap`.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::cheader::BfField;
use crate::error::{Error, Result};
use crate::interface::{Dir, Method, Param, StructDef};
use crate::names::{camel, screaming, snake};
use crate::{Bindings, KconfigType};

/// How a parameter type travels and what Rust type it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// A capability: goes to the IPC buffer's `caps_or_badges`.
    Cap,
    /// A plain value packed into message registers: (Rust type, size in bits).
    Value(&'static str, u32),
    /// `seL4_CapRights_t`: the `CapRights` newtype, one word.
    Rights,
    /// A multi-word structure of word-sized members (e.g. `seL4_UserContext`).
    Struct(String, usize),
}

impl ParamKind {
    /// Bits the value occupies in the message.
    pub fn bits(&self, word_bits: u32) -> u32 {
        match self {
            ParamKind::Cap | ParamKind::Rights => word_bits,
            ParamKind::Value(_, b) => *b,
            ParamKind::Struct(_, n) => *n as u32 * word_bits,
        }
    }
}

/// Capability types that are not the name of an interface in every configuration.
const EXTRA_CAP_TYPES: [&str; 16] = [
    "seL4_CPtr",
    "seL4_CNode",
    "seL4_IRQHandler",
    "seL4_IRQControl",
    "seL4_TCB",
    "seL4_Untyped",
    "seL4_DomainSet",
    "seL4_SchedContext",
    "seL4_SchedControl",
    "seL4_X86_IOSpace",
    "seL4_X86_IOPort",
    "seL4_X86_EPTPML4",
    "seL4_X64_PML4",
    "seL4_X86_VCPU",
    "seL4_ARM_VCPU",
    "seL4_ARM_IOSpace",
];

/// Classifies a parameter's C type. `structs` are the `<struct>`s of the interface files, `interfaces` the
/// interface names (each also a capability type).
pub fn classify(ty: &str, word_bits: u32, structs: &[StructDef], interfaces: &[String]) -> Option<ParamKind> {
    Some(match ty {
        "seL4_Word" => ParamKind::Value("Word", word_bits),
        "seL4_Uint8" => ParamKind::Value("u8", 8),
        "seL4_Uint16" => ParamKind::Value("u16", 16),
        "seL4_Uint32" => ParamKind::Value("u32", 32),
        "seL4_Uint64" | "seL4_Time" if word_bits == 64 => ParamKind::Value("u64", 64),
        "seL4_Bool" => ParamKind::Value("bool", 1),
        "int" => ParamKind::Value("i32", 32),
        "seL4_CapData_t"
        | "seL4_PrioProps_t"
        | "seL4_CNode_CapData"
        | "seL4_X86_VMAttributes"
        | "seL4_X86_EPT_VMAttributes"
        | "seL4_ARM_VMAttributes" => ParamKind::Value("Word", word_bits),
        "seL4_CapRights_t" => ParamKind::Rights,
        _ if EXTRA_CAP_TYPES.contains(&ty) || interfaces.iter().any(|i| i == ty) => ParamKind::Cap,
        _ => {
            let s = structs.iter().find(|s| s.name == ty)?;
            ParamKind::Struct(camel(&s.name), s.members.len())
        }
    })
}

/// Where one non-capability parameter sits in the message: first bit and width, as libsel4 packs them (each
/// value aligned to the smaller of its own size and a word).
pub fn positions(kinds: &[ParamKind], word_bits: u32) -> Vec<(u32, u32)> {
    let mut used = 0u32;
    let mut out = Vec::new();
    for k in kinds {
        let size = k.bits(word_bits);
        let align = size.min(word_bits);
        used = used.div_ceil(align) * align;
        out.push((used, size));
        used += size;
    }
    out
}

/// A method's parameters classified and placed, as the generated stub sends them.
#[derive(Debug, Clone)]
pub struct Marshalling {
    /// Input parameters in order, with their kind.
    pub inputs: Vec<(Param, ParamKind)>,
    /// Output parameters in order, with their kind and (first bit, width) in the reply.
    pub outputs: Vec<(Param, ParamKind, u32, u32)>,
    /// Capability arguments (in order) -> extra cap index.
    pub caps: Vec<String>,
    /// Message words: for each word, the parameter parts or-ed into it.
    pub words: Vec<Vec<WordPart>>,
}

/// One parameter's share of a message word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordPart {
    /// Rust parameter name.
    pub name: String,
    /// Its kind.
    pub kind: ParamKind,
    /// Bit offset within the word.
    pub shift: u32,
    /// Width in bits (at most a word).
    pub width: u32,
    /// Which word of a multi-word value this is.
    pub word_of_value: usize,
}

/// Works out how a method's parameters travel; unknown types give an error naming the `<param>`.
pub fn marshal(m: &Method, word_bits: u32, structs: &[StructDef], interfaces: &[String]) -> Result<Marshalling> {
    let mut inputs = Vec::new();
    let mut outs = Vec::new();
    for p in &m.params {
        let kind = classify(&p.ty, word_bits, structs, interfaces).ok_or_else(|| {
            Error::element(
                &m.file,
                format!("<param name=\"{}\"> of <method id=\"{}\">", p.name, m.id),
                Some(p.position),
                format!("unknown parameter type `{}`", p.ty),
            )
        })?;
        if p.dir == Dir::Out && kind == ParamKind::Cap {
            return Err(Error::element(
                &m.file,
                format!("<param name=\"{}\"> of <method id=\"{}\">", p.name, m.id),
                Some(p.position),
                "a capability cannot be an output",
            ));
        }
        match p.dir {
            Dir::In => inputs.push((p.clone(), kind)),
            Dir::Out => outs.push((p.clone(), kind)),
        }
    }
    let caps = inputs
        .iter()
        .filter(|(_, k)| *k == ParamKind::Cap)
        .map(|(p, _)| snake(&p.name))
        .collect();
    let values: Vec<&(Param, ParamKind)> = inputs.iter().filter(|(_, k)| *k != ParamKind::Cap).collect();
    let kinds: Vec<ParamKind> = values.iter().map(|(_, k)| k.clone()).collect();
    let mut words: Vec<Vec<WordPart>> = Vec::new();
    for ((p, k), (first, width)) in values.iter().zip(positions(&kinds, word_bits)) {
        let nwords = width.div_ceil(word_bits).max(1) as usize;
        for w in 0..nwords {
            let idx = (first / word_bits) as usize + w;
            while words.len() <= idx {
                words.push(Vec::new());
            }
            words[idx].push(WordPart {
                name: snake(&p.name),
                kind: k.clone(),
                shift: first % word_bits,
                width: width.min(word_bits),
                word_of_value: w,
            });
        }
    }
    let out_kinds: Vec<ParamKind> = outs.iter().map(|(_, k)| k.clone()).collect();
    let outputs = outs
        .into_iter()
        .zip(positions(&out_kinds, word_bits))
        .map(|((p, k), (f, w))| (p, k, f, w))
        .collect();
    Ok(Marshalling {
        inputs,
        outputs,
        caps,
        words,
    })
}

/// Escapes text for a doc comment: brackets and angle brackets outside backticks.
/// The `InvocationLabel` variant for a method id: the id without underscores (`ARMPDClean_Data` becomes
/// `ARMPDCleanData`), so that it is a camel-case Rust name; `name()` still gives the kernel's id.
fn label_variant(id: &str) -> String {
    id.replace('_', "")
}

/// The primitive type of a machine word, for `#[repr(..)]` (which cannot name the `Word` alias).
fn word_repr(word_bits: u32) -> &'static str {
    if word_bits == 32 {
        "u32"
    } else {
        "u64"
    }
}

fn doc_escape(text: &str) -> String {
    let mut out = String::new();
    let mut code = false;
    for c in text.chars() {
        if c == '`' {
            code = !code;
        }
        if !code && matches!(c, '[' | ']' | '<' | '>' | '*' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    if code {
        out.push('`');
    }
    out
}

fn doc(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

fn method_fn_name(m: &Method) -> String {
    snake(&m.c_name())
}

fn result_struct_name(m: &Method) -> String {
    format!("{}{}Result", camel(&m.interface), m.name)
}

fn rust_ty(kind: &ParamKind, input: bool) -> String {
    match kind {
        ParamKind::Cap => "CPtr".into(),
        ParamKind::Value(t, _) => (*t).into(),
        ParamKind::Rights => "CapRights".into(),
        ParamKind::Struct(n, _) if input => format!("&{n}"),
        ParamKind::Struct(n, _) => n.clone(),
    }
}

fn word_expr(name: &str, kind: &ParamKind, shift: u32, word_of_value: usize, structs: &[StructDef]) -> String {
    let base = match kind {
        ParamKind::Value("Word" | "u64", _) => name.to_string(),
        ParamKind::Value("i32", _) => format!("{name} as u32 as Word"),
        ParamKind::Value(_, _) => format!("{name} as Word"),
        ParamKind::Rights => format!("{name}.into_word()"),
        ParamKind::Struct(n, _) => {
            let s = structs.iter().find(|s| camel(&s.name) == *n);
            let member = s.map(|s| snake(&s.members[word_of_value])).unwrap_or_default();
            format!("{name}.{member}")
        }
        ParamKind::Cap => name.to_string(),
    };
    if shift == 0 {
        base
    } else {
        format!("(({base}) << {shift})")
    }
}

fn out_expr(kind: &ParamKind, first: u32, width: u32, word_bits: u32, mr_regs: usize, structs: &[StructDef]) -> String {
    let src = |i: usize| {
        if i < mr_regs {
            format!("sel4_mrs[{i}]")
        } else {
            format!("sel4_ext[{}]", i - mr_regs)
        }
    };
    let w = (first / word_bits) as usize;
    let off = first % word_bits;
    let shifted = if off == 0 {
        src(w)
    } else {
        format!("({} >> {off})", src(w))
    };
    let mask = if width >= 64 { u64::MAX } else { (1u64 << width) - 1 };
    match kind {
        ParamKind::Value("Word" | "u64", _) => src(w),
        ParamKind::Value("bool", _) => format!("({shifted} & 1) != 0"),
        ParamKind::Value("i32", _) => format!("({shifted} & {mask:#x}) as u32 as i32"),
        ParamKind::Value(t, _) => format!("({shifted} & {mask:#x}) as {t}"),
        ParamKind::Rights => format!("CapRights::from_word({})", src(w)),
        ParamKind::Struct(n, count) => {
            let s = structs.iter().find(|s| camel(&s.name) == *n);
            let mut fields = Vec::new();
            for i in 0..*count {
                let member = s.map(|s| snake(&s.members[i])).unwrap_or_default();
                fields.push(format!("{member}: {}", src(w + i)));
            }
            format!("{n} {{ {} }}", fields.join(", "))
        }
        ParamKind::Cap => src(w),
    }
}

fn emit_method(out: &mut String, b: &ApiContext, label: u64, m: &Method) -> Result<()> {
    let wb = b.arch.word_bits;
    let mrs = b.arch.message_registers;
    let structs = &b.api.structs;
    let mar = marshal(m, wb, structs, &b.api.interfaces)?;
    let fname = method_fn_name(m);
    if mar.words.len() > b.msg_max_length || mar.caps.len() > b.msg_max_extra_caps {
        return Err(Error::element(
            &m.file,
            format!("<method id=\"{}\">", m.id),
            Some(m.position),
            "the arguments do not fit in one message",
        ));
    }

    // Result type.
    let ret = match mar.outputs.len() {
        0 => "()".to_string(),
        1 => rust_ty(&mar.outputs[0].1, false),
        _ => {
            let name = result_struct_name(m);
            let _ = writeln!(out, "/// The results of [`{fname}`] (`{}`).", m.c_name());
            let _ = writeln!(out, "#[derive(Debug, Clone, Copy, PartialEq, Eq)]");
            let _ = writeln!(out, "pub struct {name} {{");
            for (p, k, _, _) in &mar.outputs {
                let d = if p.description.is_empty() {
                    format!("`{}`", p.name)
                } else {
                    doc_escape(&p.description)
                };
                doc(out, "    ", &d);
                let _ = writeln!(out, "    pub {}: {},", snake(&p.name), rust_ty(k, false));
            }
            let _ = writeln!(out, "}}\n");
            name
        }
    };

    // Documentation.
    let mut d = format!("`{}` (invocation label {label}).", m.c_name());
    if !m.brief.is_empty() {
        let _ = write!(d, "\n\n{}", doc_escape(&m.brief));
    }
    if !m.description.is_empty() {
        let _ = write!(d, "\n\n{}", doc_escape(&m.description));
    }
    if let Some(c) = &m.condition {
        let _ = write!(d, "\n\nPresent because this configuration satisfies `{}`.", c.to_cpp());
    }
    d.push_str("\n\n# Arguments\n");
    let _ = write!(
        d,
        "\n- `service`: {}",
        if m.cap_description.is_empty() {
            "the capability invoked.".to_string()
        } else {
            doc_escape(&m.cap_description)
        }
    );
    for (p, k) in &mar.inputs {
        let how = match k {
            ParamKind::Cap => format!(
                "extra cap {}",
                mar.caps.iter().position(|c| *c == snake(&p.name)).unwrap_or(0)
            ),
            _ => "message".to_string(),
        };
        let _ = write!(
            d,
            "\n- `{}` (`{}`, {how}): {}",
            snake(&p.name),
            p.ty,
            doc_escape(&p.description)
        );
    }
    for (p, _, _, _) in &mar.outputs {
        let _ = write!(
            d,
            "\n- returns `{}` (`{}`): {}",
            snake(&p.name),
            p.ty,
            doc_escape(&p.description)
        );
    }
    d.push_str("\n\n# Errors\n\nThe kernel's error code (the reply's label) as [`Error`].");
    if !m.errors.is_empty() {
        d.push_str(" The interface file documents:\n");
    }
    for e in &m.errors {
        let _ = write!(
            d,
            "\n- `{}`: {}",
            e.name.strip_prefix("seL4_").unwrap_or(&e.name),
            doc_escape(&e.description)
        );
    }
    d.push_str(
        "\n\n# Safety\n\nThe calling thread's IPC buffer must be mapped where the kernel's GS base points, and the \
         invocation must not change memory or capabilities that Rust code still relies on (for example unmap or \
         revoke memory that is borrowed).",
    );
    doc(out, "", &d);

    // Signature.
    let mut args = vec!["service: CPtr".to_string()];
    for (p, k) in &mar.inputs {
        args.push(format!("{}: {}", snake(&p.name), rust_ty(k, true)));
    }
    let _ = writeln!(out, "#[inline]");
    let _ = writeln!(
        out,
        "pub unsafe fn {fname}({}) -> Result<{ret}, Error> {{",
        args.join(", ")
    );
    let _ = writeln!(
        out,
        "    let sel4_info = MessageInfo::new(InvocationLabel::{} as Word, 0, {}, {});",
        label_variant(&m.id),
        mar.caps.len(),
        mar.words.len()
    );
    let mut word_exprs = Vec::new();
    for parts in &mar.words {
        let e: Vec<String> = parts
            .iter()
            .map(|p| word_expr(&p.name, &p.kind, p.shift, p.word_of_value, structs))
            .collect();
        word_exprs.push(e.join(" | "));
    }
    if !mar.caps.is_empty() || word_exprs.len() > mrs {
        let _ = writeln!(
            out,
            "    // SAFETY: the caller guarantees the IPC buffer is mapped at GS base."
        );
        let _ = writeln!(out, "    unsafe {{");
        for (i, c) in mar.caps.iter().enumerate() {
            let _ = writeln!(out, "        crate::set_cap({i}, {c});");
        }
        for (i, e) in word_exprs.iter().enumerate().skip(mrs) {
            let _ = writeln!(out, "        crate::set_mr({i}, {e});");
        }
        let _ = writeln!(out, "    }}");
    }
    let regs: Vec<String> = (0..mrs)
        .map(|i| word_exprs.get(i).cloned().unwrap_or_else(|| "0".into()))
        .collect();
    let _ = writeln!(
        out,
        "    // SAFETY: the caller upholds this function's contract; the kernel checks the capability."
    );
    let _ = writeln!(
        out,
        "    let (sel4_reply, sel4_mrs) = unsafe {{ crate::call_with_mrs(service, sel4_info, [{}]) }};",
        regs.join(", ")
    );
    let _ = writeln!(out, "    if sel4_reply.label() != 0 {{");
    let _ = writeln!(
        out,
        "        // SAFETY: as above; like libsel4, leave the returned registers in the IPC buffer."
    );
    let _ = writeln!(out, "        unsafe {{");
    let _ = writeln!(out, "            for (i, w) in sel4_mrs.iter().enumerate() {{");
    let _ = writeln!(out, "                crate::set_mr(i, *w);");
    let _ = writeln!(out, "            }}");
    let _ = writeln!(out, "        }}");
    let _ = writeln!(out, "        return Err(Error::from_reply_label(sel4_reply.label()));");
    let _ = writeln!(out, "    }}");
    let out_words = mar
        .outputs
        .iter()
        .map(|(_, _, f, w)| (f + w).div_ceil(wb) as usize)
        .max()
        .unwrap_or(0);
    if out_words > mrs {
        let reads: Vec<String> = (mrs..out_words).map(|i| format!("crate::get_mr({i})")).collect();
        let _ = writeln!(out, "    // SAFETY: the caller guarantees the IPC buffer is mapped at GS base; the kernel wrote the reply there.");
        let _ = writeln!(
            out,
            "    let sel4_ext: [Word; {}] = unsafe {{ [{}] }};",
            reads.len(),
            reads.join(", ")
        );
    }
    match mar.outputs.len() {
        0 => {
            let _ = writeln!(out, "    let _ = sel4_mrs;");
            let _ = writeln!(out, "    Ok(())");
        }
        1 => {
            let (_, k, f, w) = &mar.outputs[0];
            let _ = writeln!(out, "    Ok({})", out_expr(k, *f, *w, wb, mrs, structs));
        }
        _ => {
            let _ = writeln!(out, "    Ok({ret} {{");
            for (p, k, f, w) in &mar.outputs {
                let _ = writeln!(
                    out,
                    "        {}: {},",
                    snake(&p.name),
                    out_expr(k, *f, *w, wb, mrs, structs)
                );
            }
            let _ = writeln!(out, "    }})");
        }
    }
    let _ = writeln!(out, "}}\n");
    Ok(())
}

fn config_value_bool(v: &str) -> bool {
    v.trim() != "0"
}

fn emit_config(out: &mut String, b: &Bindings) {
    out.push_str("/// The kernel configuration these bindings were generated for (from its `CONFIG_*` defines).\n");
    out.push_str("///\n/// Boolean options are `true` when defined; numeric options are present only when defined, each with a\n/// `typenum` alias (when at most 1024) for type-level use.\n");
    out.push_str("pub mod config {\n");
    let mut names: BTreeMap<String, Option<KconfigType>> = BTreeMap::new();
    for (k, t) in &b.kernel.kconfig {
        names.insert(k.clone(), Some(*t));
    }
    for k in b.config.keys() {
        if let Some(n) = k.strip_prefix("CONFIG_") {
            names.entry(n.to_string()).or_insert(None);
        }
    }
    for (name, ty) in names {
        let value = b.config.get(&format!("CONFIG_{name}"));
        let ident = name.to_ascii_uppercase();
        if !ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || ident.starts_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        match (ty, value) {
            (Some(KconfigType::Bool), v) => {
                let on = v.is_some_and(|v| config_value_bool(v));
                let _ = writeln!(
                    out,
                    "    /// `CONFIG_{name}` (bool).\n    pub const {ident}: bool = {on};"
                );
            }
            (Some(KconfigType::String), Some(v)) => {
                let _ = writeln!(
                    out,
                    "    /// `CONFIG_{name}` (string).\n    pub const {ident}: &str = {:?};",
                    v.trim_matches('"')
                );
            }
            (_, Some(v)) => {
                let Some(n) = crate::cexpr::parse_int(v.trim()).filter(|n| *n >= 0) else {
                    continue;
                };
                let _ = writeln!(out, "    /// `CONFIG_{name}`.\n    pub const {ident}: usize = {n};");
                if n <= 1024 {
                    let _ = writeln!(
                        out,
                        "    /// `CONFIG_{name}` as a type-level number.\n    pub type {} = typenum::U{n};",
                        // No underscore before a number part (`ARM_ERRATA_764369`): a camel-case Rust name.
                        camel(&name).replace('_', "")
                    );
                }
            }
            _ => {}
        }
    }
    out.push_str("}\n\n");
}

/// Emits the Rust source for the bindings.
pub fn emit(b: &Bindings) -> Result<String> {
    let k = &b.kernel;
    let mut out = String::new();
    let files: Vec<String> = b.api.files.iter().map(|f| f.display().to_string()).collect();
    let _ = writeln!(
        out,
        "// Generated by selkie-sys-gen for {} ({}) from: {}.\n",
        b.target.sel4_arch,
        b.target.arch,
        files.join(", ")
    );

    emit_config(&mut out, b);

    // Message limits.
    let _ = writeln!(
        out,
        "/// `seL4_MsgMaxLength`: message registers in one message.\npub const MSG_MAX_LENGTH: usize = {};",
        k.msg_max_length
    );
    let _ = writeln!(
        out,
        "/// `seL4_MsgMaxExtraCaps`: capabilities in one message.\npub const MSG_MAX_EXTRA_CAPS: usize = {};",
        k.msg_max_extra_caps
    );
    let _ = writeln!(
        out,
        "/// Message registers passed in CPU registers by the syscall stubs.\npub const MSG_REGISTERS: usize = {};\n",
        b.arch.message_registers
    );

    // Syscalls.
    out.push_str("/// System call numbers of this kernel and configuration (`enum syscall`).\n");
    out.push_str("#[repr(isize)]\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum Syscall {\n");
    let enabled_sys: Vec<_> = b.syscalls.iter().filter(|s| s.enabled).collect();
    for s in &enabled_sys {
        let _ = writeln!(
            out,
            "    /// `seL4_Sys{}` ({}).\n    {} = {},",
            s.name, s.number, s.name, s.number
        );
    }
    out.push_str(
        "}\n\nimpl Syscall {\n    /// Every syscall of this configuration.\n    pub const ALL: &'static [Syscall] = &[",
    );
    out.push_str(
        &enabled_sys
            .iter()
            .map(|s| format!("Syscall::{}", s.name))
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str("];\n    /// The kernel's name for it (`Call`, `DebugPutChar`, ...).\n    pub const fn name(self) -> &'static str {\n        match self {\n");
    for s in &enabled_sys {
        let _ = writeln!(out, "            Syscall::{0} => {0:?},", s.name);
    }
    out.push_str("        }\n    }\n    /// The number as the word loaded into the syscall-number register.\n    pub const fn word(self) -> Word {\n        self as isize as Word\n    }\n}\n\n");

    // Object types.
    out.push_str("/// Kernel object types for `untyped_retype` (`seL4_ObjectType` and its arch extensions).\n");
    let _ = write!(
        out,
        "#[repr({})]\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum ObjectType {{\n",
        word_repr(b.arch.word_bits)
    );
    let obj_name = |c: &str| camel(c.strip_suffix("Object").unwrap_or(c));
    for (c, v) in &k.object_types {
        let _ = writeln!(out, "    /// `{c}` ({v}).\n    {} = {v},", obj_name(c));
    }
    out.push_str("}\n\nimpl ObjectType {\n    /// Every object type of this configuration.\n    pub const ALL: &'static [ObjectType] = &[");
    out.push_str(
        &k.object_types
            .iter()
            .map(|(c, _)| format!("ObjectType::{}", obj_name(c)))
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str("];\n    /// The libsel4 name (`seL4_TCBObject`, ...).\n    pub const fn c_name(self) -> &'static str {\n        match self {\n");
    for (c, _) in &k.object_types {
        let _ = writeln!(out, "            ObjectType::{} => {c:?},", obj_name(c));
    }
    out.push_str("        }\n    }\n    /// Size in bits of one object, `None` for caller-sized types (untyped, CNode).\n    pub const fn size_bits(self) -> Option<usize> {\n        match self {\n");
    for (c, _) in &k.object_types {
        let size = b.arch.object_size.iter().find(|(o, _)| o == c).map(|(_, s)| *s);
        match size {
            Some(s) => {
                if !k.size_bits.iter().any(|(n, _)| n == s) {
                    return Err(Error::element(
                        std::path::Path::new("libsel4 constants.h"),
                        s.to_string(),
                        None,
                        format!("size of {c} not found"),
                    ));
                }
                let _ = writeln!(
                    out,
                    "            ObjectType::{} => Some({}),",
                    obj_name(c),
                    screaming(s)
                );
            }
            None => {
                let _ = writeln!(out, "            ObjectType::{} => None,", obj_name(c));
            }
        }
    }
    out.push_str("        }\n    }\n    /// The value passed as `type` to `untyped_retype`.\n    pub const fn word(self) -> Word {\n        self as Word\n    }\n}\n\n");

    for (c, v) in &k.size_bits {
        let _ = writeln!(out, "/// `{c}`.\npub const {}: usize = {v};", screaming(c));
    }
    out.push('\n');

    // Errors: each C name with the Rust variant it becomes (`seL4_InvalidArgument` -> `InvalidArgument`).
    let errors: Vec<(&str, &str, i64)> = k
        .errors
        .iter()
        .map(|(c, v)| (c.as_str(), c.strip_prefix("seL4_").unwrap_or(c), *v))
        .collect();
    out.push_str("/// Error codes returned by invocations (`seL4_Error`, without `seL4_NoError`).\n");
    let _ = write!(
        out,
        "#[repr({})]\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum Error {{\n",
        word_repr(b.arch.word_bits)
    );
    for (c, n, v) in &errors {
        let _ = writeln!(out, "    /// `{c}` ({v}).\n    {n} = {v},");
    }
    out.push_str("}\n\n");
    let _ = writeln!(
        out,
        "/// `seL4_NumErrors`: one more than the largest error code.\npub const NUM_ERRORS: usize = {};",
        k.num_errors
    );
    let last = errors.iter().map(|(_, _, v)| *v).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "const _: () = assert!(NUM_ERRORS == {last} + 1 && NUM_ERRORS == Error::ALL.len() + 1);\n"
    );
    out.push_str("impl Error {\n    /// Every error code.\n    pub const ALL: &'static [Error] = &[");
    out.push_str(
        &errors
            .iter()
            .map(|(_, n, _)| format!("Error::{n}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str("];\n    /// The error with code `w`, `None` for 0 (no error) or an unknown code.\n    pub const fn from_word(w: Word) -> Option<Error> {\n        match w {\n");
    for (_, n, v) in &errors {
        let _ = writeln!(out, "            {v} => Some(Error::{n}),");
    }
    out.push_str("            _ => None,\n        }\n    }\n    /// The kernel's name for it (`InvalidArgument`, ...).\n    pub const fn name(self) -> &'static str {\n        match self {\n");
    for (_, n, _) in &errors {
        let _ = writeln!(out, "            Error::{n} => {n:?},");
    }
    out.push_str(
        "        }\n    }\n    /// The error for a non-zero reply label. The kernel only sends codes from `seL4_Error`; anything else\n    \
         /// (impossible unless kernel and bindings disagree, which `NUM_ERRORS` guards) reads as `IllegalOperation`.\n    \
         pub const fn from_reply_label(label: Word) -> Error {\n        match Error::from_word(label) {\n            Some(e) => e,\n            None => Error::IllegalOperation,\n        }\n    }\n}\n\n",
    );
    out.push_str("impl core::fmt::Display for Error {\n    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {\n        f.write_str(self.name())\n    }\n}\n\n");

    // Message info.
    let mi = &k.msg_info;
    let field = |fields: &[BfField], n: &str| fields.iter().find(|f| f.name.as_deref() == Some(n)).cloned();
    let need = |n: &str| {
        field(mi, n).ok_or_else(|| {
            Error::element(
                std::path::Path::new("shared_types.bf"),
                "block seL4_MessageInfo",
                None,
                format!("no field {n}"),
            )
        })
    };
    let (label, cu, ec, len) = (
        need("label")?,
        need("capsUnwrapped")?,
        need("extraCaps")?,
        need("length")?,
    );
    out.push_str("/// `seL4_MessageInfo`: label, unwrapped-caps mask, extra-cap count and length of a message.\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\n#[repr(transparent)]\npub struct MessageInfo(Word);\n\nimpl MessageInfo {\n");
    let m = |f: &BfField| {
        if f.bits >= 64 {
            u64::MAX
        } else {
            (1u64 << f.bits) - 1
        }
    };
    let _ = writeln!(
        out,
        "    /// Packs a message info (each field is truncated to its width).\n    pub const fn new(label: Word, caps_unwrapped: Word, extra_caps: Word, length: Word) -> Self {{\n        \
         MessageInfo(((label & {:#x}) << {}) | ((caps_unwrapped & {:#x}) << {}) | ((extra_caps & {:#x}) << {}) | ((length & {:#x}) << {}))\n    }}",
        m(&label), label.shift, m(&cu), cu.shift, m(&ec), ec.shift, m(&len), len.shift
    );
    out.push_str(
        "    /// From the raw word.\n    pub const fn from_word(w: Word) -> Self {\n        MessageInfo(w)\n    }\n",
    );
    out.push_str("    /// The raw word.\n    pub const fn into_word(self) -> Word {\n        self.0\n    }\n");
    for (f, n) in [
        (&label, "label"),
        (&cu, "caps_unwrapped"),
        (&ec, "extra_caps"),
        (&len, "length"),
    ] {
        let _ = writeln!(out, "    /// The `{n}` field ({} bits at bit {}).\n    pub const fn {n}(self) -> Word {{\n        (self.0 >> {}) & {:#x}\n    }}", f.bits, f.shift, f.shift, m(f));
    }
    out.push_str("}\n\n");

    // Cap rights.
    let rights: Vec<&BfField> = k.cap_rights.iter().filter(|f| f.name.is_some()).collect();
    let rname = |f: &BfField| snake(f.name.as_deref().unwrap_or("").trim_start_matches("capAllow"));
    out.push_str("/// `seL4_CapRights_t`: the rights of a capability (one bit each).\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\n#[repr(transparent)]\npub struct CapRights(Word);\n\nimpl CapRights {\n");
    let params: Vec<String> = rights.iter().map(|f| format!("{}: bool", rname(f))).collect();
    let body: Vec<String> = rights
        .iter()
        .map(|f| format!("(({} as Word) << {})", rname(f), f.shift))
        .collect();
    let _ = writeln!(out, "    /// Rights from flags, in the kernel's field order.\n    pub const fn new({}) -> Self {{\n        CapRights({})\n    }}", params.join(", "), body.join(" | "));
    let all: Vec<&str> = rights.iter().map(|_| "true").collect();
    let _ = writeln!(
        out,
        "    /// All rights.\n    pub const ALL: CapRights = CapRights::new({});",
        all.join(", ")
    );
    let none: Vec<&str> = rights.iter().map(|_| "false").collect();
    let _ = writeln!(
        out,
        "    /// No rights.\n    pub const NONE: CapRights = CapRights::new({});",
        none.join(", ")
    );
    out.push_str(
        "    /// From the raw word.\n    pub const fn from_word(w: Word) -> Self {\n        CapRights(w)\n    }\n",
    );
    out.push_str("    /// The raw word.\n    pub const fn into_word(self) -> Word {\n        self.0\n    }\n");
    for f in &rights {
        let _ = writeln!(
            out,
            "    /// The `{}` right.\n    pub const fn {}(self) -> bool {{\n        (self.0 >> {}) & 1 != 0\n    }}",
            f.name.as_deref().unwrap_or(""),
            rname(f),
            f.shift
        );
    }
    out.push_str("}\n\n");

    // Initial caps.
    for (c, v) in &k.initial_caps {
        let ty = if c == "seL4_NumInitialCaps" { "usize" } else { "CPtr" };
        let _ = writeln!(
            out,
            "/// `{c}`: initial capability slot of the root task.\npub const {}: {ty} = {v};",
            screaming(c)
        );
    }
    out.push('\n');

    // Cap tags.
    out.push_str("/// Capability type tags (`cap_tag_t`), as returned by `debug_cap_identify`.\npub mod cap_tag {\n    use super::Word;\n");
    for (c, v) in &k.cap_tags {
        let _ = writeln!(
            out,
            "    /// `{c}`.\n    pub const {}: Word = {v};",
            c.strip_suffix("_cap").unwrap_or(c).to_ascii_uppercase()
        );
    }
    out.push_str("}\n\n");

    // Bootinfo.
    let emit_struct = |out: &mut String,
                       name: &str,
                       cname: &str,
                       fields: &[crate::LaidField],
                       size: Option<usize>,
                       derive: &str| {
        let _ = writeln!(out, "/// `{cname}` (packed, as the kernel writes it).\n#[repr(C, packed)]\n#[derive({derive})]\npub struct {name} {{");
        for f in fields {
            let _ = writeln!(
                out,
                "    /// `{}` (offset {}).\n    pub {}: {},",
                f.field.name,
                f.offset,
                snake(&f.field.name),
                f.rust_ty
            );
        }
        out.push_str("}\n");
        for f in fields {
            let _ = writeln!(
                out,
                "const _: () = assert!(core::mem::offset_of!({name}, {}) == {});",
                snake(&f.field.name),
                f.offset
            );
        }
        let total = size.unwrap_or_else(|| fields.iter().map(|f| f.size).sum());
        let _ = writeln!(
            out,
            "const _: () = assert!(core::mem::size_of::<{name}>() == {total});\n"
        );
    };
    emit_struct(
        &mut out,
        "SlotRegion",
        "seL4_SlotRegion",
        &k.slot_region,
        None,
        "Debug, Clone, Copy, PartialEq, Eq",
    );
    emit_struct(
        &mut out,
        "UntypedDesc",
        "seL4_UntypedDesc",
        &k.untyped_desc,
        None,
        "Debug, Clone, Copy, PartialEq, Eq",
    );
    emit_struct(
        &mut out,
        "BootInfo",
        "seL4_BootInfo",
        &k.bootinfo,
        Some(k.bootinfo_size),
        "Clone, Copy",
    );

    out.push_str(&emit_api(&ApiContext {
        api: &b.api,
        arch: &b.arch,
        msg_max_length: k.msg_max_length as usize,
        msg_max_extra_caps: k.msg_max_extra_caps as usize,
    })?);
    Ok(out)
}

/// What the invocation part of the bindings is made from (a subset of [`Bindings`], so that an interface
/// definition alone, such as the newer-layout fixtures, can be turned into code).
#[derive(Debug, Clone, Copy)]
pub struct ApiContext<'a> {
    /// The labelled API.
    pub api: &'a crate::Api,
    /// Architecture facts.
    pub arch: &'a crate::ArchInfo,
    /// `seL4_MsgMaxLength`.
    pub msg_max_length: usize,
    /// `seL4_MsgMaxExtraCaps`.
    pub msg_max_extra_caps: usize,
}

/// Emits the interface structures, `InvocationLabel`, and one function per enabled method. The code refers
/// to `Word`, `CPtr`, `MessageInfo`, `CapRights`, `Error` and the crate-root functions `call_with_mrs`,
/// `set_mr`, `get_mr` and `set_cap`.
pub fn emit_api(b: &ApiContext) -> Result<String> {
    let mut out = String::new();
    // Structures of the interface files.
    for s in &b.api.structs {
        let name = camel(&s.name);
        let _ = writeln!(out, "/// `{}`: {} words, in the kernel's order.\n#[repr(C)]\n#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]\npub struct {name} {{", s.name, s.members.len());
        for m in &s.members {
            let _ = writeln!(out, "    /// `{m}`.\n    pub {}: Word,", snake(m));
        }
        out.push_str("}\n\n");
    }

    // Invocation labels.
    out.push_str("/// Invocation labels of this kernel and configuration (the label of an invocation's message).\n");
    let _ = write!(
        out,
        "#[repr({})]\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum InvocationLabel {{\n    /// `InvalidInvocation` (0).\n    InvalidInvocation = 0,\n",
        word_repr(b.arch.word_bits)
    );
    for lm in &b.api.methods {
        let _ = writeln!(
            out,
            "    /// `{}` ({}).\n    {} = {},",
            lm.method.c_name(),
            lm.label,
            label_variant(&lm.method.id),
            lm.label
        );
    }
    out.push_str("}\n\nimpl InvocationLabel {\n    /// Every label of this configuration, `InvalidInvocation` first.\n    pub const ALL: &'static [InvocationLabel] = &[InvocationLabel::InvalidInvocation, ");
    out.push_str(
        &b.api
            .methods
            .iter()
            .map(|m| format!("InvocationLabel::{}", label_variant(&m.method.id)))
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str("];\n    /// The kernel's name for it (`UntypedRetype`, ...).\n    pub const fn name(self) -> &'static str {\n        match self {\n            InvocationLabel::InvalidInvocation => \"InvalidInvocation\",\n");
    for lm in &b.api.methods {
        let _ = writeln!(
            out,
            "            InvocationLabel::{} => {:?},",
            label_variant(&lm.method.id),
            lm.method.id
        );
    }
    out.push_str("        }\n    }\n}\n\n");
    let _ = writeln!(
        out,
        "/// `nInvocationLabels`: first label after the generic ones.\npub const N_INVOCATION_LABELS: Word = {};\n/// `nSeL4ArchInvocationLabels`: first label after the sel4-arch ones.\npub const N_SEL4_ARCH_INVOCATION_LABELS: Word = {};\n",
        b.api.n_generic_labels, b.api.n_sel4_arch_labels
    );

    // Invocations.
    let mut seen = std::collections::BTreeSet::new();
    for lm in &b.api.methods {
        let fname = method_fn_name(&lm.method);
        if !seen.insert(fname.clone()) {
            return Err(Error::element(
                &lm.method.file,
                format!("<method id=\"{}\">", lm.method.id),
                Some(lm.method.position),
                format!("two enabled methods map to `{fname}`"),
            ));
        }
        emit_method(&mut out, b, lm.label, &lm.method)?;
    }
    Ok(out)
}
