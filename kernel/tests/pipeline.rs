//! The real pipeline: the embedded source is fetched through cargo, patched, built and cached.

use selkie_kernel::{build_kernel, source, workspace_target_dir, KernelConfig};

#[test]
fn the_embedded_kernel_builds_once_and_is_then_cached() {
    let target = workspace_target_dir();
    let src = source::resolve(&selkie_kernel::selkie_home()).expect("kernel source");
    assert_eq!(src.version(), source::EMBEDDED_KERNEL_VERSION);
    let patched = std::fs::read_to_string(src.root.join("tools/circular_includes.py")).unwrap();
    assert!(patched.contains(r#"^# [01] "kernel_all\.c""#), "the gcc line-marker fix is applied");

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
    assert_ne!(selkie_kernel::build::cache_key(&src, &other), first.key, "the configuration is part of the key");
}

#[test]
fn a_user_tree_in_an_unsupported_layout_is_refused_with_the_supported_layouts() {
    let dir = std::env::temp_dir().join(format!("selkie-byo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("CMakeLists.txt"), "project(seL4)").unwrap();
    let e = source::user_source(&dir, &std::env::temp_dir()).unwrap_err().to_string();
    assert!(e.contains("CMakeLists.txt") && e.contains("standalone-Makefile"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
