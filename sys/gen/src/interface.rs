//! Reading the kernel's interface definition files (`<api>` documents with `<interface>` / `<method>`
//! elements) in both layouts, and the syscall list.
//!
//! * Older layout (the embedded seL4 5.0 tree): `include/interfaces/sel4.xml`,
//!   `sel4_arch_include/<sel4_arch>/interfaces/sel4arch.xml`, `arch_include/<arch>/interfaces/sel4arch.xml`;
//!   a method's condition is a C preprocessor expression in a `condition="..."` attribute.
//! * Newer layout (seL4 12 and later): `object-api.xml`, `object-api-sel4-arch.xml`, `object-api-arch.xml`;
//!   the condition is a `<condition>` child made of `<config var=".."/>`, `<and>`, `<or>` and `<not>`, and the
//!   method carries `<brief>`, `<description>` and `<error>` documentation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};

use crate::cexpr;
use crate::error::{Error, Result};

/// A configuration condition attached to a method or a group of syscalls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// A C preprocessor expression (older layout), e.g. `CONFIG_MAX_NUM_NODES > 1`.
    Cpp(String),
    /// `<config var="CONFIG_X"/>`: true when `CONFIG_X` is defined.
    Config(String),
    /// `<not>`.
    Not(Box<Condition>),
    /// `<and>`: all must hold.
    And(Vec<Condition>),
    /// `<or>`: at least one must hold.
    Or(Vec<Condition>),
}

impl Condition {
    /// Evaluates the condition against a configuration (`CONFIG_*` name to value).
    pub fn eval(&self, config: &BTreeMap<String, String>) -> std::result::Result<bool, String> {
        Ok(match self {
            Condition::Cpp(expr) => cexpr::eval_condition(expr, config)?,
            Condition::Config(var) => config.contains_key(var),
            Condition::Not(c) => !c.eval(config)?,
            Condition::And(cs) => {
                for c in cs {
                    if !c.eval(config)? {
                        return Ok(false);
                    }
                }
                true
            }
            Condition::Or(cs) => {
                for c in cs {
                    if c.eval(config)? {
                        return Ok(true);
                    }
                }
                false
            }
        })
    }

    /// The condition written as a C preprocessor expression (for documentation).
    pub fn to_cpp(&self) -> String {
        match self {
            Condition::Cpp(expr) => expr.trim().to_string(),
            Condition::Config(var) => format!("defined({var})"),
            Condition::Not(c) => format!("!({})", c.to_cpp()),
            Condition::And(cs) => cs
                .iter()
                .map(|c| format!("({})", c.to_cpp()))
                .collect::<Vec<_>>()
                .join(" && "),
            Condition::Or(cs) => cs
                .iter()
                .map(|c| format!("({})", c.to_cpp()))
                .collect::<Vec<_>>()
                .join(" || "),
        }
    }
}

/// Direction of a method parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Sent to the kernel.
    In,
    /// Returned by the kernel.
    Out,
}

/// One `<param>` of a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The parameter name as written in the file.
    pub name: String,
    /// The C type name, e.g. `seL4_Word`, `seL4_CNode`.
    pub ty: String,
    /// In or out.
    pub dir: Dir,
    /// Its documentation (flattened to plain text), possibly empty.
    pub description: String,
    /// 1-based (line, column) of the element.
    pub position: (u32, u32),
}

/// One documented `<error>` of a method (newer layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDoc {
    /// The seL4 error name, e.g. `seL4_InvalidArgument`.
    pub name: String,
    /// When the kernel returns it.
    pub description: String,
}

/// One `<method>` of an `<interface>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    /// The invocation label name (`id` attribute), e.g. `UntypedRetype`.
    pub id: String,
    /// The interface (cap type) name, e.g. `seL4_Untyped`.
    pub interface: String,
    /// The method name, e.g. `Retype`.
    pub name: String,
    /// The condition under which the kernel has this method, if any.
    pub condition: Option<Condition>,
    /// Parameters in document order (in and out interleaved as written).
    pub params: Vec<Param>,
    /// `<brief>` text.
    pub brief: String,
    /// `<description>` text.
    pub description: String,
    /// `<error>` documentation.
    pub errors: Vec<ErrorDoc>,
    /// Description of the invoked capability (interface `cap_description` plus `<cap_param>`).
    pub cap_description: String,
    /// The file the method was read from.
    pub file: PathBuf,
    /// 1-based (line, column) of the `<method>` element.
    pub position: (u32, u32),
}

impl Method {
    /// The libsel4 C name, e.g. `seL4_Untyped_Retype`.
    pub fn c_name(&self) -> String {
        format!("{}_{}", self.interface, self.name)
    }
}

/// A `<struct>` (e.g. `seL4_UserContext`): a sequence of word-sized members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructDef {
    /// The C name.
    pub name: String,
    /// Member names in order.
    pub members: Vec<String>,
}

/// Which layout an interface file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `sel4.xml` / `sel4arch.xml` with `condition="..."` attributes.
    Old,
    /// `object-api*.xml` with `<condition>` elements.
    New,
}

/// The parsed contents of one interface file.
#[derive(Debug, Clone)]
pub struct InterfaceFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The layout detected.
    pub layout: Layout,
    /// All interface names declared in it (enabled or not).
    pub interfaces: Vec<String>,
    /// Every method, in document order, whatever its condition.
    pub methods: Vec<Method>,
    /// Structures declared in it.
    pub structs: Vec<StructDef>,
}

/// A method with the invocation label the kernel gives it for a configuration.
#[derive(Debug, Clone)]
pub struct LabelledMethod {
    /// The invocation label (message label of the call).
    pub label: u64,
    /// The method.
    pub method: Method,
}

/// The whole object API for one configuration: enabled methods with their labels, in label order.
#[derive(Debug, Clone)]
pub struct Api {
    /// Enabled methods, labels 1, 2, ... in document order across the generic, sel4-arch and arch files.
    pub methods: Vec<LabelledMethod>,
    /// Every structure declared by the files.
    pub structs: Vec<StructDef>,
    /// Every interface name declared by the files (used to recognise capability types).
    pub interfaces: Vec<String>,
    /// The files read, in label order.
    pub files: Vec<PathBuf>,
    /// The number of generic labels plus one (`nInvocationLabels`).
    pub n_generic_labels: u64,
    /// The number of generic and sel4-arch labels plus one (`nSeL4ArchInvocationLabels`).
    pub n_sel4_arch_labels: u64,
}

impl Api {
    /// The label of the method with the given id, if enabled.
    pub fn label(&self, id: &str) -> Option<u64> {
        self.methods.iter().find(|m| m.method.id == id).map(|m| m.label)
    }

    /// The enabled method with the given id.
    pub fn method(&self, id: &str) -> Option<&Method> {
        self.methods.iter().find(|m| m.method.id == id).map(|m| &m.method)
    }
}

/// Describes an element for error messages: `<method id="X">`, `<param name="y">`, ...
pub(crate) fn describe(node: Node) -> String {
    let tag = node.tag_name().name();
    for attr in ["id", "name", "var"] {
        if let Some(v) = node.attribute(attr) {
            let mut s = format!("<{tag} {attr}=\"{v}\">");
            if let Some(parent) = node.ancestors().skip(1).find(|n| n.has_tag_name("method")) {
                s.push_str(&format!(" of {}", describe(parent)));
            }
            return s;
        }
    }
    let mut s = format!("<{tag}>");
    if let Some(parent) = node
        .ancestors()
        .skip(1)
        .find(|n| n.has_tag_name("method") || n.has_tag_name("config"))
    {
        s.push_str(&format!(" in {}", describe(parent)));
    }
    s
}

fn pos(doc: &Document, node: Node) -> (u32, u32) {
    let p = doc.text_pos_at(node.range().start);
    (p.row, p.col)
}

fn elem_err(path: &Path, doc: &Document, node: Node, message: impl Into<String>) -> Error {
    Error::element(path, describe(node), Some(pos(doc, node)), message)
}

fn required_attr<'a>(path: &Path, doc: &Document, node: Node<'a, 'a>, name: &str) -> Result<&'a str> {
    match node.attribute(name) {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(elem_err(
            path,
            doc,
            node,
            format!("missing required attribute `{name}`"),
        )),
    }
}

/// Reads a file to a string, with an error naming it.
pub(crate) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::file(path, format!("cannot read: {e}")))
}

/// Parses XML text, turning syntax errors into an [`Error`] with the file and position.
fn parse_doc<'a>(path: &Path, text: &'a str) -> Result<Document<'a>> {
    Document::parse(text).map_err(|e| {
        let p = e.pos();
        Error {
            file: path.to_path_buf(),
            element: None,
            position: Some((p.row, p.col)),
            message: format!("malformed XML: {e}"),
        }
    })
}

/// Flattens documentation markup (`<texttt>`, `<autoref>`, `<obj>`, ...) to plain text, normalising whitespace
/// while keeping paragraph breaks.
pub(crate) fn doc_text(node: Node) -> String {
    fn walk(node: Node, out: &mut String) {
        for child in node.children() {
            if child.is_text() {
                out.push_str(child.text().unwrap_or(""));
            } else if child.is_element() {
                match child.tag_name().name() {
                    "texttt" => {
                        out.push('`');
                        out.push_str(child.attribute("text").unwrap_or(""));
                        out.push('`');
                    }
                    "obj" => out.push_str(child.attribute("name").unwrap_or("")),
                    "autoref" | "shortref" => {
                        let target = child.attribute("sec").or(child.attribute("label")).unwrap_or("");
                        out.push_str(&format!("the seL4 manual (`{target}`)"));
                    }
                    "errorenumdesc" => out.push_str("an seL4_Error code"),
                    _ => walk(child, out),
                }
            }
        }
    }
    let mut raw = String::new();
    walk(node, &mut raw);
    normalise(&raw)
}

/// Trims every line, joins lines of a paragraph with spaces and separates paragraphs by a blank line.
pub(crate) fn normalise(raw: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in raw.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs.join("\n\n")
}

/// Parses a `<condition>` element's single child expression (newer layout).
fn parse_condition_expr(path: &Path, doc: &Document, node: Node) -> Result<Condition> {
    let children: Vec<Node> = node.children().filter(|c| c.is_element()).collect();
    match node.tag_name().name() {
        "config" => Ok(Condition::Config(required_attr(path, doc, node, "var")?.to_string())),
        "not" => {
            if children.len() != 1 {
                return Err(elem_err(path, doc, node, "<not> must contain exactly one element"));
            }
            Ok(Condition::Not(Box::new(parse_condition_expr(path, doc, children[0])?)))
        }
        tag @ ("and" | "or") => {
            if children.is_empty() {
                return Err(elem_err(
                    path,
                    doc,
                    node,
                    format!("<{tag}> must contain at least one element"),
                ));
            }
            let cs = children
                .iter()
                .map(|c| parse_condition_expr(path, doc, *c))
                .collect::<Result<Vec<_>>>()?;
            Ok(if tag == "and" {
                Condition::And(cs)
            } else {
                Condition::Or(cs)
            })
        }
        other => Err(elem_err(
            path,
            doc,
            node,
            format!("unknown condition element <{other}>"),
        )),
    }
}

/// Reads the condition of a `<method>` or syscall `<config>`: the `condition` attribute or a `<condition>` child.
fn parse_condition(path: &Path, doc: &Document, node: Node) -> Result<Option<Condition>> {
    let elems: Vec<Node> = node.children().filter(|c| c.has_tag_name("condition")).collect();
    let attr = node.attribute("condition").map(str::trim).filter(|s| !s.is_empty());
    match (attr, elems.as_slice()) {
        (Some(_), [_, ..]) => Err(elem_err(
            path,
            doc,
            node,
            "has both a condition attribute and a <condition> element",
        )),
        (Some(expr), []) => {
            // Validate the syntax now so that the error names this element.
            cexpr::eval_condition(expr, &BTreeMap::new())
                .map_err(|e| elem_err(path, doc, node, format!("bad condition `{expr}`: {e}")))?;
            Ok(Some(Condition::Cpp(expr.to_string())))
        }
        (None, []) => Ok(None),
        (None, [cond]) => {
            let inner: Vec<Node> = cond.children().filter(|c| c.is_element()).collect();
            match inner.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(parse_condition_expr(path, doc, *one)?)),
                _ => Err(elem_err(
                    path,
                    doc,
                    *cond,
                    "<condition> must contain one expression element",
                )),
            }
        }
        (None, [_, second, ..]) => Err(elem_err(path, doc, *second, "more than one <condition> element")),
    }
}

/// Parses one interface file (either layout) from its text; `path` is used for errors.
pub fn parse_interface_str(path: &Path, text: &str) -> Result<InterfaceFile> {
    let doc = parse_doc(path, text)?;
    let root = doc.root_element();
    if !root.has_tag_name("api") {
        return Err(elem_err(path, &doc, root, "expected the root element to be <api>"));
    }
    let mut layout = Layout::Old;
    let mut methods = Vec::new();
    let mut structs = Vec::new();
    let mut interfaces = Vec::new();
    for node in root.children().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "struct" => {
                let name = required_attr(path, &doc, node, "name")?.to_string();
                let mut members = Vec::new();
                for m in node.children().filter(|n| n.has_tag_name("member")) {
                    members.push(required_attr(path, &doc, m, "name")?.to_string());
                }
                if members.is_empty() {
                    return Err(elem_err(path, &doc, node, "struct has no <member>"));
                }
                structs.push(StructDef { name, members });
            }
            "interface" => {
                let iname = required_attr(path, &doc, node, "name")?.to_string();
                let cap_description = node.attribute("cap_description").unwrap_or("").to_string();
                interfaces.push(iname.clone());
                for m in node.children().filter(|n| n.is_element()) {
                    if !m.has_tag_name("method") {
                        return Err(elem_err(path, &doc, m, "unexpected element inside <interface>"));
                    }
                    let method = parse_method(path, &doc, m, &iname, &cap_description)?;
                    if m.children().any(|c| c.has_tag_name("condition")) {
                        layout = Layout::New;
                    }
                    methods.push(method);
                }
            }
            other => {
                return Err(elem_err(
                    path,
                    &doc,
                    node,
                    format!("unexpected element <{other}> inside <api>"),
                ));
            }
        }
    }
    let file_name = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
    if file_name.starts_with("object-api") {
        layout = Layout::New;
    }
    Ok(InterfaceFile {
        path: path.to_path_buf(),
        layout,
        interfaces,
        methods,
        structs,
    })
}

fn parse_method(path: &Path, doc: &Document, m: Node, iname: &str, cap_description: &str) -> Result<Method> {
    let id = required_attr(path, doc, m, "id")?.to_string();
    let name = required_attr(path, doc, m, "name")?.to_string();
    let condition = parse_condition(path, doc, m)?;
    let mut params = Vec::new();
    let mut brief = String::new();
    let mut description = String::new();
    let mut errors = Vec::new();
    let mut cap_description = cap_description.to_string();
    for child in m.children().filter(|n| n.is_element()) {
        match child.tag_name().name() {
            "param" => {
                let pname = required_attr(path, doc, child, "name")?.to_string();
                let ty = required_attr(path, doc, child, "type")?.to_string();
                let dir = match required_attr(path, doc, child, "dir")? {
                    "in" => Dir::In,
                    "out" => Dir::Out,
                    other => {
                        return Err(elem_err(
                            path,
                            doc,
                            child,
                            format!("dir must be \"in\" or \"out\", not {other:?}"),
                        ))
                    }
                };
                let description = description_of(child);
                if params.iter().any(|p: &Param| p.name == pname) {
                    return Err(elem_err(path, doc, child, "duplicate parameter name"));
                }
                params.push(Param {
                    name: pname,
                    ty,
                    dir,
                    description,
                    position: pos(doc, child),
                });
            }
            "brief" => brief = doc_text(child),
            "description" => description = doc_text(child),
            "error" => {
                let ename = required_attr(path, doc, child, "name")?.to_string();
                let description = description_of(child);
                errors.push(ErrorDoc {
                    name: ename,
                    description,
                });
            }
            "cap_param" => {
                if let Some(extra) = child.attribute("append_description") {
                    cap_description.push_str(extra);
                }
            }
            "return" | "condition" => {}
            other => {
                return Err(elem_err(
                    path,
                    doc,
                    child,
                    format!("unexpected element <{other}> inside <method>"),
                ))
            }
        }
    }
    Ok(Method {
        id,
        interface: iname.to_string(),
        name,
        condition,
        params,
        brief,
        description,
        errors,
        cap_description: normalise(&cap_description),
        file: path.to_path_buf(),
        position: pos(doc, m),
    })
}

/// Reads and parses one interface file.
pub fn parse_interface_file(path: &Path) -> Result<InterfaceFile> {
    let text = read(path)?;
    parse_interface_str(path, &text)
}

/// The three interface files of a libsel4 tree for an architecture, in label order (generic, sel4-arch, arch),
/// in whichever layout the tree has.
pub fn interface_paths(libsel4: &Path, arch: &str, sel4_arch: &str) -> Result<[PathBuf; 3]> {
    let old = [
        libsel4.join("include/interfaces/sel4.xml"),
        libsel4.join(format!("sel4_arch_include/{sel4_arch}/interfaces/sel4arch.xml")),
        libsel4.join(format!("arch_include/{arch}/interfaces/sel4arch.xml")),
    ];
    let new = [
        libsel4.join("include/interfaces/object-api.xml"),
        libsel4.join(format!(
            "sel4_arch_include/{sel4_arch}/interfaces/object-api-sel4-arch.xml"
        )),
        libsel4.join(format!("arch_include/{arch}/interfaces/object-api-arch.xml")),
    ];
    if old[0].exists() {
        Ok(old)
    } else if new[0].exists() {
        Ok(new)
    } else {
        Err(Error::file(
            &old[0],
            format!("no interface file found (looked for it and for {})", new[0].display()),
        ))
    }
}

/// Numbers the enabled methods of the given files (generic, sel4-arch, arch) for a configuration:
/// 0 is `InvalidInvocation`, then every method whose condition holds, in document order.
pub fn label_methods(files: &[InterfaceFile], config: &BTreeMap<String, String>) -> Result<Api> {
    let mut methods: Vec<LabelledMethod> = Vec::new();
    let mut structs = Vec::new();
    let mut interfaces = Vec::new();
    let mut next = 1u64;
    let mut boundaries = Vec::new();
    for file in files {
        structs.extend(file.structs.iter().cloned());
        interfaces.extend(file.interfaces.iter().cloned());
        for m in &file.methods {
            let enabled = match &m.condition {
                None => true,
                Some(c) => c.eval(config).map_err(|e| {
                    Error::element(
                        &m.file,
                        format!("<method id=\"{}\">", m.id),
                        Some(m.position),
                        format!("cannot evaluate condition `{}`: {e}", c.to_cpp()),
                    )
                })?,
            };
            if !enabled {
                continue;
            }
            if let Some(prev) = methods.iter().find(|p| p.method.id == m.id) {
                return Err(Error::element(
                    &m.file,
                    format!("<method id=\"{}\">", m.id),
                    Some(m.position),
                    format!(
                        "invocation label {} is also enabled in {}",
                        m.id,
                        prev.method.file.display()
                    ),
                ));
            }
            methods.push(LabelledMethod {
                label: next,
                method: m.clone(),
            });
            next += 1;
        }
        boundaries.push(next);
    }
    Ok(Api {
        methods,
        structs,
        interfaces,
        files: files.iter().map(|f| f.path.clone()).collect(),
        n_generic_labels: boundaries.first().copied().unwrap_or(1),
        n_sel4_arch_labels: boundaries.get(1).copied().unwrap_or(1),
    })
}

/// Loads and labels the object API of a libsel4 tree (either layout) for an architecture and configuration.
pub fn load_api(libsel4: &Path, arch: &str, sel4_arch: &str, config: &BTreeMap<String, String>) -> Result<Api> {
    let paths = interface_paths(libsel4, arch, sel4_arch)?;
    let files = paths
        .iter()
        .map(|p| parse_interface_file(p))
        .collect::<Result<Vec<_>>>()?;
    label_methods(&files, config)
}

/// One system call of the syscall list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syscall {
    /// Name, e.g. `Call`, `DebugPutChar`.
    pub name: String,
    /// The (negative) syscall number.
    pub number: i64,
    /// Whether the configuration enables it.
    pub enabled: bool,
    /// The condition of its group, if any.
    pub condition: Option<Condition>,
}

/// Parses the syscall list (`include/api/syscall.xml`, either layout) and numbers it: the API syscalls
/// count down from -1 in order; the debug syscalls continue the count whether or not their group is enabled
/// (the kernel's numbering). In the newer layout the API list is `<api-mcs>` when `CONFIG_KERNEL_MCS` is
/// defined and `<api-master>` otherwise.
pub fn parse_syscalls_str(path: &Path, text: &str, config: &BTreeMap<String, String>) -> Result<Vec<Syscall>> {
    let doc = parse_doc(path, text)?;
    let root = doc.root_element();
    if !root.has_tag_name("syscalls") {
        return Err(elem_err(path, &doc, root, "expected the root element to be <syscalls>"));
    }
    let api_tag = if root.children().any(|c| c.has_tag_name("api")) {
        "api"
    } else if config.contains_key("CONFIG_KERNEL_MCS") {
        "api-mcs"
    } else {
        "api-master"
    };
    let api = root
        .children()
        .find(|c| c.has_tag_name(api_tag))
        .ok_or_else(|| elem_err(path, &doc, root, format!("missing <{api_tag}> element")))?;
    let mut out = Vec::new();
    let mut n = -1i64;
    let groups = api.children().filter(|c| c.is_element()).chain(
        root.children()
            .filter(|c| c.has_tag_name("debug"))
            .flat_map(|d| d.children().filter(|c| c.is_element())),
    );
    for group in groups {
        if !group.has_tag_name("config") {
            return Err(elem_err(path, &doc, group, "expected <config>"));
        }
        let condition = parse_condition(path, &doc, group)?;
        let enabled = match &condition {
            None => true,
            Some(c) => c
                .eval(config)
                .map_err(|e| elem_err(path, &doc, group, format!("cannot evaluate condition: {e}")))?,
        };
        for s in group.children().filter(|c| c.is_element()) {
            match s.tag_name().name() {
                "syscall" => {
                    let name = required_attr(path, &doc, s, "name")?.to_string();
                    out.push(Syscall {
                        name,
                        number: n,
                        enabled,
                        condition: condition.clone(),
                    });
                    n -= 1;
                }
                "condition" => {}
                other => return Err(elem_err(path, &doc, s, format!("unexpected element <{other}>"))),
            }
        }
    }
    Ok(out)
}

/// Reads and parses the syscall list file.
pub fn parse_syscalls(path: &Path, config: &BTreeMap<String, String>) -> Result<Vec<Syscall>> {
    let text = read(path)?;
    parse_syscalls_str(path, &text, config)
}

/// An element's description: its `description` attribute (older layout) or `<description>` child (newer).
fn description_of(node: roxmltree::Node<'_, '_>) -> String {
    match node.attribute("description") {
        Some(d) => normalise(d),
        None => node
            .children()
            .find(|c| c.has_tag_name("description"))
            .map(doc_text)
            .unwrap_or_default(),
    }
}
