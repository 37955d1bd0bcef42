//! Kernel configurations QEMU cannot boot are rejected before a build; forced through anyway, the runner
//! reports the failed or hanging boot within seconds, with the kernel's own words, instead of hanging silently.

use std::time::{Duration, Instant};

use selkie_kernel::config::{Apic, Config, FsGsBase};
use selkie_kernel::qemu::{self, Outcome};
use selkie_kernel::{build::build_kernel_in, source};

fn forced_boot(cfg: &mut Config) -> (Outcome, String, Duration) {
    let home = selkie_qemu_tests::dirs().1;
    let src = source::resolve(&home).unwrap();
    let kernel = build_kernel_in(&home, &src, &cfg.kernel).unwrap();
    let images = selkie_qemu_tests::build_images("selkie-qemu-selftest").unwrap();
    let root_task = &images.iter().find(|t| t.name == "selftest_fail").unwrap().path;
    cfg.qemu.boot_timeout_secs = 3;
    let boot = qemu::Boot {
        kernel: &kernel.elf32,
        root_task,
        arch: cfg.kernel.arch,
        qemu: &cfg.qemu,
        kernel_printing: cfg.kernel.printing,
    };
    let started = Instant::now();
    let report = qemu::run(&boot, &mut |_| {}).unwrap();
    (report.outcome, report.log, started.elapsed())
}

#[test]
fn an_x2apic_kernel_is_refused_up_front_and_its_boot_failure_is_reported_when_forced() {
    let mut cfg = Config::default();
    cfg.kernel.apic = Apic::X2apic;
    let e = cfg.validate().unwrap_err().to_string();
    assert!(e.contains("x2APIC") && e.contains("apic = \"xapic\""), "{e}");

    let (outcome, log, took) = forced_boot(&mut cfg);
    match &outcome {
        Outcome::BootFailed(why) => assert!(why.contains("x2APIC is not supported"), "{why}"),
        other => panic!("expected a reported boot failure, got {other:?}\n{log}"),
    }
    assert_ne!(outcome.exit_code(), 0);
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

#[test]
fn a_kernel_using_cpu_instructions_qemu_lacks_is_reported_as_a_boot_hang_when_forced() {
    let mut cfg = Config::default();
    cfg.kernel.fsgsbase = FsGsBase::Inst;
    let e = cfg.validate().unwrap_err().to_string();
    assert!(e.contains("+fsgsbase"), "{e}");

    let (outcome, log, took) = forced_boot(&mut cfg);
    eprintln!("fsgsbase = \"inst\" without +fsgsbase: {outcome}");
    assert!(
        matches!(
            outcome,
            Outcome::BootHang(..) | Outcome::BootFailed(_) | Outcome::UnhandledFault(_)
        ),
        "expected the runner to stop a broken boot, got {outcome:?}\n{log}"
    );
    assert!(outcome.to_string().contains("kernel"), "{outcome}");
    assert_ne!(outcome.exit_code(), 0);
    assert!(took < Duration::from_secs(15), "took {took:?}");
}
