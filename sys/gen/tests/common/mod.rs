//! Helpers shared by the generator's host tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use selkie_sys_gen::emit::{emit_api, ApiContext};
use selkie_sys_gen::{Api, Target};

/// The embedded kernel tree, as the pipeline resolves it (`SELKIE_KERNEL_SOURCE`, else the `sel4-sys` 0.0.28
/// package fetched through cargo into selkie's cache).
pub fn kernel_root() -> PathBuf {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        selkie_kernel::source::resolve(&selkie_kernel::selkie_home())
            .unwrap_or_else(|e| panic!("cannot resolve the kernel source: {e}"))
            .root
    })
    .clone()
}

/// The project's own newer-layout interface files (an invented API written for these tests): the `libsel4`
/// directory under `tests/fixtures/newer-layout/`.
pub fn own_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/newer-layout/libsel4")
}

/// The environment variable naming the directory that holds seL4's own newer-layout files
/// (`sel4-16.0.0-dev/libsel4/...`); CI sets it to its copy of those files, kept beside the repository.
pub const SEL4_FIXTURES_VAR: &str = "SELKIE_NEWER_FIXTURES";

/// Why the checks on seL4's own files are skipped when [`SEL4_FIXTURES_VAR`] is not set.
pub const SEL4_FIXTURES_SKIPPED: &str = "SELKIE_NEWER_FIXTURES is not set: this checks the generator on seL4's own \
     newer-layout interface files, which are not part of the repository (CI sets it to its copy beside the repository)";

/// seL4's newer-layout `libsel4` directory (seL4 16.0.0-dev) named by [`SEL4_FIXTURES_VAR`]: `Ok(None)` when
/// the variable is unset, an error when it is set but the files are not there. A relative path is taken from
/// the workspace root, where `.ci/run` and `cargo test` run.
pub fn sel4_fixtures() -> Result<Option<PathBuf>, String> {
    let Some(dir) = std::env::var_os(SEL4_FIXTURES_VAR).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let libsel4 = workspace.join(dir).join("sel4-16.0.0-dev/libsel4");
    if libsel4.join("include/interfaces/object-api.xml").is_file() {
        Ok(Some(libsel4))
    } else {
        Err(format!(
            "{SEL4_FIXTURES_VAR} is set, but {} holds no include/interfaces/object-api.xml",
            libsel4.display()
        ))
    }
}

/// The default configuration: the `CONFIG_*` defines of selkie's default kernel config.
pub fn default_config() -> BTreeMap<String, String> {
    selkie_kernel::KernelConfig::default().defines()
}

/// A configuration with exactly these options defined (each as `1`).
pub fn config(defined: &[&str]) -> BTreeMap<String, String> {
    defined.iter().map(|d| (d.to_string(), "1".to_string())).collect()
}

/// What the generated code is compiled against in [`compile_and_run`]: the types the real `selkie-sys`
/// provides, and a recording stub of the syscall layer. Each call prints one line,
/// `call dest=D label=L caps=[..] words=[..]` (words in hex, as the kernel would read them: the first four
/// from the CPU registers, the rest from the IPC buffer), then replies with what `reply_with` set (label and
/// words; words past the fourth go into the IPC buffer, as the kernel writes them).
const STUB: &str = r#"
#![allow(dead_code)]
pub type Word = WORD_TYPE;
pub type CPtr = Word;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageInfo(Word);
impl MessageInfo {
    pub const fn new(label: Word, caps_unwrapped: Word, extra_caps: Word, length: Word) -> Self {
        MessageInfo((label << 12) | (caps_unwrapped << 9) | (extra_caps << 7) | length)
    }
    pub const fn label(self) -> Word { self.0 >> 12 }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapRights(Word);
impl CapRights {
    pub const fn from_word(w: Word) -> Self { CapRights(w) }
    pub const fn into_word(self) -> Word { self.0 }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error { Code(Word) }
impl Error {
    pub const fn from_reply_label(label: Word) -> Error { Error::Code(label) }
}

std::thread_local! {
    static MRS: std::cell::RefCell<[Word; 120]> = const { std::cell::RefCell::new([0; 120]) };
    static CAPS: std::cell::RefCell<[Word; 3]> = const { std::cell::RefCell::new([0; 3]) };
    static REPLY: std::cell::RefCell<(Word, Vec<Word>)> = const { std::cell::RefCell::new((0, Vec::new())) };
}

pub unsafe fn set_mr(i: usize, w: Word) { MRS.with(|m| m.borrow_mut()[i] = w) }
pub unsafe fn get_mr(i: usize) -> Word { MRS.with(|m| m.borrow()[i]) }
pub unsafe fn set_cap(i: usize, w: Word) { CAPS.with(|m| m.borrow_mut()[i] = w) }

/// The next call's reply: its label (0 for success) and message words.
pub fn reply_with(label: Word, words: &[Word]) { REPLY.with(|r| *r.borrow_mut() = (label, words.to_vec())) }

pub unsafe fn call_with_mrs(dest: CPtr, info: MessageInfo, mrs: [Word; 4]) -> (MessageInfo, [Word; 4]) {
    let len = (info.0 & 0x7f) as usize;
    let extra = ((info.0 >> 7) & 3) as usize;
    let words: Vec<String> = (0..len)
        .map(|i| format!("{:#x}", if i < 4 { mrs[i] } else { unsafe { get_mr(i) } }))
        .collect();
    let caps: Vec<Word> = (0..extra).map(|i| CAPS.with(|c| c.borrow()[i])).collect();
    println!("call dest={dest} label={} caps={caps:?} words=[{}]", info.label(), words.join(", "));
    let (label, reply) = REPLY.with(|r| std::mem::take(&mut *r.borrow_mut()));
    let mut regs = [0; 4];
    for (i, w) in reply.iter().enumerate() {
        if i < 4 { regs[i] = *w } else { unsafe { set_mr(i, *w) } }
    }
    (MessageInfo::new(label, 0, 0, reply.len() as Word), regs)
}

mod generated {
    use super::*;
    include!("api.rs");
}
use generated::*;
"#;

/// Emits the invocation code for `api` (x86_64, messages of up to 120 words and 3 extra caps), compiles it
/// with `-D warnings` together with the recording stub and `main_rs` (which holds `fn main`), runs it and
/// returns its output lines. `name` keeps the build directories of different tests apart.
pub fn compile_and_run(name: &str, api: &Api, main_rs: &str) -> (String, Vec<String>) {
    compile_and_run_for(&Target::x86_64(), name, api, main_rs)
}

/// [`compile_and_run`] for the architecture `target` (its word size: `Word` is `u32` on aarch32).
pub fn compile_and_run_for(target: &Target, name: &str, api: &Api, main_rs: &str) -> (String, Vec<String>) {
    let arch = target.info().unwrap();
    let code = emit_api(&ApiContext {
        api,
        arch: &arch,
        msg_max_length: 120,
        msg_max_extra_caps: 3,
    })
    .unwrap();
    let dir = selkie_kernel::workspace_target_dir()
        .join("selkie-sys-gen-tests")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("api.rs"), &code).unwrap();
    let word = if arch.word_bits == 32 { "u32" } else { "u64" };
    let stub = STUB.replace("WORD_TYPE", word);
    std::fs::write(dir.join("main.rs"), format!("{stub}\n{main_rs}")).unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let exe = dir.join("generated-code");
    let out = Command::new(rustc)
        .args(["--edition", "2021", "-D", "warnings", "-o"])
        .arg(&exe)
        .arg(dir.join("main.rs"))
        .output()
        .expect("running rustc");
    assert!(
        out.status.success(),
        "the generated code ({}) does not compile:\n{}",
        dir.join("api.rs").display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8(run.stdout).unwrap();
    let lines = text.lines().map(str::to_string).collect();
    (code, lines)
}

/// The imx6 (Sabre Lite, Cortex-A9, aarch32) debug configuration the kernel is booted with in QEMU.
pub fn aarch32_config() -> BTreeMap<String, String> {
    selkie_kernel::KernelConfig::debug_imx6().defines()
}
