//! A user's own project outside this workspace: `cargo new`, selkie as a dependency on the packaged crates (what
//! `cargo publish` would upload, not this source tree), `selkie init` (which writes the one documented
//! `.cargo/config.toml` and a `selkie.toml`), `main` marked as the root task, and `cargo run` boots it on seL4 in
//! QEMU (`--release`: a release kernel, its console through the root task's COM1 driver), quietly, and
//! `cargo test` boots the in-kernel tests of `tests/kernel.rs` and reports each by name, with a name filter.
//! The same for aarch32 (`selkie init --arch aarch32`): `cargo run` boots the imx6 debug kernel, `--release` the
//! verified configuration, its console through the runtime's user-space UART driver.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use selkie_kernel::qemu::{CONSOLE_UP, LOADER_ENTERING, SEMIHOSTING_MARK};

const MAIN_RS: &str = r#"#![no_std]
#![no_main]

#[selkie::root_task]
fn main(boot: selkie::bootstrap::BootInfo) {
    let _ = boot;
    selkie::println!("Hello from my own seL4 project!");
}
"#;

const TESTS_RS: &str = r#"#![no_std]
#![no_main]

selkie::test_main!();

#[selkie::test]
fn adds_up() -> Result<(), &'static str> {
    if 1 + 1 == 2 { Ok(()) } else { Err("arithmetic") }
}

#[selkie::test]
fn slots_are_free(boot: &mut selkie::bootstrap::BootInfo) {
    let _ = boot;
}

#[selkie::test]
fn fails_on_purpose() -> Result<(), &'static str> {
    Err("two is not three")
}
"#;

/// The result libtest printed for `name` (`test <name>   ... ok`), if it printed one.
fn result<'a>(stdout: &'a str, name: &str) -> Option<&'a str> {
    stdout.lines().find_map(|l| {
        let (test, verdict) = l.strip_prefix("test ")?.split_once(" ... ")?;
        (test.trim_end() == name).then_some(verdict.trim())
    })
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // The user's shell has none of this workspace's build environment.
    for v in [
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "SELKIE_HOME",
    ] {
        c.env_remove(v);
    }
    c
}

/// The crates a user's `selkie = "0.1"` pulls in (selkie and everything of this workspace it depends on).
const PACKAGES: [&str; 7] = [
    "selkie",
    "cross-queue",
    "selkie-sys",
    "selkie-sys-gen",
    "selkie-kernel",
    "selkie-derive",
    "selkie-smart-alloc",
];

/// Packages [`PACKAGES`] with `cargo package` into `dir`, unpacks each `.crate` there, and returns the
/// `[patch.crates-io]` section that makes a project's `selkie = "0.1"` resolve to those unpacked packages.
///
/// `--no-verify`: the user project's own build below compiles every one of these packages from its unpacked
/// contents, which is the verification. The patch, not a directory registry: a directory registry replaces all of
/// crates.io, so it would have to carry every third-party dependency too (`cargo vendor`), where the patch
/// replaces only selkie's own crates and still resolves them by the version the user asks for.
fn packaged_selkie(dir: &Path) -> String {
    let mut package = cargo();
    package
        .current_dir(selkie_tool::repository_root())
        .args(["package", "--no-verify", "--allow-dirty", "--target-dir"])
        .arg(dir.join("target"));
    for p in PACKAGES {
        package.args(["-p", p]);
    }
    let out = package.output().unwrap();
    assert!(
        out.status.success(),
        "cargo package\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let version = env!("CARGO_PKG_VERSION");
    let mut patch = String::from("\n[patch.crates-io]\n");
    for p in PACKAGES {
        let file = dir.join(format!("target/package/{p}-{version}.crate"));
        let crate_file = std::fs::File::open(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        tar::Archive::new(flate2::read::GzDecoder::new(crate_file))
            .unpack(dir)
            .unwrap_or_else(|e| panic!("unpacking {}: {e}", file.display()));
        let unpacked = dir.join(format!("{p}-{version}"));
        assert!(unpacked.join("Cargo.toml").is_file(), "{}", unpacked.display());
        patch += &format!("{p} = {{ path = {:?} }}\n", unpacked.display().to_string());
    }
    patch
}

/// The directory the packages are unpacked in and the `[patch.crates-io]` section naming them: packaged once
/// per run of this file's tests, under the workspace's target directory, and shared by the tests.
fn packages() -> &'static (PathBuf, String) {
    static PACKAGES_PATCH: OnceLock<(PathBuf, String)> = OnceLock::new();
    PACKAGES_PATCH.get_or_init(|| {
        let dir = selkie_kernel::workspace_target_dir().join("user-project-packages");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let patch = packaged_selkie(&dir);
        (dir, patch)
    })
}

/// `cargo new myos` in `tmp`, with selkie as its dependency (on the packages), then `selkie init` with
/// `init_args`; returns the project's directory.
fn new_project(tmp: &Path, init_args: &[&str]) -> PathBuf {
    let status = cargo()
        .current_dir(tmp)
        .args(["new", "--vcs", "none", "--bin", "myos"])
        .status()
        .unwrap();
    assert!(status.success(), "cargo new");
    let project = tmp.join("myos");

    // The dependency as a user writes it once selkie is published; the patch points it at the packages.
    let patch = &packages().1;
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    let manifest = manifest.replace("[dependencies]", "[dependencies]\nselkie = \"0.1\"") + patch;
    std::fs::write(project.join("Cargo.toml"), manifest).unwrap();
    let init = selkie(&project, init_args);
    assert!(
        init.status.success(),
        "selkie init: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    assert!(project.join(".cargo/config.toml").is_file() && project.join("selkie.toml").is_file());
    project
}

/// Runs `selkie <args>` in `dir`: `selkie` as the user runs it after `cargo install selkie-tool`, this test's
/// build of it. Installing the packaged selkie-tool here would add a second full build of the tool; `cargo
/// package -p selkie-tool` (with its verification build) is what checks that package.
fn selkie(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_selkie"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The whole console log of a run, from the file its summary line (in `stderr`) names.
fn full_log(stderr: &str) -> String {
    let log = stderr
        .split("full log: ")
        .nth(1)
        .expect("the summary names the log")
        .trim_end();
    std::fs::read_to_string(log.trim_end_matches(')')).unwrap()
}

#[test]
fn a_new_cargo_project_boots_on_sel4_with_cargo_run() {
    let tmp = tempfile::tempdir().unwrap();
    let project = new_project(tmp.path(), &["init"]);
    let selkie_init = || Ok::<_, std::io::Error>(selkie(&project, &["init"]));
    let again = selkie_init().unwrap();
    assert_eq!(
        again.status.code(),
        Some(2),
        "a second init must not overwrite the project's cargo config"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // The project's selkie.toml is the configuration in force: a timeout set there reaches the runner.
    let toml = std::fs::read_to_string(project.join("selkie.toml")).unwrap();
    assert!(toml.contains("timeout_secs = 60"), "{toml}");
    std::fs::write(
        project.join("selkie.toml"),
        toml.replace("timeout_secs = 60", "timeout_secs = 45"),
    )
    .unwrap();
    std::fs::write(project.join("src/main.rs"), MAIN_RS).unwrap();

    let out = cargo()
        .current_dir(&project)
        .args(["run", "--release"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "cargo run failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(stdout.contains("Hello from my own seL4 project!"), "{stdout}");
    assert!(stderr.contains("the root task reported success"), "{stderr}");
    // Every selkie crate was compiled from its unpacked package, none from this source tree.
    for p in PACKAGES {
        let unpacked = packages().0.join(format!("{p}-{}", env!("CARGO_PKG_VERSION")));
        assert!(
            stderr.contains(&format!(
                "Compiling {p} v{} ({})",
                env!("CARGO_PKG_VERSION"),
                unpacked.display()
            )),
            "{p} from its package: {stderr}"
        );
    }
    assert!(
        stderr.contains("QEMU timeout 45 s"),
        "the project's selkie.toml is in force: {stderr}"
    );
    // Quiet: no firmware or kernel lines (`--release` boots a release kernel, which prints nothing itself;
    // the greeting came through the root task's own COM1 driver), and the whole log is in a file.
    for noise in ["SeaBIOS", "Booting all finished", "Boot config"] {
        assert!(!stdout.contains(noise), "{noise}: {stdout}");
    }
    let log = full_log(&stderr);
    assert!(
        log.contains("Hello from my own seL4 project!") && log.contains("SeaBIOS"),
        "{log}"
    );
    assert!(
        !log.contains("Booting all finished"),
        "a release kernel prints nothing: {log}"
    );

    // The dev profile boots the debug kernel (kernel printing on): still only the root task's lines shown.
    let out = cargo().current_dir(&project).arg("run").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo run (dev)\n{stdout}\n{stderr}");
    assert!(stdout.contains("Hello from my own seL4 project!"), "{stdout}");
    assert!(
        !stdout.contains("SeaBIOS") && !stdout.contains("Booting all finished"),
        "{stdout}"
    );
    let log = full_log(&stderr);
    assert!(
        log.contains("Booting all finished"),
        "the debug kernel printed its boot: {log}"
    );

    // `cargo test`: tests/kernel.rs (selkie init's [[test]] entry, harness = false) booted by the runner.
    std::fs::write(project.join("tests/kernel.rs"), TESTS_RS).unwrap();
    let out = cargo().current_dir(&project).arg("test").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a failing test fails cargo test\n{stdout}\n{stderr}"
    );
    assert_eq!(result(&stdout, "kernel::adds_up"), Some("ok"), "{stdout}\n{stderr}");
    assert_eq!(result(&stdout, "kernel::slots_are_free"), Some("ok"), "{stdout}");
    assert_eq!(result(&stdout, "kernel::fails_on_purpose"), Some("FAILED"), "{stdout}");
    assert!(stdout.contains("two is not three"), "the failure's reason: {stdout}");

    let out = cargo()
        .current_dir(&project)
        .args(["test", "adds_up"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo test adds_up\n{stdout}\n{stderr}");
    assert_eq!(result(&stdout, "kernel::adds_up"), Some("ok"), "{stdout}");
    assert!(
        !stdout.contains("fails_on_purpose") && !stdout.contains("slots_are_free"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed; 0 failed"), "{stdout}");
}

/// In-kernel tests for the aarch32 project: each round lends the root task's resources, fills slots and
/// memory, and gives them back; on the verified kernel the runtime's UART frame must survive every round
/// (the test protocol's lines after each round come through it).
const ARM_TESTS_RS: &str = r#"#![no_std]
#![no_main]

selkie::test_main!();

use selkie::typenum::U11;
use selkie::{Cap, Tcb};

#[selkie::test]
fn lends_and_takes_back(boot: &mut selkie::bootstrap::BootInfo) -> Result<(), selkie::Error> {
    let mut made = [0u32; 3];
    for round in made.iter_mut() {
        *round = boot.lend(|res| {
            let mut n = 0;
            while n < 64 {
                let tcb: Result<Cap<Tcb, _>, selkie::Error> = res.untyped.alloc::<U11>().and_then(|mem| {
                    let slot = res.slots.alloc()?;
                    Ok(mem.retype(slot)?)
                });
                if tcb.is_err() {
                    break;
                }
                n += 1;
            }
            Ok::<u32, selkie::Error>(n)
        })?;
        selkie::println!("made {round} TCBs");
    }
    assert_eq!(made, [64; 3]);
    Ok(())
}
"#;

#[test]
fn a_new_cargo_project_for_aarch32_boots_with_cargo_run_on_the_debug_and_the_verified_kernel() {
    let tmp = tempfile::tempdir().unwrap();
    let project = new_project(tmp.path(), &["init", "--arch", "aarch32"]);
    let config = std::fs::read_to_string(project.join(".cargo/config.toml")).unwrap();
    assert!(
        config.contains("target = \"armv7a-none-eabi\"") && config.contains("link-arg=-Tselkie.ld"),
        "{config}"
    );
    let toml = std::fs::read_to_string(project.join("selkie.toml")).unwrap();
    assert!(
        toml.contains("arch = \"aarch32\"") && toml.contains("[profile.release.kernel]\nverified = true"),
        "{toml}"
    );
    // A second init for the other architecture over this selkie.toml is refused.
    std::fs::remove_file(project.join(".cargo/config.toml")).unwrap();
    let x86 = selkie(&project, &["init", "--arch", "x86_64"]);
    assert_eq!(x86.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&x86.stderr).contains("is for aarch32, not x86_64"),
        "{}",
        String::from_utf8_lossy(&x86.stderr)
    );
    std::fs::write(project.join(".cargo/config.toml"), config).unwrap();
    std::fs::write(project.join("src/main.rs"), MAIN_RS).unwrap();

    // `cargo run`: the imx6 debug kernel prints its boot (in the log) and the greeting through the kernel.
    let out = cargo().current_dir(&project).arg("run").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo run\n{stdout}\n{stderr}");
    assert!(stdout.contains("Hello from my own seL4 project!"), "{stdout}");
    let log = full_log(&stderr);
    assert!(
        log.contains(LOADER_ENTERING) && log.contains("Booting all finished"),
        "{log}"
    );

    // `cargo run --release`: the verified kernel cannot print; the greeting came through the runtime's
    // user-space UART driver (not the semihosting console, which only ended the run).
    let out = cargo()
        .current_dir(&project)
        .args(["run", "--release"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo run --release\n{stdout}\n{stderr}");
    assert!(stdout.contains("Hello from my own seL4 project!"), "{stdout}");
    let log = full_log(&stderr);
    assert!(!log.contains("Booting all finished"), "{log}");
    assert!(log.lines().any(|l| l == CONSOLE_UP), "{log}");
    assert!(!log.contains(SEMIHOSTING_MARK), "{log}");

    // `cargo test --release`: in-kernel tests on the verified kernel, lending the resources three times.
    std::fs::write(project.join("tests/kernel.rs"), ARM_TESTS_RS).unwrap();
    let out = cargo()
        .current_dir(&project)
        .args(["test", "--release"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo test --release\n{stdout}\n{stderr}");
    assert_eq!(
        result(&stdout, "kernel::lends_and_takes_back"),
        Some("ok"),
        "{stdout}\n{stderr}"
    );
}
