//! The real pipeline: the embedded source is fetched through cargo, patched, built and cached.

use selkie_kernel::{build_kernel, source, workspace_target_dir, KernelConfig};

#[test]
fn the_embedded_kernel_builds_once_and_is_then_cached() {
    let target = workspace_target_dir();
    let src = source::resolve(&selkie_kernel::selkie_home()).expect("kernel source");
    assert_eq!(src.version(), source::EMBEDDED_KERNEL_VERSION);
    let patched = std::fs::read_to_string(src.root.join("tools/circular_includes.py")).unwrap();
    assert!(
        patched.contains(r#"^# [01] "kernel_all\.c""#),
        "the gcc line-marker fix is applied"
    );
    let stack = std::fs::read_to_string(src.root.join("include/arch/x86/arch/64/mode/kernel/stack.h")).unwrap();
    assert!(
        stack.contains("#define KERNEL_STACK_ALIGNMENT BIT(CONFIG_KERNEL_STACK_BITS)"),
        "the x86_64 kernel stack is aligned to its size"
    );

    let cfg = KernelConfig::default();
    let first = build_kernel(&target, &src, &cfg).expect("kernel build");
    let bytes = std::fs::read(&first.elf32).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(bytes[4], 1, "QEMU's multiboot loader needs an ELF32 kernel");
    for h in ["api/invocation.h", "arch/api/invocation.h", "arch/api/syscall.h"] {
        assert!(first.build_dir.join(h).is_file(), "{h} generated");
    }
    let autoconf = std::fs::read_to_string(first.source.join("include/plat/pc99/autoconf.h")).unwrap();
    assert_eq!(autoconf, cfg.autoconf_h(), "the build used the typed configuration");

    let again = build_kernel(&target, &src, &cfg).expect("cached kernel");
    assert!(!again.fresh, "an unchanged configuration is never rebuilt");
    assert_eq!(again.elf32, first.elf32);

    let mut other = cfg.clone();
    other.timer_tick_ms = 3;
    assert_ne!(
        selkie_kernel::build::cache_key(&src, &other),
        first.key,
        "the configuration is part of the key"
    );
}

#[test]
fn a_user_tree_in_an_unsupported_layout_is_refused_with_the_supported_layouts() {
    let dir = std::env::temp_dir().join(format!("selkie-byo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("CMakeLists.txt"), "project(seL4)").unwrap();
    let e = source::user_source(&dir, &std::env::temp_dir())
        .unwrap_err()
        .to_string();
    assert!(e.contains("CMakeLists.txt") && e.contains("standalone-Makefile"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_user_provided_tree_in_the_supported_layout_is_copied_patched_and_built() {
    let home = selkie_kernel::selkie_home();
    let embedded = source::embedded_source(&home).unwrap();
    // Stand-in for a user's checkout: a pristine copy of the same tree, with the gcc fix undone.
    let user_tree = std::env::temp_dir().join(format!("selkie-user-tree-{}", std::process::id()));
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(&embedded.root)
        .arg(&user_tree)
        .status()
        .unwrap();
    assert!(status.success());
    let script = user_tree.join("tools/circular_includes.py");
    let text = std::fs::read_to_string(&script)
        .unwrap()
        .replace(r#"^# [01] "kernel_all"#, r#"^# 1 "kernel_all"#);
    std::fs::write(&script, text).unwrap();
    std::fs::remove_file(user_tree.join(".selkie-patched")).unwrap();

    let src = source::user_source(&user_tree, &home).unwrap();
    assert!(src.identity.starts_with("user-"), "{}", src.identity);
    assert_ne!(src.root, user_tree, "the user's tree is copied, never patched in place");
    let original = std::fs::read_to_string(&script).unwrap();
    assert!(
        original.contains(r#"^# 1 "kernel_all"#),
        "the user's own tree is left as it was"
    );
    let kernel = build_kernel(&workspace_target_dir(), &src, &KernelConfig::default()).unwrap();
    assert!(kernel.elf32.is_file());
    std::fs::remove_dir_all(&user_tree).unwrap();
}
