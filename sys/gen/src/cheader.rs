//! Just enough of C to read constants from libsel4's headers and the kernel's bitfield (`.bf`) files:
//! conditional compilation (`#if`, `#ifdef`, `#ifndef`, `#elif`, `#else`, `#endif`) evaluated with the
//! configuration, object-like `#define`s, `enum` bodies and the fields of a `typedef struct`.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;

use crate::cexpr::{self, Symbols};
use crate::error::{Error, Result};

/// Object-like macros and enumerators, resolved on demand (a macro may name another macro).
#[derive(Debug, Default, Clone)]
pub struct Defines {
    /// Name to replacement text (enumerators are stored with their decimal value).
    pub map: BTreeMap<String, String>,
    depth: Cell<u32>,
}

impl Defines {
    /// A table starting from the configuration (`CONFIG_*` defines).
    pub fn from_config(config: &BTreeMap<String, String>) -> Self {
        Defines {
            map: config.clone(),
            depth: Cell::new(0),
        }
    }

    /// Evaluates `expr` with these definitions.
    pub fn eval(&self, expr: &str) -> std::result::Result<i64, String> {
        cexpr::eval(expr, self)
    }
}

impl Symbols for Defines {
    fn is_defined(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    fn value(&self, name: &str) -> std::result::Result<Option<i64>, String> {
        let Some(text) = self.map.get(name) else {
            return Ok(None);
        };
        if text.trim().is_empty() {
            return Ok(Some(1));
        }
        if self.depth.get() > 32 {
            return Err(format!("macro `{name}` expands recursively"));
        }
        self.depth.set(self.depth.get() + 1);
        let v = cexpr::eval(text, self);
        self.depth.set(self.depth.get() - 1);
        v.map(Some)
    }
}

/// Removes `/* */` and `//` comments (and `--` comments when `dash_comments`), joins continued lines.
fn strip_comments(text: &str, dash_comments: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                if b[i] == b'\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if (b[i] == b'/' && b.get(i + 1) == Some(&b'/'))
            || (dash_comments && b[i] == b'-' && b.get(i + 1) == Some(&b'-'))
        {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'\\' && b.get(i + 1) == Some(&b'\n') {
            i += 2;
            out.push(' ');
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The active text of a file after conditional compilation, and the object-like macros it defines.
#[derive(Debug, Clone)]
pub struct Preprocessed {
    /// Active non-directive lines (line structure kept, inactive lines blanked).
    pub text: String,
    /// `#define NAME value` lines seen in active regions, in order.
    pub defines: Vec<(String, String)>,
}

/// Runs conditional compilation over `text` with `defines` (which also receives the file's `#define`s).
pub fn preprocess(path: &Path, text: &str, defines: &mut Defines, dash_comments: bool) -> Result<Preprocessed> {
    let clean = strip_comments(text, dash_comments);
    // Stack entries: (this branch active, some branch of this group taken, parent active).
    let mut stack: Vec<(bool, bool, bool)> = Vec::new();
    let mut out = String::new();
    let mut found = Vec::new();
    let active = |stack: &Vec<(bool, bool, bool)>| stack.last().map(|s| s.0).unwrap_or(true);
    for (n, line) in clean.lines().enumerate() {
        let trimmed = line.trim_start();
        let err = |msg: String| {
            Error::element(
                path,
                format!("line {}: `{}`", n + 1, line.trim()),
                Some((n as u32 + 1, 1)),
                msg,
            )
        };
        let Some(directive) = trimmed.strip_prefix('#') else {
            if active(&stack) {
                out.push_str(line);
            }
            out.push('\n');
            continue;
        };
        out.push('\n');
        let directive = directive.trim_start();
        let (word, rest) = directive
            .split_once(|c: char| c.is_whitespace())
            .unwrap_or((directive, ""));
        let rest = rest.trim();
        let cond = |expr: &str, defines: &Defines| {
            cexpr::eval_condition(expr, defines).map_err(|e| err(format!("cannot evaluate `{expr}`: {e}")))
        };
        match word {
            "if" | "ifdef" | "ifndef" => {
                let parent = active(&stack);
                let value = if !parent {
                    false
                } else {
                    match word {
                        "if" => cond(rest, defines)?,
                        "ifdef" => defines.is_defined(rest),
                        _ => !defines.is_defined(rest),
                    }
                };
                stack.push((value, value, parent));
            }
            "elif" => {
                let Some(top) = stack.last_mut() else {
                    return Err(err("#elif without #if".into()));
                };
                let (_, taken, parent) = *top;
                let value = parent && !taken && cond(rest, defines)?;
                *top = (value, taken || value, parent);
            }
            "else" => {
                let Some(top) = stack.last_mut() else {
                    return Err(err("#else without #if".into()));
                };
                let (_, taken, parent) = *top;
                *top = (parent && !taken, true, parent);
            }
            "endif" => {
                stack.pop().ok_or_else(|| err("#endif without #if".into()))?;
            }
            "define" if active(&stack) => {
                let name_end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let name = &rest[..name_end];
                if name.is_empty() {
                    return Err(err("#define without a name".into()));
                }
                // Function-like macros are not evaluated.
                if rest[name_end..].starts_with('(') {
                    continue;
                }
                let value = rest[name_end..].trim().to_string();
                defines.map.insert(name.to_string(), value.clone());
                found.push((name.to_string(), value));
            }
            "undef" if active(&stack) => {
                defines.map.remove(rest);
            }
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(Error::file(path, "unterminated #if at end of file"));
    }
    Ok(Preprocessed {
        text: out,
        defines: found,
    })
}

/// Reads and preprocesses a C header.
pub fn preprocess_file(path: &Path, defines: &mut Defines, dash_comments: bool) -> Result<Preprocessed> {
    let text = crate::interface::read(path)?;
    preprocess(path, &text, defines, dash_comments)
}

/// One `enum` of a header: its tag or typedef name (if any) and its enumerators with values.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// The enum tag (`enum tag {`) if given.
    pub tag: Option<String>,
    /// The typedef name after the closing brace, if any.
    pub typedef: Option<String>,
    /// Enumerators in order with their values.
    pub entries: Vec<(String, i64)>,
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// Finds every `enum { ... }` in preprocessed text; enumerator values are evaluated with `defines` (which
/// receives each enumerator so later enums and files can refer to it). Entries that are macro calls
/// (`SEL4_FORCE_LONG_ENUM(x)`) are skipped.
pub fn enums(path: &Path, text: &str, defines: &mut Defines) -> Result<Vec<EnumDef>> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(off) = find_word(&text[search..], "enum") {
        let start = search + off + 4;
        let Some(brace) = text[start..].find(['{', ';', '(', ')', '=']) else {
            break;
        };
        if text.as_bytes()[start + brace] != b'{' {
            search = start;
            continue;
        }
        let tag = text[start..start + brace].trim();
        let tag = if is_ident(tag) { Some(tag.to_string()) } else { None };
        let body_start = start + brace + 1;
        let Some(close) = text[body_start..].find('}') else {
            return Err(Error::element(
                path,
                format!("enum {}", tag.unwrap_or_default()),
                None,
                "unterminated enum",
            ));
        };
        let body = &text[body_start..body_start + close];
        let after = &text[body_start + close + 1..];
        let semi = after.find(';').unwrap_or(after.len());
        let typedef = after[..semi]
            .split_whitespace()
            .last()
            .filter(|s| is_ident(s))
            .map(str::to_string);
        let label = tag
            .clone()
            .or(typedef.clone())
            .unwrap_or_else(|| "(anonymous)".to_string());
        let mut entries = Vec::new();
        let mut next = 0i64;
        for entry in body.split(',') {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let (name, value) = match entry.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (entry, None),
            };
            if !is_ident(name) {
                if name.contains('(') {
                    continue;
                }
                return Err(Error::element(
                    path,
                    format!("enum {label}"),
                    None,
                    format!("cannot read enumerator `{entry}`"),
                ));
            }
            let v = match value {
                Some(expr) => defines.eval(expr).map_err(|e| {
                    Error::element(
                        path,
                        format!("enum {label}, enumerator {name}"),
                        None,
                        format!("cannot evaluate `{expr}`: {e}"),
                    )
                })?,
                None => next,
            };
            defines.map.insert(name.to_string(), v.to_string());
            entries.push((name.to_string(), v));
            next = v + 1;
        }
        out.push(EnumDef { tag, typedef, entries });
        search = body_start + close + 1;
    }
    Ok(out)
}

/// Position of `word` as a whole identifier in `text`.
pub fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let before = text[..at].chars().last();
        let after = text[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        if boundary(before) && boundary(after) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// One field of a C struct: type, name and array length expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CField {
    /// The C type (with `*` for pointers).
    pub ty: String,
    /// The field name.
    pub name: String,
    /// The array length expression, if an array.
    pub array: Option<String>,
}

/// The fields of `typedef struct { ... } [attributes] NAME;` in preprocessed text.
pub fn typedef_struct(path: &Path, text: &str, name: &str) -> Result<Vec<CField>> {
    let mut from = 0;
    let end = loop {
        let Some(i) = find_word(&text[from..], name) else {
            return Err(Error::element(
                path,
                format!("struct {name}"),
                None,
                "typedef not found",
            ));
        };
        let at = from + i;
        if text[at + name.len()..].trim_start().starts_with(';')
            && text[..at]
                .trim_end()
                .ends_with(|c: char| c == '}' || c.is_ascii_alphanumeric() || c == ')')
        {
            if let Some(close) = text[..at].rfind('}') {
                break close;
            }
        }
        from = at + name.len();
    };
    let open = text[..end]
        .rfind('{')
        .ok_or_else(|| Error::element(path, format!("struct {name}"), None, "no opening brace"))?;
    let mut fields = Vec::new();
    for decl in text[open + 1..end].split(';') {
        let decl = decl.split_whitespace().collect::<Vec<_>>().join(" ");
        if decl.is_empty() {
            continue;
        }
        let (decl, array) = match decl.split_once('[') {
            Some((d, rest)) => (
                d.trim().to_string(),
                Some(rest.trim_end_matches(']').trim().to_string()),
            ),
            None => (decl.clone(), None),
        };
        let split = decl.rfind([' ', '*']).ok_or_else(|| {
            Error::element(
                path,
                format!("struct {name}"),
                None,
                format!("cannot read field `{decl}`"),
            )
        })?;
        let fname = decl[split + 1..].trim().to_string();
        let ty = decl[..=split].replace(' ', "");
        if !is_ident(&fname) {
            return Err(Error::element(
                path,
                format!("struct {name}"),
                None,
                format!("cannot read field `{decl}`"),
            ));
        }
        fields.push(CField { ty, name: fname, array });
    }
    Ok(fields)
}

/// A field of a `.bf` `block`: name (None for padding) and width in bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BfField {
    /// Field name, `None` for padding.
    pub name: Option<String>,
    /// Width in bits.
    pub bits: u32,
    /// Bit offset from the least significant end of the block.
    pub shift: u32,
}

/// The fields of `block NAME { ... }` in preprocessed `.bf` text, with shifts (fields are listed from the most
/// significant bit down, so the last field sits at bit 0).
pub fn bf_block(path: &Path, text: &str, name: &str) -> Result<Vec<BfField>> {
    let mut from = 0;
    let open = loop {
        let Some(i) = find_word(&text[from..], "block") else {
            return Err(Error::element(path, format!("block {name}"), None, "block not found"));
        };
        let at = from + i + 5;
        let rest = text[at..].trim_start();
        if rest.starts_with(name) && find_word(rest, name) == Some(0) {
            let Some(open) = text[at..].find('{') else {
                return Err(Error::element(path, format!("block {name}"), None, "no opening brace"));
            };
            break at + open;
        }
        from = at;
    };
    let close = text[open..]
        .find('}')
        .ok_or_else(|| Error::element(path, format!("block {name}"), None, "unterminated block"))?
        + open;
    let mut fields = Vec::new();
    for line in text[open + 1..close].lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let err = || {
            Error::element(
                path,
                format!("block {name}"),
                None,
                format!("cannot read `{}`", line.trim()),
            )
        };
        match words.as_slice() {
            [] => {}
            ["padding", n] => fields.push(BfField {
                name: None,
                bits: n.parse().map_err(|_| err())?,
                shift: 0,
            }),
            ["field" | "field_high", f, n] => fields.push(BfField {
                name: Some(f.to_string()),
                bits: n.parse().map_err(|_| err())?,
                shift: 0,
            }),
            _ => return Err(err()),
        }
    }
    let mut shift = 0;
    for f in fields.iter_mut().rev() {
        f.shift = shift;
        shift += f.bits;
    }
    Ok(fields)
}

/// The tags of `tagged_union NAME TAGFIELD { tag x N ... }` in preprocessed `.bf` text.
pub fn bf_tags(path: &Path, text: &str, union_name: &str) -> Result<Vec<(String, i64)>> {
    let mut from = 0;
    let open = loop {
        let Some(i) = find_word(&text[from..], "tagged_union") else {
            return Err(Error::element(
                path,
                format!("tagged_union {union_name}"),
                None,
                "not found",
            ));
        };
        let at = from + i + "tagged_union".len();
        let rest = text[at..].trim_start();
        if find_word(rest, union_name) == Some(0) {
            let Some(open) = text[at..].find('{') else {
                return Err(Error::element(
                    path,
                    format!("tagged_union {union_name}"),
                    None,
                    "no opening brace",
                ));
            };
            break at + open;
        }
        from = at;
    };
    let close = text[open..]
        .find('}')
        .ok_or_else(|| Error::element(path, format!("tagged_union {union_name}"), None, "unterminated"))?
        + open;
    let mut tags = Vec::new();
    for line in text[open + 1..close].lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            // Variable-width tags (aarch32's 4- and 8-bit cap tags): the masks say which tag bits are read
            // for which width; the tags themselves are still listed whole, below.
            ["mask", _, _] => {}
            ["tag", name, n] => {
                let v = cexpr::parse_int(n).ok_or_else(|| {
                    Error::element(
                        path,
                        format!("tagged_union {union_name}, tag {name}"),
                        None,
                        format!("bad tag value `{n}`"),
                    )
                })?;
                tags.push((name.to_string(), v));
            }
            _ => {
                return Err(Error::element(
                    path,
                    format!("tagged_union {union_name}"),
                    None,
                    format!("cannot read `{}`", line.trim()),
                ));
            }
        }
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_enum() {
        let mut d = Defines::from_config(&[("CONFIG_A".to_string(), "1".to_string())].into_iter().collect());
        let src = "#ifndef G\n#define G\n/* c */ enum e { A_X = 5, A_Y, // x\n#ifdef CONFIG_B\n A_B,\n#else\n A_NB,\n#endif\n#if CONFIG_A > 0\n A_Z,\n#endif\n F(x) } t;\n#endif\n";
        let p = preprocess(Path::new("t.h"), src, &mut d, false).unwrap();
        let e = enums(Path::new("t.h"), &p.text, &mut d).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].tag.as_deref(), Some("e"));
        assert_eq!(e[0].typedef.as_deref(), Some("t"));
        assert_eq!(
            e[0].entries,
            vec![
                ("A_X".into(), 5),
                ("A_Y".into(), 6),
                ("A_NB".into(), 7),
                ("A_Z".into(), 8)
            ]
        );
        assert!(preprocess(Path::new("t.h"), "#if 1\n", &mut d, false).is_err());
        assert!(preprocess(Path::new("t.h"), "#endif\n", &mut d, false).is_err());
    }

    #[test]
    fn bitfield_block() {
        let src = "block m {\n padding 32\n field label 20\n field c 3\n field e 2\n field l 7\n}\n";
        let f = bf_block(Path::new("t.bf"), src, "m").unwrap();
        assert_eq!(
            f[1],
            BfField {
                name: Some("label".into()),
                bits: 20,
                shift: 12
            }
        );
        assert_eq!(f[4].shift, 0);
    }
}
