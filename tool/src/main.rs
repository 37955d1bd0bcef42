//! `selkie`: boots selkie root tasks on the real seL4 kernel in QEMU.
//!
//! ```text
//! selkie run <root-task.elf>     boot an image (use as cargo's runner for x86_64-unknown-none)
//! selkie qemu <example>          build examples/<example> from this repository and boot it
//! selkie init [dir]              set up a cargo project (default: the current directory) for `cargo run`
//! selkie abi-report [--newer d]  which kernel configuration options change the ABI (markdown on stdout)
//! ```
//!
//! QEMU settings (timeouts, CPU features) come from the `selkie.toml` named by `SELKIE_CONFIG`, if any. The
//! exit status is 0 when the root task reports success, and non-zero on failure, panic, timeout or boot hang.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use selkie_kernel::{Config, Error};
use selkie_tool::{boot, build_root_tasks, home_for, repository_root, BuildOptions};

const USAGE: &str = "usage:\n  selkie run <root-task.elf>   boot a root task on seL4 in QEMU (cargo runner)\n  \
                     selkie qemu <example>        build and boot examples/<example> of the selkie repository\n  \
                     selkie init [dir]            set up a cargo project (default: here) so `cargo run` boots it\n  \
                     selkie abi-report [--newer <dir>]  which kernel options change the ABI (markdown table)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") if args.len() >= 2 => run(Path::new(&args[1]), &home_for(Path::new(&args[1]))),
        Some("qemu") if args.len() >= 2 => qemu_example(&args[1]),
        Some("init") if args.len() <= 2 => init(Path::new(args.get(1).map_or(".", String::as_str))),
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

/// Boots `image`, with selkie's caches in `home`.
fn run(image: &Path, home: &Path) -> Result<ExitCode, Error> {
    let config = Config::from_env()?;
    let from = match std::env::var_os(selkie_kernel::env::CONFIG) {
        Some(p) if !p.is_empty() => PathBuf::from(p).display().to_string(),
        _ => "the default configuration".to_string(),
    };
    eprintln!(
        "selkie: booting {} (QEMU timeout {} s, from {from})",
        image.display(),
        config.qemu.timeout_secs
    );
    let booted = boot(image, &config, home, &mut |line| println!("{line}"))?;
    let report = booted.report;
    let k = booted.kernel;
    let how = if k.fresh { "built" } else { "cached, not rebuilt" };
    eprintln!("selkie: kernel {} ({how}): {}", k.key, k.elf32.display());
    if report.outcome.is_success() {
        eprintln!("selkie: {} ({:.2} s)", report.outcome, report.elapsed.as_secs_f64());
    } else {
        eprintln!("selkie: run failed: {}", report.outcome);
    }
    Ok(ExitCode::from(report.outcome.exit_code() as u8))
}

fn init(dir: &Path) -> Result<ExitCode, Error> {
    let me = std::env::current_exe().map_err(Error::io("finding the selkie executable"))?;
    for written in selkie_tool::init_project(dir, &me)? {
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
    run(&task.path, &home)
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
