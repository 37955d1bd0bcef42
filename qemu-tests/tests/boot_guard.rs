//! Kernel configurations QEMU cannot boot are rejected before a build, and if forced through anyway the runner
//! reports a boot hang within the boot timeout instead of hanging silently.

use std::time::{Duration, Instant};

use selkie_kernel::config::{Apic, Config};
use selkie_kernel::qemu::{self, Outcome};
use selkie_kernel::{build::build_kernel_in, source};

#[test]
fn an_x2apic_kernel_is_rejected_up_front_and_reported_as_a_boot_hang_when_forced() {
    let mut cfg = Config::default();
    cfg.kernel.apic = Apic::X2apic;
    let e = cfg.validate().unwrap_err().to_string();
    assert!(e.contains("x2APIC") && e.contains("apic = \"xapic\""), "{e}");

    // Forced past the check: the kernel builds, and QEMU prints nothing. The runner must say so quickly.
    let home = selkie_qemu_tests::dirs().1;
    let src = source::resolve(&home).unwrap();
    let kernel = build_kernel_in(&home, &src, &cfg.kernel).unwrap();
    let images = selkie_qemu_tests::build_images("selkie-qemu-selftest").unwrap();
    let root_task = &images.iter().find(|t| t.name == "selftest_fail").unwrap().path;
    cfg.qemu.boot_timeout_secs = 3;
    let boot = qemu::Boot { kernel: &kernel.elf32, root_task, arch: cfg.kernel.arch, qemu: &cfg.qemu, kernel_printing: cfg.kernel.printing };
    let started = Instant::now();
    let report = qemu::run(&boot, &mut |_| {}).unwrap();
    assert!(matches!(report.outcome, Outcome::BootHang(..)), "{:?}\n{}", report.outcome, report.log);
    assert!(report.outcome.to_string().contains("CPU feature"), "{}", report.outcome);
    assert_ne!(report.outcome.exit_code(), 0);
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
}
