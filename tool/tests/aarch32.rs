//! aarch32 end to end: the imx6 kernel built by the pipeline, selkie's loader image holding kernel and root
//! task, booted by the runner in `qemu-system-arm -M sabrelite`. The root tasks are the minimal ones in
//! `loader/tests/roottask` (no selkie runtime), which carry their kernel configuration in `.selkie.kconfig`
//! like every selkie image, so `selkie_tool::boot` picks the architecture and kernel from the image.

use std::path::{Path, PathBuf};
use std::process::Command;

use selkie_kernel::qemu::{HungKernel, Outcome, LOADER_ENTERING, SEMIHOSTING_MARK};
use selkie_kernel::{Arch, Config, KernelConfig};
use selkie_tool::{boot, repository_root, Booted};

/// Builds the smoke-test root tasks for armv7a-none-eabi; returns the path of `name`.
fn root_task(name: &str) -> PathBuf {
    let target = selkie_kernel::workspace_target_dir().join("aarch32-smoke");
    let manifest = repository_root().join("loader/tests/roottask/Cargo.toml");
    selkie_kernel::prereq::ensure_rust_target("armv7a-none-eabi", manifest.parent().unwrap()).unwrap();
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            "armv7a-none-eabi",
            "--manifest-path",
        ])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .unwrap();
    assert!(status.success(), "the smoke root tasks build");
    target.join("armv7a-none-eabi/release").join(name)
}

fn home() -> PathBuf {
    selkie_kernel::home_in(&selkie_kernel::workspace_target_dir())
}

fn run(image: &Path) -> Booted {
    let mut lines = Vec::new();
    let booted = boot(image, &Config::default(), &home(), &mut |l| lines.push(l.to_string()));
    match booted {
        Ok(b) => b,
        Err(e) => panic!("{e}\n{}", lines.join("\n")),
    }
}

/// The numbers of the bootinfo line the root tasks print (on the UART, or on the semihosting console, whose
/// lines the runner marks): untyped, empty and image-frame ranges, the IPC buffer in the bootinfo and in
/// TPIDRURW.
fn bootinfo_numbers(log: &str, prefix: &str) -> Vec<u64> {
    let line = log
        .lines()
        .map(|l| l.strip_prefix(SEMIHOSTING_MARK).unwrap_or(l))
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{log}"));
    line.split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(|w| match w.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => w.parse().ok(),
        })
        .collect()
}

/// What the kernel handed over must be what a root CNode of 2^12 slots and a bootinfo with untyped memory
/// look like, with the IPC buffer the bootinfo names in TPIDRURW.
fn check_handover(n: &[u64]) {
    let [ut_start, ut_end, empty_start, empty_end, img_start, img_end, ipc, tpidrurw] = n[..] else {
        panic!("eight numbers expected: {n:?}");
    };
    assert!(ut_end > ut_start, "untyped memory was handed over: {n:?}");
    assert_eq!(empty_end, 1 << 12, "the root CNode has 2^12 slots: {n:?}");
    assert_eq!(empty_start, ut_end, "free slots follow the untyped caps: {n:?}");
    assert!(img_end > img_start, "the image's frames are listed: {n:?}");
    assert_eq!(ipc, tpidrurw, "TPIDRURW holds the IPC buffer's address: {n:?}");
    assert_eq!(ipc % 4096, 0, "{n:?}");
}

#[test]
fn the_debug_kernel_boots_the_root_task_which_prints_and_ends_the_run() {
    let image = root_task("hello");
    let first = run(&image);
    let log = &first.report.log;
    assert_eq!(first.report.outcome, Outcome::Success, "{log}");
    assert!(log.contains("Booting all finished, dropped to user space"), "{log}");
    assert!(log.contains("Hello from seL4 on aarch32!"), "{log}");
    check_handover(&bootinfo_numbers(log, "bootinfo:"));
    assert_eq!(
        first.kernel.key,
        selkie_kernel::build::cache_key(
            &selkie_kernel::source::resolve(&home()).unwrap(),
            &KernelConfig::debug_imx6()
        )
    );
    // The second boot of the same pair reuses the kernel and the loader image.
    let again = run(&image);
    assert!(!again.kernel.fresh);
    assert_eq!(again.report.outcome, Outcome::Success);
    let key = selkie_kernel::loader::cache_key(
        &std::fs::read(&again.kernel.elf32).unwrap(),
        &std::fs::read(&image).unwrap(),
    )
    .unwrap();
    let cached = selkie_kernel::loader::build_loader_image(&home(), &again.kernel.elf32, &image).unwrap();
    assert_eq!((cached.key, cached.fresh), (key, false));
}

#[test]
fn the_verified_kernel_hands_over_without_printing_and_the_root_task_reports_through_semihosting() {
    let image = root_task("verified");
    let info = selkie_kernel::image::read(&image).unwrap();
    assert_eq!(info.kernel_config, Some(KernelConfig::verified_imx6()));
    let booted = run(&image);
    let log = &booted.report.log;
    assert_eq!(booted.report.outcome, Outcome::Success, "{log}");
    // The kernel cannot print: this root task (without selkie's runtime and its UART driver) reports through
    // semihosting, which the runner shows after the run, marked.
    assert!(
        !log.contains("Booting all finished") && !log.contains("Bootstrapping"),
        "{log}"
    );
    assert!(
        log.contains(&format!("{SEMIHOSTING_MARK}verified kernel handed over:")),
        "{log}"
    );
    check_handover(&bootinfo_numbers(log, "verified kernel handed over:"));
    let autoconf = std::fs::read_to_string(booted.kernel.source.join("include/plat/imx6/autoconf.h")).unwrap();
    assert!(autoconf.contains("#define CONFIG_VERIFICATION_BUILD 1"));
}

#[test]
fn a_failing_root_task_fails_the_run() {
    let booted = run(&root_task("fails"));
    assert_eq!(booted.report.outcome, Outcome::Failure(3), "{}", booted.report.log);
    assert!(booted.report.log.contains("failing on purpose"));
    assert_eq!(booted.report.outcome.exit_code(), 1);
}

#[test]
fn a_root_task_the_loader_cannot_place_is_a_boot_failure_naming_the_rule() {
    // The hello image with its entry point moved outside the image.
    let mut elf = std::fs::read(root_task("hello")).unwrap();
    elf[24..28].copy_from_slice(&0x0090_0000u32.to_le_bytes());
    let dir = selkie_kernel::workspace_target_dir().join("aarch32-smoke/bad");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("entry-outside");
    std::fs::write(&bad, elf).unwrap();
    let booted = run(&bad);
    match &booted.report.outcome {
        Outcome::BootFailed(line) => {
            assert!(line.contains("selkie-loader: cannot boot: EntryOutsideImage"), "{line}")
        }
        other => panic!("{other:?}\n{}", booted.report.log),
    }
    assert!(!booted.report.log.contains("Bootstrapping kernel"));
}

#[test]
fn a_silent_boot_on_the_verified_kernel_is_a_boot_hang_that_says_the_kernel_was_entered() {
    let image = root_task("silent");
    let mut config = Config::default();
    config.qemu.boot_timeout_secs = 3;
    let mut lines = Vec::new();
    let booted = boot(&image, &config, &home(), &mut |l| lines.push(l.to_string())).unwrap();
    let report = &booted.report;
    // The kernel cannot print and this root task never brings up the runtime's UART console: the runner
    // stops it at the boot timeout, not the run's 60 s, and says the loader got as far as the kernel.
    match &report.outcome {
        Outcome::BootHang(after, Some(last), kernel) => {
            assert!(after.as_secs() < 10, "{after:?}");
            assert!(last.starts_with(LOADER_ENTERING), "{last}");
            assert_eq!(
                *kernel,
                HungKernel {
                    arch: Arch::Aarch32,
                    printing: false
                }
            );
        }
        other => panic!("{other:?}\n{}", report.log),
    }
    let message = report.outcome.to_string();
    assert!(
        message.contains("the loader entered the kernel") && message.contains("verified = true"),
        "{message}"
    );
}
