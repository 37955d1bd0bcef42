//! `selkie`: boots selkie root tasks on the real seL4 kernel in QEMU.
//!
//! ```text
//! selkie run [-v] <image> [args]  boot an image (cargo's runner for x86_64-unknown-none); an image holding
//!                                 `#[selkie::test]`s runs as a test binary (args: libtest's, such as a filter)
//! selkie qemu <example>          build examples/<example> from this repository and boot it
//! selkie init [--arch A] [dir]   set up a cargo project (default: the current directory) for `cargo run`,
//!                                 for x86_64 (the default) or aarch32
//! selkie abi-report [--newer d]  which kernel configuration options change the ABI (markdown on stdout)
//! ```
//!
//! QEMU settings (timeouts, CPU features) come from the `selkie.toml` named by `SELKIE_CONFIG`, if any. The
//! exit status is 0 when the root task reports success, and non-zero on failure, panic, timeout or boot hang.
//!
//! Quiet by default: only the root task's own lines are shown as they arrive, then one summary line. The
//! firmware's and kernel's lines are shown when the run fails, or always with `-v`/`--verbose` or
//! `SELKIE_VERBOSE=1`; the whole console log is written to `<selkie home>/logs/<image>.log` (the summary
//! names it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use selkie_kernel::qemu::Source;
use selkie_kernel::{Arch, Config, Error};
use selkie_tool::{build_root_tasks, home_for, repository_root, BuildOptions};

const USAGE: &str =
    "usage:\n  selkie run [-v] <image> [test args]  boot a root task on seL4 in QEMU (cargo runner)\n  \
                     selkie qemu <example>        build and boot examples/<example> of the selkie repository\n  \
                     selkie init [--arch x86_64|aarch32] [dir]  set up a cargo project (default: here) so `cargo run` boots it\n  \
                     selkie abi-report [--newer <dir>]  which kernel options change the ABI (markdown table)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") if args.len() >= 2 => run_command(&args[1..]),
        Some("qemu") if args.len() >= 2 => qemu_example(&args[1]),
        Some("init") => init(&args[1..]),
        Some("abi-report") => abi_report(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("selkie: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `selkie run [-v|--verbose] <image> [args...]`.
fn run_command(args: &[String]) -> Result<ExitCode, Error> {
    let env_verbose = std::env::var("SELKIE_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let (verbose, rest) = match args.first().map(String::as_str) {
        Some("-v" | "--verbose") => (true, &args[1..]),
        _ => (env_verbose, args),
    };
    let Some(image) = rest.first() else {
        return Err(Error::Config(format!("`selkie run` needs an image\n{USAGE}")));
    };
    let image = Path::new(image);
    let info = selkie_kernel::image::read(image)?;
    if !info.tests.is_empty() {
        return run_tests(image, &rest[1..]);
    }
    run(image, &home_for(image), verbose)
}

/// Runs a test binary (an image holding `#[selkie::test]`s) through the harness: one boot, each test reported
/// by name, libtest's arguments (a name filter, `--list`, `--exact`, ...) as `cargo test` passes them.
fn run_tests(image: &Path, args: &[String]) -> Result<ExitCode, Error> {
    let config = Config::from_env()?;
    let name = image
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // cargo names test executables `<target>-<hash>`; the tests' names start with the crate name.
    let name = name.rsplit_once('-').map_or(name.clone(), |(n, _)| n.to_string());
    let task = selkie_tool::RootTask {
        name,
        path: image.to_path_buf(),
    };
    let args = libtest_mimic::Arguments::from_iter(std::iter::once("selkie".to_string()).chain(args.iter().cloned()));
    let dirs = selkie_tool::harness::Dirs::for_image(image);
    let conclusion = libtest_mimic::run(&args, selkie_tool::harness::trials(vec![task], config, dirs));
    Ok(if conclusion.has_failed() {
        ExitCode::from(101)
    } else {
        ExitCode::SUCCESS
    })
}

/// Boots `image`, with selkie's caches in `home`: the root task's lines as they arrive, everything else
/// only with `verbose` or when the run fails; the whole log in a file.
fn run(image: &Path, home: &Path, verbose: bool) -> Result<ExitCode, Error> {
    let config = Config::from_env()?;
    let from = match std::env::var_os(selkie_kernel::env::CONFIG) {
        Some(p) if !p.is_empty() => PathBuf::from(p).display().to_string(),
        _ => "the default configuration".to_string(),
    };
    let booted = selkie_tool::boot_marked(image, &config, home, &mut |line, source| {
        if verbose || source == Source::User {
            println!("{line}");
        }
    })?;
    let report = booted.report;
    let k = booted.kernel;
    let logs = home.join("logs");
    let log = logs.join(format!(
        "{}.log",
        image.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
    ));
    let saved = std::fs::create_dir_all(&logs).and_then(|()| std::fs::write(&log, &report.log));
    let log_note = match saved {
        Ok(()) => format!("full log: {}", log.display()),
        Err(e) => format!("the log could not be written to {}: {e}", log.display()),
    };
    if !report.outcome.is_success() && !verbose {
        println!("--- the whole console log (firmware and kernel included) ---");
        print!("{}", report.log);
        println!("--- end of the console log ---");
    }
    let how = if k.fresh { "built" } else { "cached, not rebuilt" };
    let verdict = if report.outcome.is_success() {
        report.outcome.to_string()
    } else {
        format!("run failed: {}", report.outcome)
    };
    eprintln!(
        "selkie: {verdict} ({:.2} s; kernel {} {how}; QEMU timeout {} s from {from}; {log_note})",
        report.elapsed.as_secs_f64(),
        k.key,
        config.qemu.timeout_secs,
    );
    Ok(ExitCode::from(report.outcome.exit_code() as u8))
}

/// `selkie init [--arch x86_64|aarch32] [dir]`.
fn init(args: &[String]) -> Result<ExitCode, Error> {
    let (arch, rest) = match args {
        [flag, name, rest @ ..] if flag == "--arch" => {
            let arch = match name.as_str() {
                "x86_64" => Arch::X86_64,
                "aarch32" => Arch::Aarch32,
                other => {
                    return Err(Error::Config(format!(
                        "--arch {other}: the architectures are x86_64 and aarch32"
                    )))
                }
            };
            (arch, rest)
        }
        rest => (Arch::X86_64, rest),
    };
    let dir = match rest {
        [] => Path::new("."),
        [dir] if !dir.starts_with('-') => Path::new(dir),
        _ => {
            eprintln!("{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    let me = std::env::current_exe().map_err(Error::io("finding the selkie executable"))?;
    for written in selkie_tool::init_project(dir, &me, arch)? {
        eprintln!("selkie: wrote {}", written.display());
    }
    eprintln!("selkie: `cargo run` now builds the root task and boots it on seL4 in QEMU");
    Ok(ExitCode::SUCCESS)
}

fn qemu_example(name: &str) -> Result<ExitCode, Error> {
    // Refuse a bad configuration before spending time on builds (the error names the file's line).
    Config::from_env_validated()?;
    let root = repository_root();
    let examples = root.join("examples");
    let manifest = examples.join(name).join("Cargo.toml");
    if !manifest.is_file() {
        let mut known: Vec<String> = std::fs::read_dir(&examples)
            .map_err(Error::io(format!("reading {}", examples.display())))?
            .flatten()
            .filter(|e| e.path().join("Cargo.toml").is_file() && e.path().join("src").is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        known.sort();
        return Err(Error::Config(format!(
            "no example named `{name}`; examples: {}",
            known.join(", ")
        )));
    }
    let target = root.join("target");
    let home = selkie_kernel::home_in(&target);
    let config = std::env::var_os(selkie_kernel::env::CONFIG).map(PathBuf::from);
    let built = build_root_tasks(&BuildOptions {
        manifest: &examples.join("Cargo.toml"),
        packages: &[name],
        release: true,
        target_dir: &target.join("bare"),
        home: &home,
        config: config.as_deref(),
    })?;
    let task = built.iter().find(|t| t.name == name).ok_or_else(|| Error::Image {
        path: manifest.clone(),
        message: format!("cargo built no executable named `{name}`"),
    })?;
    run(
        &task.path,
        &home,
        std::env::var("SELKIE_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0"),
    )
}

/// `selkie abi-report [--newer <dir>]`: prints the ABI report (see `selkie_tool::abi`).
fn abi_report(args: &[String]) -> Result<ExitCode, Error> {
    let newer = match args {
        [] => None,
        [flag, dir] if flag == "--newer" => Some(Path::new(dir)),
        _ => {
            return Err(Error::Config(format!(
                "abi-report takes `--newer <dir>` or nothing\n{USAGE}"
            )))
        }
    };
    let (config, name) = selkie_tool::abi::baseline_from_env()?;
    let home = selkie_kernel::selkie_home();
    print!("{}", selkie_tool::abi::abi_report(newer, &home, &config, &name)?);
    Ok(ExitCode::SUCCESS)
}
