//! Malformed or unreadable inputs give an error naming the file and the element, never a panic.

mod common;

use std::path::{Path, PathBuf};

use selkie_sys_gen::emit::marshal;
use selkie_sys_gen::interface::{label_methods, parse_interface_str, parse_syscalls_str};
use selkie_sys_gen::Target;

fn parse(text: &str) -> Result<selkie_sys_gen::interface::InterfaceFile, selkie_sys_gen::Error> {
    parse_interface_str(Path::new("bad/sel4.xml"), text)
}

#[test]
fn syntax_error_names_file_and_position() {
    let e = parse("<api>\n  <interface name=\"seL4_TCB\">\n    <method id=\"A\" name=\"B\">\n  </interface>\n</api>")
        .unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("bad/sel4.xml:"), "{msg}");
    assert!(msg.contains("malformed XML"), "{msg}");
    assert!(e.position.is_some());
}

#[test]
fn missing_attribute_names_element() {
    let e = parse("<api><interface name=\"seL4_TCB\"><method name=\"Suspend\"/></interface></api>").unwrap_err();
    assert_eq!(e.file, PathBuf::from("bad/sel4.xml"));
    assert_eq!(e.element.as_deref(), Some("<method name=\"Suspend\">"));
    assert!(e.message.contains("`id`"), "{e}");

    let e = parse("<api><interface name=\"seL4_TCB\"><method id=\"X\" name=\"Y\"><param dir=\"in\" name=\"a\"/></method></interface></api>").unwrap_err();
    assert_eq!(e.element.as_deref(), Some("<param name=\"a\"> of <method id=\"X\">"));
    assert!(e.to_string().contains("missing required attribute `type`"), "{e}");
}

#[test]
fn bad_direction_and_unexpected_elements() {
    let e = parse("<api><interface name=\"seL4_TCB\"><method id=\"X\" name=\"Y\"><param dir=\"sideways\" name=\"a\" type=\"seL4_Word\"/></method></interface></api>").unwrap_err();
    assert!(e.to_string().contains("<param name=\"a\"> of <method id=\"X\">"), "{e}");
    let e = parse("<api><interface name=\"seL4_TCB\"><oops/></interface></api>").unwrap_err();
    assert!(e.to_string().contains("<oops>"), "{e}");
    let e = parse("<notapi/>").unwrap_err();
    assert!(e.to_string().contains("<api>"), "{e}");
}

#[test]
fn bad_conditions_name_the_method() {
    let e = parse(
        "<api><interface name=\"seL4_TCB\"><method id=\"X\" name=\"Y\" condition=\"CONFIG_A &gt;\"/></interface></api>",
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("<method id=\"X\">") && e.to_string().contains("bad condition"),
        "{e}"
    );
    let e = parse("<api><interface name=\"seL4_TCB\"><method id=\"X\" name=\"Y\"><condition><xor/></condition></method></interface></api>").unwrap_err();
    assert!(
        e.to_string().contains("<xor>") && e.to_string().contains("<method id=\"X\">"),
        "{e}"
    );
    let e = parse("<api><interface name=\"seL4_TCB\"><method id=\"X\" name=\"Y\"><condition><not/></condition></method></interface></api>").unwrap_err();
    assert!(e.to_string().contains("<not>"), "{e}");
    // A condition that parses but cannot be evaluated (a non-numeric config value).
    let f = parse(
        "<api><interface name=\"seL4_TCB\"><method id=\"X\" name=\"Y\" condition=\"CONFIG_A > 1\"/></interface></api>",
    )
    .unwrap();
    let cfg = [("CONFIG_A".to_string(), "yes".to_string())].into_iter().collect();
    let e = label_methods(&[f], &cfg).unwrap_err();
    assert!(
        e.to_string().contains("<method id=\"X\">") && e.to_string().contains("not an integer"),
        "{e}"
    );
}

#[test]
fn unknown_parameter_type_names_the_param() {
    let f = parse("<api><interface name=\"seL4_TCB\"><method id=\"X\" name=\"Y\">\n<param dir=\"in\" name=\"weird\" type=\"seL4_Mystery\"/></method></interface></api>").unwrap();
    let m = &f.methods[0];
    let e = marshal(m, 64, &f.structs, &f.interfaces).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with("bad/sel4.xml:2:1: in <param name=\"weird\"> of <method id=\"X\">"),
        "{msg}"
    );
    assert!(msg.contains("seL4_Mystery"), "{msg}");
}

#[test]
fn duplicate_enabled_labels_are_rejected() {
    let f = parse("<api><interface name=\"seL4_TCB\"><method id=\"X\" name=\"Y\"/><method id=\"X\" name=\"Z\"/></interface></api>").unwrap();
    let e = label_methods(&[f], &Default::default()).unwrap_err();
    assert!(e.to_string().contains("<method id=\"X\">"), "{e}");
}

#[test]
fn syscall_list_errors() {
    let p = Path::new("bad/syscall.xml");
    let e = parse_syscalls_str(
        p,
        "<syscalls><api><config><syscall/></config></api></syscalls>",
        &Default::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with("bad/syscall.xml:") && e.to_string().contains("<syscall>"),
        "{e}"
    );
    let e = parse_syscalls_str(p, "<syscalls>", &Default::default()).unwrap_err();
    assert!(e.to_string().contains("malformed XML"), "{e}");
    let e = parse_syscalls_str(p, "<syscalls><debug/></syscalls>", &Default::default()).unwrap_err();
    assert!(e.to_string().contains("<api-master>"), "{e}");
}

#[test]
fn unreadable_file_is_named() {
    let e = selkie_sys_gen::interface::parse_interface_file(Path::new("/nonexistent/selkie/sel4.xml")).unwrap_err();
    assert_eq!(e.file, PathBuf::from("/nonexistent/selkie/sel4.xml"));
    assert!(e.to_string().contains("cannot read"), "{e}");
    let e = selkie_sys_gen::generate(
        Path::new("/nonexistent/selkie"),
        &Target::x86_64(),
        &common::default_config(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("/nonexistent/selkie/libsel4/include/interfaces"),
        "{e}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let p = entry.path();
        let dest = to.join(entry.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// The whole generator on a kernel tree whose arch interface file is broken: an error, naming that file and
/// the element.
#[test]
fn whole_tree_with_a_broken_interface_file() {
    let root = common::kernel_root();
    let tmp = selkie_kernel::workspace_target_dir().join("selkie-sys-gen-broken-tree");
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&root.join("libsel4"), &tmp.join("libsel4"));
    let bf = "include/arch/x86/arch/64/mode/object/structures.bf";
    std::fs::create_dir_all(tmp.join(bf).parent().unwrap()).unwrap();
    std::fs::copy(root.join(bf), tmp.join(bf)).unwrap();
    // Sanity: the copy generates.
    selkie_sys_gen::generate(&tmp, &Target::x86_64(), &common::default_config()).unwrap();

    let arch_xml = tmp.join("libsel4/arch_include/x86/interfaces/sel4arch.xml");
    let text = std::fs::read_to_string(&arch_xml).unwrap();
    std::fs::write(
        &arch_xml,
        text.replace(
            "<param dir=\"in\" name=\"port\" type=\"seL4_Word\"/>",
            "<param dir=\"in\" name=\"port\" type=\"seL4_Nonsense\"/>",
        ),
    )
    .unwrap();
    let e = selkie_sys_gen::generate(&tmp, &Target::x86_64(), &common::default_config()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("arch_include/x86/interfaces/sel4arch.xml:"), "{msg}");
    assert!(
        msg.contains("<param name=\"port\"> of <method id=\"X86IOPortOut8\">"),
        "{msg}"
    );

    std::fs::write(&arch_xml, text.replace("</interface>", "</interfaces>")).unwrap();
    let msg = selkie_sys_gen::generate(&tmp, &Target::x86_64(), &common::default_config())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("sel4arch.xml:") && msg.contains("malformed XML"), "{msg}");

    // A broken header: an unterminated #if in objecttype.h.
    std::fs::write(&arch_xml, &text).unwrap();
    let ot = tmp.join("libsel4/include/sel4/objecttype.h");
    let h = std::fs::read_to_string(&ot).unwrap();
    std::fs::write(&ot, format!("#if 1\n{h}")).unwrap();
    let msg = selkie_sys_gen::generate(&tmp, &Target::x86_64(), &common::default_config())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("objecttype.h") && msg.contains("unterminated #if"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}
