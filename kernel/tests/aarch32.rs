//! The aarch32 (i.MX6 Sabre Lite) kernel pipeline: the same embedded tree, built with the ARM cross
//! compiler, in the debug and the verified configuration.

use selkie_kernel::build::parse_autoconf;
use selkie_kernel::{build_kernel, source, workspace_target_dir, KernelConfig};

/// The ELF header's class, machine and entry point.
fn elf_facts(path: &std::path::Path) -> (u8, u16, u32) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..4], b"\x7fELF", "{}", path.display());
    (
        b[4],
        u16::from_le_bytes([b[18], b[19]]),
        u32::from_le_bytes([b[24], b[25], b[26], b[27]]),
    )
}

const EM_ARM: u16 = 40;

#[test]
fn the_debug_imx6_kernel_builds_for_arm_and_is_cached() {
    let target = workspace_target_dir();
    let src = source::resolve(&selkie_kernel::selkie_home()).expect("kernel source");
    let cfg = KernelConfig::debug_imx6();
    let k = build_kernel(&target, &src, &cfg).expect("aarch32 kernel build");
    assert_eq!(
        elf_facts(&k.elf32),
        (1, EM_ARM, 0xe000_0000),
        "an ELF32 ARM kernel entered at 0xe0000000"
    );
    let autoconf = std::fs::read_to_string(k.source.join("include/plat/imx6/autoconf.h")).unwrap();
    assert_eq!(autoconf, cfg.autoconf_h(), "the build used the typed configuration");
    let d = parse_autoconf(&autoconf);
    assert_eq!(d["CONFIG_PRINTING"], "1");
    assert_eq!(d["CONFIG_ARCH_AARCH32"], "1");
    let again = build_kernel(&target, &src, &cfg).unwrap();
    assert!(!again.fresh, "an unchanged configuration is never rebuilt");
    assert_ne!(
        k.key,
        selkie_kernel::build::cache_key(&src, &KernelConfig::default()),
        "the architecture is part of the key"
    );
}

#[test]
fn the_verified_imx6_kernel_is_built_from_the_trees_own_configuration() {
    let target = workspace_target_dir();
    let src = source::resolve(&selkie_kernel::selkie_home()).expect("kernel source");
    let cfg = KernelConfig::verified_imx6();
    let k = build_kernel(&target, &src, &cfg).expect("verified kernel build");
    assert_eq!(elf_facts(&k.elf32).1, EM_ARM);
    // The build left the shipped file as the tree has it, byte for byte.
    let used = std::fs::read(k.source.join("include/plat/imx6/autoconf.h")).unwrap();
    let shipped = std::fs::read(src.root.join("include/plat/imx6/autoconf.h")).unwrap();
    assert_eq!(used, shipped);
    let d = parse_autoconf(&String::from_utf8(shipped).unwrap());
    assert_eq!(d["CONFIG_VERIFICATION_BUILD"], "1");
    assert!(!d.contains_key("CONFIG_PRINTING") && !d.contains_key("CONFIG_DEBUG_BUILD"));
    for (name, value) in cfg.defines() {
        assert_eq!(
            d.get(&name),
            Some(&value),
            "{name}: the typed configuration says what the file says"
        );
    }
    assert_ne!(
        k.key,
        selkie_kernel::build::cache_key(&src, &KernelConfig::debug_imx6())
    );
}
