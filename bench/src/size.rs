//! Binary size: the code (`.text` and every executable section) and the file size of an ELF root task.
//!
//! [`elf_size`] reads any 64-bit little-endian ELF, so an example's root task can be sized the same way as
//! the generated ones:
//!
//! ```no_run
//! let s = selkie_bench::size::elf_size(std::path::Path::new("target/bare/x86_64-unknown-none/release/hello"))?;
//! println!("{} bytes of .text, {} bytes of code, {} bytes on disk", s.text, s.code, s.file);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{Error, ErrorKind};
use std::path::Path;

use crate::report::Section;

/// The sizes of one ELF file, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ElfSize {
    /// The `.text` section.
    pub text: u64,
    /// Every section the loader maps executable (`SHF_EXECINSTR`), `.text` included.
    pub code: u64,
    /// Read-only data (`.rodata*` sections).
    pub rodata: u64,
    /// The file on disk (with its symbols and debug information, if any).
    pub file: u64,
}

/// ELF section flag: the section holds executable instructions.
const SHF_EXECINSTR: u64 = 0x4;

fn bad(path: &Path, what: &str) -> Error {
    Error::new(ErrorKind::InvalidData, format!("{}: {what}", path.display()))
}

/// Sizes the ELF file at `path` (64-bit, little-endian: what `x86_64-unknown-none` produces).
pub fn elf_size(path: &Path) -> std::io::Result<ElfSize> {
    let data = std::fs::read(path).map_err(|e| Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    elf_size_of(&data).map_err(|what| bad(path, what))
}

/// Sizes an ELF image held in memory; the error says what is wrong with it.
pub fn elf_size_of(data: &[u8]) -> Result<ElfSize, &'static str> {
    let u16_at = |o: usize| data.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |o: usize| data.get(o..o + 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()));
    let u64_at = |o: usize| data.get(o..o + 8).map(|b| u64::from_le_bytes(b.try_into().unwrap()));
    if data.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err("not an ELF file");
    }
    if data.get(4) != Some(&2) || data.get(5) != Some(&1) {
        return Err("not a 64-bit little-endian ELF file");
    }
    let truncated = "truncated ELF headers";
    let shoff = u64_at(0x28).ok_or(truncated)? as usize;
    let shentsize = u16_at(0x3a).ok_or(truncated)? as usize;
    let shnum = u16_at(0x3c).ok_or(truncated)? as usize;
    let shstrndx = u16_at(0x3e).ok_or(truncated)? as usize;
    if shentsize < 0x40 || shstrndx >= shnum {
        return Err("malformed section header table");
    }
    let header = |i: usize| shoff + i * shentsize;
    let names = u64_at(header(shstrndx) + 0x18).ok_or(truncated)? as usize;
    let mut size = ElfSize {
        file: data.len() as u64,
        ..ElfSize::default()
    };
    for i in 0..shnum {
        let h = header(i);
        let name_off = u32_at(h).ok_or(truncated)? as usize;
        let flags = u64_at(h + 0x08).ok_or(truncated)?;
        let bytes = u64_at(h + 0x20).ok_or(truncated)?;
        let name = data
            .get(names + name_off..)
            .and_then(|s| s.split(|&b| b == 0).next())
            .ok_or("section name outside the file")?;
        if name == b".text" {
            size.text += bytes;
        }
        if name.starts_with(b".rodata") {
            size.rodata += bytes;
        }
        if flags & SHF_EXECINSTR != 0 {
            size.code += bytes;
        }
    }
    Ok(size)
}

/// The report's section on binary size, from the compile-time measurement's builds.
pub fn section(s: &crate::compile_scaling::Scaling) -> Section {
    use crate::compile_scaling::Style;
    let empty = s.empty;
    let mut md = format!(
        "Root tasks as built by the compile-time measurement ({} profile). The empty root task: {} bytes of \
         `.text`, {} bytes of code, {} bytes of `.rodata`, {} bytes on disk.\n\n\
         | processes | typed .text | raw .text | typed file | raw file |\n|---:|---:|---:|---:|---:|\n",
        if s.options.release { "release" } else { "dev" },
        empty.text,
        empty.code,
        empty.rodata,
        empty.file
    );
    let mut rows = Vec::new();
    for &n in &s.options.sizes {
        let (Some(t), Some(r)) = (s.point(Style::Typed, n), s.point(Style::Raw, n)) else {
            continue;
        };
        md.push_str(&format!(
            "| {n} | {} | {} | {} | {} |\n",
            t.size.text, r.size.text, t.size.file, r.size.file
        ));
        rows.push(serde_json::json!({
            "processes": n,
            "typed": {"text": t.size.text, "code": t.size.code, "rodata": t.size.rodata, "file": t.size.file},
            "raw": {"text": r.size.text, "code": r.size.code, "rodata": r.size.rodata, "file": r.size.file},
        }));
    }
    let (tb, _) = s.text_fit(Style::Typed);
    let (rb, _) = s.text_fit(Style::Raw);
    let per = if s.options.sizes.len() > 1 {
        let ratio = tb / rb;
        md.push_str(&format!(
            "\nPer process (least-squares slope of `.text`): typed {tb:.0} bytes, raw {rb:.0} bytes: \
             typed/raw {ratio:.2}.\n"
        ));
        serde_json::json!({"typed_text_per_process": tb, "raw_text_per_process": rb, "typed_over_raw": ratio})
    } else {
        serde_json::Value::Null
    };
    Section {
        title: "Binary size".into(),
        markdown: md,
        json: serde_json::json!({
            "empty": {"text": empty.text, "code": empty.code, "rodata": empty.rodata, "file": empty.file},
            "rows": rows,
            "per_process": per,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_an_elf() {
        assert_eq!(elf_size_of(b"hello world, not an ELF"), Err("not an ELF file"));
        assert!(elf_size_of(b"\x7fELF\x01\x01").is_err(), "32-bit is refused");
        assert_eq!(elf_size_of(b"\x7fELF\x02\x01\x01"), Err("truncated ELF headers"));
    }
}
