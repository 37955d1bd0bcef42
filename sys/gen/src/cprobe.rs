//! Asking the host gcc what the kernel's C headers say: the support the host cross-check tests (this crate's
//! `crosscheck` and `selkie-sys`'s `abi`) use to compare generated values with C.
//!
//! A [`CProbe`] writes one C program into a scratch directory: the given `autoconf.h`, the kernel build's
//! generated invocation and syscall headers, libsel4's headers, optionally the kernel's own `seL4_MessageInfo`
//! bitfield code and `enum cap_tag` (extracted from the build's preprocessed `kernel_all.c_pp`), any extra
//! prelude, a `P(key, value)` macro printing `key value` lines, and a `main` holding the caller's body. It
//! compiles that with gcc against the kernel build and libsel4 include paths, runs it, and returns the printed
//! lines as a map from key to value.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

/// One C program to build against a kernel build's headers; see the [module documentation](self).
#[derive(Debug, Clone, Copy)]
pub struct CProbe<'a> {
    /// Where the program, its `autoconf.h` and its executable are written (created if missing).
    pub scratch_dir: &'a Path,
    /// The kernel source root (the directory holding `libsel4`).
    pub kernel_root: &'a Path,
    /// The kernel build directory (generated headers and `kernel_all.c_pp`).
    pub build_dir: &'a Path,
    /// The kernel's `ARCH`, e.g. `x86` (selects `libsel4/arch_include/<arch>`).
    pub arch: &'a str,
    /// The kernel's `SEL4_ARCH`, e.g. `x86_64` (selects `libsel4/sel4_arch_include/<sel4_arch>`).
    pub sel4_arch: &'a str,
    /// The kernel's `PLAT`, e.g. `pc99` (selects `libsel4/sel4_plat_include/<plat>`).
    pub plat: &'a str,
    /// The full text of the `autoconf.h` the program is compiled under.
    pub autoconf_h: &'a str,
    /// Whether to include the kernel's `seL4_MessageInfo` code and `enum cap_tag` from `kernel_all.c_pp`
    /// (`seL4_MessageInfo_new`, `cap_*`); without them a one-word `seL4_MessageInfo_t` stands in, enough
    /// for libsel4's shared types.
    pub kernel_pp: bool,
    /// C text placed after the headers, before `P` and `main`.
    pub prelude: &'a str,
    /// `None`: build with the host gcc and run the program. `Some(prefix)`: build with the cross compiler
    /// `<prefix>gcc` for the kernel's own architecture (`arm-linux-gnueabihf-` for aarch32), which cannot run
    /// here; each `P(key, value)` then places its key and value, evaluated by the compiler, in a `.probe`
    /// section of the object file, read back with `<prefix>objcopy`. Values must then be compile-time
    /// constants (enumerators, `offsetof`, `sizeof`, `#define`s).
    pub cross: Option<&'a str>,
}

/// Reads the `.probe` section of a cross-compiled probe object (see [`CProbe::cross`]) into a key-value map.
fn read_probe_section(prefix: &str, object: &Path, bin: &Path) -> Result<BTreeMap<String, i64>, String> {
    let objcopy = format!("{prefix}objcopy");
    let out = Command::new(&objcopy)
        .args(["-O", "binary", "--only-section=.probe"])
        .arg(object)
        .arg(bin)
        .output()
        .map_err(|e| format!("running {objcopy}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{objcopy} failed on {}:\n{}",
            object.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let bytes = std::fs::read(bin).map_err(|e| format!("reading {}: {e}", bin.display()))?;
    let mut map = BTreeMap::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let value = (u64::from(word(at + 4)) << 32 | u64::from(word(at))) as i64;
        let key_start = at + 8;
        let len = bytes[key_start..]
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| format!("{}: unterminated key at byte {key_start}", bin.display()))?;
        let key = String::from_utf8_lossy(&bytes[key_start..key_start + len]).into_owned();
        map.insert(key, value);
        at = (key_start + len + 1).div_ceil(4) * 4;
    }
    Ok(map)
}

/// The text of `text` from the first `start` to the first `end` after it, inclusive.
fn extract<'t>(text: &'t str, start: &str, end: &str) -> Option<&'t str> {
    let a = text.find(start)?;
    let b = text[a..].find(end)? + a + end.len();
    Some(&text[a..b])
}

impl CProbe<'_> {
    /// The complete C source for `body` (statements inside `main`, typically `P("key", expr);` lines).
    pub fn source(&self, body: &str) -> Result<String, String> {
        let mut c = String::new();
        c.push_str(
            "#include <autoconf.h>\n#include <stdio.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdlib.h>\n",
        );
        c.push_str("typedef unsigned long word_t;\n#define UNUSED __attribute__((unused))\n");
        c.push_str("#include <api/invocation.h>\n#include <arch/api/invocation.h>\n#include <arch/api/syscall.h>\n");
        c.push_str("#define HAVE_AUTOCONF 1\n#include <sel4/simple_types.h>\n#include <sel4/macros.h>\n#include <sel4/sel4_arch/types.h>\n");
        c.push_str(
            "#include <sel4/objecttype.h>\n#include <sel4/sel4_arch/objecttype.h>\n#include <sel4/arch/objecttype.h>\n",
        );
        c.push_str("#include <sel4/errors.h>\n#include <sel4/constants.h>\n#include <sel4/sel4_arch/constants.h>\n");
        c.push_str("static void _assert_fail(const char *a, const char *f, unsigned l, const char *fn) { fprintf(stderr, \"%s %s:%u %s\\n\", a, f, l, fn); exit(2); }\n");
        if self.kernel_pp {
            // The kernel's own generated bitfield code for seL4_MessageInfo and its cap_tag enum.
            let path = self.build_dir.join("kernel_all.c_pp");
            let pp = std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            let grab = |start: &str, end: &str| {
                extract(&pp, start, end).ok_or_else(|| format!("{start:?} … {end:?} not in {}", path.display()))
            };
            let mi = grab("struct seL4_MessageInfo {", "return seL4_MessageInfo;\n}")?;
            let tags = grab("enum cap_tag {", "};")?;
            let _ = writeln!(c, "{mi}\n{tags}");
        } else {
            c.push_str("typedef struct seL4_MessageInfo { word_t words[1]; } seL4_MessageInfo_t;\n");
        }
        c.push_str("#include <sel4/shared_types.h>\n#include <sel4/bootinfo_types.h>\n");
        c.push_str(self.prelude);
        if self.cross.is_some() {
            // Each value as two 32-bit halves (low, high), then the NUL-terminated key, padded to 4 bytes.
            c.push_str(
                "#define P(k, v) __asm__ volatile(\".pushsection .probe,\\\"a\\\"\\n.balign 4\\n.long %c0, %c1\\n.asciz \\\"\" k \"\\\"\\n.popsection\" \\\n    :: \"i\"((unsigned)((unsigned long long)(long long)(v) & 0xffffffffu)), \"i\"((unsigned)((unsigned long long)(long long)(v) >> 32)))\nint main(void) {\n",
            );
        } else {
            c.push_str("#define P(k, v) printf(\"%s %lld\\n\", k, (long long)(v))\nint main(void) {\n");
        }
        c.push_str(body);
        c.push_str("    return 0;\n}\n");
        Ok(c)
    }

    /// Writes, compiles and runs the program for `body`, returning its `key value` output lines as a map.
    ///
    /// Errors name the step and file at fault and carry gcc's (or the program's) stderr.
    pub fn run(&self, body: &str) -> Result<BTreeMap<String, i64>, String> {
        let dir = self.scratch_dir;
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let write = |path: &Path, text: &str| {
            std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
        };
        write(&dir.join("autoconf.h"), self.autoconf_h)?;
        let src = dir.join("probe.c");
        write(&src, &self.source(body)?)?;
        let exe = dir.join(if self.cross.is_some() { "probe.o" } else { "probe" });
        let l = self.kernel_root.join("libsel4");
        let prefix = self.cross.unwrap_or("");
        let gcc = format!("{prefix}gcc");
        let out = Command::new(&gcc)
            .args(["-std=gnu11", "-w"])
            .args(if self.cross.is_some() { &["-c", "-O2"][..] } else { &[] })
            .arg("-o")
            .arg(&exe)
            .arg(&src)
            .arg(format!("-I{}", dir.display()))
            .arg(format!("-I{}", self.build_dir.display()))
            .arg(format!("-I{}", l.join("include").display()))
            .arg(format!("-I{}", l.join("arch_include").join(self.arch).display()))
            .arg(format!(
                "-I{}",
                l.join("sel4_arch_include").join(self.sel4_arch).display()
            ))
            .arg(format!("-I{}", l.join("sel4_plat_include").join(self.plat).display()))
            .output()
            .map_err(|e| format!("running {gcc}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{gcc} failed on {}:\n{}",
                src.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if self.cross.is_some() {
            return read_probe_section(prefix, &exe, &dir.join("probe.bin"));
        }
        let run = Command::new(&exe)
            .output()
            .map_err(|e| format!("running {}: {e}", exe.display()))?;
        if !run.status.success() {
            return Err(format!(
                "{} failed ({}): {}",
                exe.display(),
                run.status,
                String::from_utf8_lossy(&run.stderr)
            ));
        }
        let stdout = String::from_utf8(run.stdout).map_err(|e| format!("{} printed non-UTF-8: {e}", exe.display()))?;
        stdout
            .lines()
            .map(|line| {
                let (k, v) = line
                    .split_once(' ')
                    .ok_or_else(|| format!("{}: line {line:?} is not `key value`", exe.display()))?;
                let v = v
                    .parse()
                    .map_err(|e| format!("{}: value in {line:?}: {e}", exe.display()))?;
                Ok((k.to_string(), v))
            })
            .collect()
    }
}
