//! The QEMU test harness: builds in-kernel test images, boots each on the real seL4 kernel, and reports every
//! in-kernel test as its own test of `cargo test`.
//!
//! An image is a root task whose `main` is `selkie::test_main!()` and whose tests are `#[selkie::test]`
//! functions. The set of expected tests is read from the image's `.selkie.tests` section, never counted by
//! hand; the image's console protocol (see `selkie::test_rt`) says which of them passed. A test the image
//! never finished (it hung until the per-system timeout, or the image panicked or faulted first) fails with
//! its name, the reason and the serial log.

#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use selkie_kernel::{image, qemu::Outcome, Config, Error};
use selkie_tool::{build_root_tasks, BuildOptions, RootTask};

/// The result of one in-kernel test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The test reported success.
    Passed,
    /// The test failed, did not finish or did not run; the reason says which.
    Failed(String),
}

/// Everything one boot of a test image told.
#[derive(Debug, Clone)]
pub struct ImageRun {
    /// The image's name (its binary target).
    pub image: String,
    /// The tests the image holds, from its `.selkie.tests` section.
    pub expected: Vec<String>,
    /// Each expected test's result.
    pub statuses: BTreeMap<String, Status>,
    /// How the boot ended.
    pub outcome: Outcome,
    /// The serial console log.
    pub log: String,
    /// How long the boot took.
    pub elapsed: Duration,
}

impl ImageRun {
    /// Tests that did not pass, with their reasons.
    pub fn failures(&self) -> Vec<(&str, &str)> {
        self.statuses
            .iter()
            .filter_map(|(n, s)| match s {
                Status::Failed(r) => Some((n.as_str(), r.as_str())),
                Status::Passed => None,
            })
            .collect()
    }
}

/// Where the harness keeps its builds: `<workspace target>/bare` for images, `<workspace target>/selkie` for
/// kernels.
pub fn dirs() -> (PathBuf, PathBuf) {
    let target = selkie_kernel::workspace_target_dir();
    (target.join("bare"), selkie_kernel::home_in(&target))
}

/// The test images' workspace manifest.
pub fn images_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("images").join("Cargo.toml")
}

/// The configuration the test images are built and booted with (`qemu-tests/selkie.toml`).
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("selkie.toml")
}

/// Builds the test images of one package of the images workspace (release profile).
pub fn build_images(package: &str) -> Result<Vec<RootTask>, Error> {
    let (target_dir, home) = dirs();
    build_root_tasks(&BuildOptions {
        manifest: &images_manifest(),
        packages: &[package],
        release: true,
        target_dir: &target_dir,
        home: &home,
        config: Some(&config_path()),
    })
}

/// Boots one test image and works out each expected test's result.
pub fn run_image(task: &RootTask, config: &Config) -> Result<ImageRun, Error> {
    let expected = image::read(&task.path)?.tests;
    let report = selkie_tool::boot(&task.path, config, &dirs().1, &mut |_| {})?.report;
    let mut statuses = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut last_finished: Option<String> = None;
    let mut unexpected = Vec::new();
    for line in report.log.lines() {
        let line = line.trim_end();
        if let Some(name) = line.strip_prefix("SELKIE-TEST-START ") {
            current = Some(name.to_string());
        } else if let Some(name) = line.strip_prefix("SELKIE-TEST-PASS ") {
            statuses.insert(name.to_string(), Status::Passed);
            last_finished = current.take();
        } else if let Some(rest) = line.strip_prefix("SELKIE-TEST-FAIL ") {
            let (name, reason) = rest.split_once(": ").unwrap_or((rest, "failed"));
            statuses.insert(name.to_string(), Status::Failed(reason.to_string()));
            last_finished = current.take();
        }
    }
    for name in statuses.keys() {
        if !expected.contains(name) {
            unexpected.push(name.clone());
        }
    }
    for name in &expected {
        if statuses.contains_key(name) {
            continue;
        }
        let reason = if current.as_deref() == Some(name.as_str()) {
            format!("did not finish: {}", report.outcome)
        } else {
            let after = match (&current, &last_finished) {
                (Some(c), _) => format!(" while `{c}` was running"),
                (None, Some(l)) => format!(" after `{l}`"),
                (None, None) => " before any test started".to_string(),
            };
            format!("not run: the image ended{after}: {}", report.outcome)
        };
        statuses.insert(name.clone(), Status::Failed(reason));
    }
    for name in unexpected {
        statuses.insert(
            name.clone(),
            Status::Failed("reported by the image but missing from its .selkie.tests section".into()),
        );
    }
    let all_passed = statuses.values().all(|s| *s == Status::Passed);
    if all_passed && !report.outcome.is_success() {
        // Every test passed but the image still failed (for example after its last test): blame the image.
        statuses.insert(
            format!("{}::<image>", task.name),
            Status::Failed(format!("every test passed, but the image failed: {}", report.outcome)),
        );
    }
    Ok(ImageRun {
        image: task.name.clone(),
        expected,
        statuses,
        outcome: report.outcome,
        log: report.log,
        elapsed: report.elapsed,
    })
}

/// One in-kernel test's verdict from its image's boot: `Ok` if it passed, else the failure message
/// `cargo test` shows (name, reason, serial log). `<image>::<image>` names the image's own trial, which fails
/// when the image failed although every test in it passed.
pub fn verdict(name: &str, run: &Result<ImageRun, String>) -> Result<(), String> {
    let run = run.as_ref().map_err(|e| e.clone())?;
    match run.statuses.get(name) {
        Some(Status::Failed(reason)) => Err(format!(
            "{name}: {reason}\n--- serial log of {} ---\n{}",
            run.image, run.log
        )),
        Some(Status::Passed) => Ok(()),
        None if name.ends_with("::<image>") => Ok(()),
        None => Err(format!("{name}: no result")),
    }
}

/// The trials of one built image: its tests (from its `.selkie.tests` section) and its own `<image>` trial.
fn trial_names(task: &RootTask) -> Result<Vec<String>, Error> {
    let mut names = image::read(&task.path)?.tests;
    names.push(format!("{}::<image>", task.name));
    Ok(names)
}

/// A trial's name and its verdict (see [`verdict`]).
pub type Verdict = (String, Result<(), String>);

/// Builds and boots every image of `package` one after the other and returns each trial's verdict, exactly as
/// [`run_suite`] reports them to `cargo test`.
pub fn evaluate(package: &str, config: &Config) -> Result<Vec<Verdict>, Error> {
    let mut out = Vec::new();
    for task in build_images(package)? {
        let run = run_image(&task, config).map_err(|e| e.to_string());
        for name in trial_names(&task)? {
            let v = verdict(&name, &run);
            out.push((name, v));
        }
    }
    Ok(out)
}

/// Builds the images of `package`, and runs every in-kernel test they hold as a trial of `cargo test`.
///
/// Each image is booted once, when the first of its trials runs; its other trials take their result from the
/// same boot.
///
/// Images that fail to build are an error (not a trial), so that no test-name filter can turn a broken build
/// into a passing run.
pub fn run_suite(
    package: &str,
    config: Config,
    args: &libtest_mimic::Arguments,
) -> Result<libtest_mimic::Conclusion, Error> {
    use libtest_mimic::Trial;
    let images = build_images(package)?;
    let config = Arc::new(config);
    let mut trials = Vec::new();
    for task in images {
        let names = match trial_names(&task) {
            Ok(n) => n,
            Err(e) => {
                let msg = e.to_string();
                trials.push(Trial::test(format!("{}::<image>", task.name), move || Err(msg.into())));
                continue;
            }
        };
        let cell: Arc<OnceLock<Result<ImageRun, String>>> = Arc::new(OnceLock::new());
        let task = Arc::new(task);
        for name in names {
            let (cell, task, config) = (cell.clone(), task.clone(), config.clone());
            trials.push(Trial::test(name.clone(), move || {
                let run = cell.get_or_init(|| run_image(&task, &config).map_err(|e| e.to_string()));
                verdict(&name, run).map_err(Into::into)
            }));
        }
    }
    Ok(libtest_mimic::run(args, trials))
}
