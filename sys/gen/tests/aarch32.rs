//! The generator on aarch32 (imx6, the embedded kernel's older-layout files): invocation labels, object
//! types and sizes, syscall numbers, message layouts at 32-bit words, and the emitted code's messages.
//! Every value is also compared with the C headers, compiled by the ARM cross compiler, in `crosscheck.rs`.

mod common;

use selkie_sys_gen::emit::marshal;
use selkie_sys_gen::interface::{load_api, parse_syscalls};
use selkie_sys_gen::{collect, Target};

fn api() -> selkie_sys_gen::Api {
    load_api(
        &common::kernel_root().join("libsel4"),
        "arm",
        "aarch32",
        &common::aarch32_config(),
    )
    .unwrap()
}

#[test]
fn labels_follow_the_generic_then_aarch32_then_arm_files() {
    let api = api();
    // The generic list is the same as on x86_64.
    assert_eq!(api.n_generic_labels, 28);
    assert_eq!(api.label("UntypedRetype"), Some(1));
    assert_eq!(api.label("TCBSetSpace"), Some(9));
    assert_eq!(api.label("DomainSetSet"), Some(27));
    // aarch32's own file (page directory cache maintenance), then the ARM file.
    assert_eq!(api.label("ARMPDClean_Data"), Some(28));
    assert_eq!(api.n_sel4_arch_labels, 32);
    assert_eq!(api.label("ARMPageTableMap"), Some(32));
    assert_eq!(api.label("ARMPageMap"), Some(34));
    assert_eq!(api.label("ARMPageGetAddress"), Some(41));
    assert_eq!(api.label("ARMASIDControlMakePool"), Some(42));
    assert_eq!(api.label("ARMASIDPoolAssign"), Some(43));
    // SMMU and hypervisor methods are off in this configuration.
    for absent in ["ARMIOPageTableMap", "X86PageMap", "TCBSetAffinity"] {
        assert_eq!(api.label(absent), None, "{absent}");
    }
    for (i, m) in api.methods.iter().enumerate() {
        assert_eq!(m.label, i as u64 + 1, "labels are dense");
    }
}

#[test]
fn object_types_sizes_and_tags() {
    let b = collect(&common::kernel_root(), &Target::aarch32(), &common::aarch32_config()).unwrap();
    let k = &b.kernel;
    let types: Vec<(&str, i64)> = k.object_types.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    assert_eq!(
        types,
        [
            ("seL4_UntypedObject", 0),
            ("seL4_TCBObject", 1),
            ("seL4_EndpointObject", 2),
            ("seL4_NotificationObject", 3),
            ("seL4_CapTableObject", 4),
            ("seL4_ARM_SmallPageObject", 5),
            ("seL4_ARM_LargePageObject", 6),
            ("seL4_ARM_SectionObject", 7),
            ("seL4_ARM_SuperSectionObject", 8),
            ("seL4_ARM_PageTableObject", 9),
            ("seL4_ARM_PageDirectoryObject", 10),
        ]
    );
    let size = |n: &str| k.size_bits.iter().find(|(c, _)| c == n).map(|(_, v)| *v);
    assert_eq!(size("seL4_PageBits"), Some(12));
    assert_eq!(size("seL4_LargePageBits"), Some(16));
    assert_eq!(size("seL4_SectionBits"), Some(20));
    assert_eq!(size("seL4_SuperSectionBits"), Some(24));
    assert_eq!(size("seL4_PageTableBits"), Some(10));
    assert_eq!(size("seL4_PageDirBits"), Some(14));
    assert_eq!(size("seL4_TCBBits"), Some(9));
    assert_eq!(size("seL4_SlotBits"), Some(4));
    assert_eq!(size("seL4_ASIDPoolBits"), Some(12));
    // Caps seen from DebugCapIdentify on this kernel: TCB 12, CNode 10, page directory 9; the 8-bit tags keep
    // their low nibble 0xe.
    let tag = |n: &str| k.cap_tags.iter().find(|(c, _)| c == n).map(|(_, v)| *v);
    assert_eq!(tag("thread_cap"), Some(12));
    assert_eq!(tag("page_directory_cap"), Some(9));
    assert_eq!(tag("small_frame_cap"), Some(1));
    assert_eq!(tag("domain_cap"), Some(0x3e));
    // Message info: the same fields as on x86_64, in a 32-bit word.
    let mi: Vec<(Option<&str>, u32, u32)> = k
        .msg_info
        .iter()
        .map(|f| (f.name.as_deref(), f.shift, f.bits))
        .collect();
    assert!(mi.contains(&(Some("label"), 12, 20)));
    assert!(mi.contains(&(Some("length"), 0, 7)));
    // Bootinfo with 4-byte words: `untypedList` after 77 + 2 * 4 bytes, 8-byte untyped descriptors.
    let bi = |n: &str| k.bootinfo.iter().find(|f| f.field.name == n).map(|f| f.offset);
    assert_eq!(bi("ipcBuffer"), Some(16));
    assert_eq!(bi("initThreadCNodeSizeBits"), Some(68));
    assert_eq!(bi("untypedList"), Some(85));
    assert_eq!(k.untyped_desc.iter().map(|f| f.size).sum::<usize>(), 8);
    assert_eq!(b.arch.word_bits, 32);
}

#[test]
fn syscall_numbers() {
    let s = parse_syscalls(
        &common::kernel_root().join("libsel4/include/api/syscall.xml"),
        &common::aarch32_config(),
    )
    .unwrap();
    let find = |n: &str| s.iter().find(|x| x.name == n).unwrap();
    for (name, number) in [
        ("Call", -1),
        ("ReplyRecv", -2),
        ("Send", -3),
        ("Recv", -5),
        ("Yield", -7),
        ("DebugPutChar", -9),
        ("DebugHalt", -10),
        ("DebugCapIdentify", -11),
    ] {
        assert_eq!(find(name).number, number, "{name}");
        assert!(find(name).enabled, "{name}");
    }
}

#[test]
fn argument_lists_at_32_bit_words() {
    let api = api();
    let words = |id: &str| -> (Vec<String>, Vec<Vec<String>>) {
        let m = marshal(api.method(id).unwrap(), 32, &api.structs, &api.interfaces).unwrap();
        let w = m
            .words
            .iter()
            .map(|w| w.iter().map(|p| p.name.clone()).collect())
            .collect();
        (m.caps, w)
    };
    let (caps, w) = words("ARMPageMap");
    assert_eq!(caps, ["pd"]);
    assert_eq!(w, [vec!["vaddr"], vec!["rights"], vec!["attr"]]);
    let (caps, w) = words("ARMASIDControlMakePool");
    assert_eq!(caps, ["untyped", "root"]);
    assert_eq!(w, [vec!["index"], vec!["depth"]]);
    // TCB_WriteRegisters: flags word, count, then the 17 registers of aarch32's `seL4_UserContext`.
    let (_, w) = words("TCBWriteRegisters");
    assert_eq!(w.len(), 2 + 17);
}

const MAIN: &str = r#"
fn main() {
    unsafe {
        // Untyped_Retype(type 5 = small page, 12 bits) into the root CNode 2 at slot 0x200.
        println!("{:?}", untyped_retype(20, 5, 12, 2, 0, 0, 0x200, 1));
        // ARM_Page_Map at the top of the 32-bit space: every bit of vaddr survives.
        println!("{:?}", arm_page_map(21, 3, 0xfffff000, CapRights::from_word(3), 1));
        println!("{:?}", arm_asid_pool_assign(6, 3));
        reply_with(0, &[0x1234_5000]);
        println!("{:?}", arm_page_get_address(21));
        reply_with(3, &[]);
        println!("{:?}", arm_page_unmap(21));
    }
}
"#;

#[test]
fn generated_code_sends_32_bit_messages() {
    let a = api();
    let (code, lines) = common::compile_and_run_for(&Target::aarch32(), "aarch32", &a, MAIN);
    assert_eq!(
        lines,
        [
            "call dest=20 label=1 caps=[2] words=[0x5, 0xc, 0x0, 0x0, 0x200, 0x1]",
            "Ok(())",
            "call dest=21 label=34 caps=[3] words=[0xfffff000, 0x3, 0x1]",
            "Ok(())",
            "call dest=6 label=43 caps=[3] words=[]",
            "Ok(())",
            "call dest=21 label=41 caps=[] words=[]",
            "Ok(305418240)",
            "call dest=21 label=36 caps=[] words=[]",
            "Err(Code(3))",
        ]
    );
    assert!(code.contains("ARMPageMap = 34,"));
    assert!(code.contains("#[repr(u32)]"));
}
