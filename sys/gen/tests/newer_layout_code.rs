//! The code generated from the newer-layout fixtures (seL4 16.0.0-dev) compiles without warnings and
//! marshals as the interface files say: the generated functions are run on the host against a recording stub
//! of the syscall layer, and the messages they send are checked.

mod common;

use std::process::Command;

use selkie_sys_gen::emit::{emit_api, ApiContext};
use selkie_sys_gen::interface::load_api;
use selkie_sys_gen::Target;

const PRELUDE: &str = r#"
#![allow(dead_code)]
pub type Word = u64;
pub type CPtr = u64;

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
pub enum Error { Some(Word) }
impl Error {
    pub const fn from_reply_label(label: Word) -> Error { Error::Some(label) }
}

std::thread_local! {
    static MRS: std::cell::RefCell<[Word; 120]> = const { std::cell::RefCell::new([0; 120]) };
    static CAPS: std::cell::RefCell<[Word; 3]> = const { std::cell::RefCell::new([0; 3]) };
}

pub unsafe fn set_mr(i: usize, w: Word) { MRS.with(|m| m.borrow_mut()[i] = w) }
pub unsafe fn get_mr(i: usize) -> Word { MRS.with(|m| m.borrow()[i]) }
pub unsafe fn set_cap(i: usize, w: Word) { CAPS.with(|m| m.borrow_mut()[i] = w) }

/// Prints the message as the kernel would see it, and replies with every register word + 1000.
pub unsafe fn call_with_mrs(dest: CPtr, info: MessageInfo, mrs: [Word; 4]) -> (MessageInfo, [Word; 4]) {
    let len = (info.0 & 0x7f) as usize;
    let extra = ((info.0 >> 7) & 3) as usize;
    let mut words = Vec::new();
    for i in 0..len {
        words.push(if i < 4 { mrs[i] } else { unsafe { get_mr(i) } });
    }
    let caps: Vec<Word> = (0..extra).map(|i| CAPS.with(|c| c.borrow()[i])).collect();
    println!("call dest={dest} label={} words={words:?} caps={caps:?}", info.label());
    for i in 4..20 {
        unsafe { set_mr(i, 2000 + i as Word) };
    }
    (MessageInfo::new(0, 0, 0, 0), mrs.map(|w| w + 1000))
}

mod generated {
    use super::*;
    include!("api.rs");
}
use generated::*;

fn main() {
    unsafe {
        untyped_retype(1, 2, 3, 4, 5, 6, 7, 8).unwrap();
        cnode_copy(10, 11, 12, 13, 14, 15, CapRights::from_word(7)).unwrap();
        tcb_write_registers(20, true, 0x5, 2, &UserContext { rip: 0xaa, rsp: 0xbb, ..Default::default() }).unwrap();
        let regs = tcb_read_registers(21, false, 0, 20).unwrap();
        println!("read rip={} rsp={} r15={} gs_base={}", regs.rip, regs.rsp, regs.r15, regs.gs_base);
        println!("page address={}", x86_page_get_address(30).unwrap());
        println!("in8={}", x86_io_port_in8(31, 0x3f8).unwrap());
    }
}
"#;

#[test]
fn newer_layout_code_compiles_and_marshals() {
    let api = load_api(&common::fixtures(), "x86", "x86_64", &common::default_config()).unwrap();
    let arch = Target::x86_64().info().unwrap();
    let code = emit_api(&ApiContext {
        api: &api,
        arch: &arch,
        msg_max_length: 120,
        msg_max_extra_caps: 3,
    })
    .unwrap();
    let dir = selkie_kernel::workspace_target_dir().join("selkie-sys-gen-newer-layout");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("api.rs"), &code).unwrap();
    std::fs::write(dir.join("main.rs"), PRELUDE).unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let exe = dir.join("newer_layout");
    let out = Command::new(rustc)
        .args(["--edition", "2021", "-D", "warnings", "-o"])
        .arg(&exe)
        .arg(dir.join("main.rs"))
        .output()
        .expect("running rustc");
    assert!(
        out.status.success(),
        "generated code for the newer layout does not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = String::from_utf8(run.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let label = |id: &str| api.label(id).unwrap();
    // Untyped_Retype: 6 words, root as the only extra cap.
    assert_eq!(
        lines[0],
        format!(
            "call dest=1 label={} words=[2, 3, 5, 6, 7, 8] caps=[4]",
            label("UntypedRetype")
        )
    );
    // CNode_Copy: dest_index, dest_depth (u8), src_index, src_depth (u8), rights; src_root is a cap.
    assert_eq!(
        lines[1],
        format!(
            "call dest=10 label={} words=[11, 12, 14, 15, 7] caps=[13]",
            label("CNodeCopy")
        )
    );
    // TCB_WriteRegisters: resume_target | arch_flags << 8, count, then the 20 x86_64 registers of this kernel.
    let mut regs = vec![0xaa, 0xbb];
    regs.extend([0; 18]);
    let words: Vec<String> = [1 | (5 << 8), 2]
        .iter()
        .chain(regs.iter())
        .map(|w: &u64| w.to_string())
        .collect();
    assert_eq!(
        lines[2],
        format!(
            "call dest=20 label={} words=[{}] caps=[]",
            label("TCBWriteRegisters"),
            words.join(", ")
        )
    );
    assert_eq!(
        lines[3],
        format!("call dest=21 label={} words=[0, 20] caps=[]", label("TCBReadRegisters"))
    );
    // Replies: registers + 1000 for MR0-3, then the IPC buffer (2000 + i).
    assert_eq!(lines[4], "read rip=1000 rsp=1020 r15=2017 gs_base=2019");
    assert_eq!(lines[6], "page address=1000");
    assert_eq!(lines[8], format!("in8={}", (1000 + 0x3f8) & 0xff));
    // The newer files' documentation became rustdoc.
    assert!(
        code.contains("/// - `NotEnoughMemory`: The total size of the new objects exceeds the space available."),
        "error docs"
    );
    assert!(code.contains("/// Retype an untyped object"), "brief");
}
