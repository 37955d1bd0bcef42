//! The in-kernel test harness: boots images whose tests are `#[selkie::test]` functions and works out each
//! test's result from the image's console protocol. `selkie run` uses it for a test binary (cargo's runner
//! in a user's `cargo test`), and the project's own QEMU suite (`selkie-qemu-tests`) uses the same code.
//!
//! The set of expected tests is read from the image's `.selkie.tests` section, never counted by hand; the
//! image's console protocol (see `selkie::test_rt`) says which of them passed. A test the image never finished
//! (it hung until the per-system timeout, or the image panicked or faulted first) fails with its name, the
//! reason and the serial log.
//!
//! Nothing a test prints can pass for a verdict:
//! - every boot gets a fresh random token, written into the copy of the image that boots
//!   ([`boot_image`]); only protocol lines carrying it count (see `selkie::test_rt` for why a token rather
//!   than a second output channel);
//! - a verdict counts only for the test the last `START` line announced; `PLAN` and `DONE` must agree with
//!   what was seen, and a name the image does not hold becomes a failing trial of its own;
//! - the image's exit status must agree with the verdicts: an image that exits with success before its
//!   `DONE` line, or fails after every test passed, fails its own `<image>` trial, which says both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use selkie::test_rt::{PROTOCOL_PREFIX, TOKEN_LEN, TOKEN_SECTION, UNPATCHED_TOKEN};
use selkie_kernel::qemu::{Outcome, Source};
use selkie_kernel::{image, Config, Error};

use crate::RootTask;

/// The result of one in-kernel test (or of an image's own `<image>` trial), by what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The test reported success.
    Passed,
    /// The test ran and reported failure (it returned an `Err`, or panicked): its reason.
    Failed(String),
    /// The test started but never reported a verdict (it hung, faulted, or the image ended under it).
    Unfinished(String),
    /// The test never started (the image ended before it).
    NotRun(String),
    /// The image's protocol contradicts itself or the image: a verdict for a test that was not running, a
    /// name the image does not hold, `PLAN` or `DONE` disagreeing with what was seen, or (for the
    /// `<image>` trial) an exit status that disagrees with the verdicts.
    Broken(String),
}

impl Status {
    /// Whether this is [`Status::Passed`].
    pub fn passed(&self) -> bool {
        *self == Status::Passed
    }

    /// Why the test did not pass (`None` if it passed).
    pub fn reason(&self) -> Option<&str> {
        match self {
            Status::Passed => None,
            Status::Failed(r) | Status::Unfinished(r) | Status::NotRun(r) | Status::Broken(r) => Some(r),
        }
    }
}

/// Everything one boot of a test image told.
#[derive(Debug, Clone)]
pub struct ImageRun {
    /// The image's name (its binary target).
    pub image: String,
    /// The tests the image holds, from its `.selkie.tests` section.
    pub expected: Vec<String>,
    /// Each expected test's result, the result of any test the protocol named that the image does not hold,
    /// and the image's own trial, `<image>::<image>` (see [`image_trial`]).
    pub statuses: BTreeMap<String, Status>,
    /// The `DONE` line's counts (passed, failed), if the image printed one.
    pub done: Option<(usize, usize)>,
    /// How the boot ended.
    pub outcome: Outcome,
    /// The serial console log.
    pub log: String,
    /// When each console line arrived, counted from the boot's start (one entry per line the runner passed
    /// on, in the order of `log`).
    pub line_times: Vec<Duration>,
    /// How long the boot took.
    pub elapsed: Duration,
}

impl ImageRun {
    /// Tests (and the `<image>` trial) that did not pass, with their reasons.
    pub fn failures(&self) -> Vec<(&str, &str)> {
        self.statuses
            .iter()
            .filter_map(|(n, s)| s.reason().map(|r| (n.as_str(), r)))
            .collect()
    }

    /// Whether the whole run passed: every test and the image's own trial.
    pub fn passed(&self) -> bool {
        self.statuses.values().all(Status::passed)
    }
}

/// The name of an image's own trial, which fails when the image's exit status and its verdicts disagree or
/// its protocol is broken.
pub fn image_trial(image: &str) -> String {
    format!("{image}::<image>")
}

/// A fresh protocol token: [`TOKEN_LEN`] lowercase hex digits from the system's random source.
pub fn fresh_token() -> String {
    use std::io::Read;
    let mut bytes = [0u8; TOKEN_LEN / 2];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        // No /dev/urandom: std's per-process random hash keys, with the time and a counter mixed in.
        use std::hash::{BuildHasher, Hasher};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(COUNTER.fetch_add(1, Ordering::Relaxed) + i);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos(),
            );
            chunk.copy_from_slice(&h.finish().to_le_bytes()[..chunk.len()]);
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `token` into a copy of the image at `image`, in its [`TOKEN_SECTION`] section, and returns the
/// copy's path (in a directory of its own under `boots`). `Ok(None)` when the image has no such section (a
/// plain root task without the test runtime).
pub fn patched_copy(image: &Path, token: &str, boots: &Path) -> Result<Option<PathBuf>, Error> {
    use object::{Object, ObjectSection};
    static BOOTS: AtomicUsize = AtomicUsize::new(0);
    let bad = |message: String| Error::Image {
        path: image.to_path_buf(),
        message,
    };
    if token.len() != TOKEN_LEN || token.as_bytes() == UNPATCHED_TOKEN {
        return Err(bad(format!("not a usable protocol token: {token:?}")));
    }
    let mut data = std::fs::read(image).map_err(Error::io(format!("reading {}", image.display())))?;
    let range = {
        let file = object::File::parse(&*data).map_err(|e| bad(format!("not an ELF file: {e}")))?;
        let Some(section) = file.section_by_name(TOKEN_SECTION) else {
            return Ok(None);
        };
        section.file_range()
    };
    let (offset, size) = range.ok_or_else(|| bad(format!("section {TOKEN_SECTION} has no bytes in the file")))?;
    let place = usize::try_from(offset)
        .ok()
        .filter(|_| size == TOKEN_LEN as u64)
        .and_then(|o| data.get_mut(o..o + TOKEN_LEN))
        .ok_or_else(|| {
            bad(format!(
                "section {TOKEN_SECTION} is {size} bytes at {offset:#x}, not {TOKEN_LEN}"
            ))
        })?;
    if place != UNPATCHED_TOKEN {
        return Err(bad(format!(
            "section {TOKEN_SECTION} does not hold the runtime's placeholder token"
        )));
    }
    place.copy_from_slice(token.as_bytes());
    // The copy's name is the image's, so the kernel's boot log names it as usual; the directory keeps
    // concurrent boots apart.
    let n = BOOTS.fetch_add(1, Ordering::Relaxed);
    let dir = boots.join(format!("{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(Error::io(format!("creating {}", dir.display())))?;
    let copy = dir.join(image.file_name().unwrap_or("image".as_ref()));
    std::fs::write(&copy, &data).map_err(Error::io(format!("writing {}", copy.display())))?;
    Ok(Some(copy))
}

/// A boot of a test image: the runner's report, the protocol token (`None` for an image without the test
/// runtime, booted as it is), and when each console line arrived.
#[derive(Debug, Clone)]
pub struct TestBoot {
    /// How the boot ended, with its console log.
    pub report: selkie_kernel::qemu::Report,
    /// The token written into the booted copy.
    pub token: Option<String>,
    /// When each console line arrived, from the start of the boot.
    pub line_times: Vec<Duration>,
}

/// Where the harness boots and keeps things: selkie's cache directory (kernels) and the directory for the
/// token-patched copies of images.
#[derive(Debug, Clone)]
pub struct Dirs {
    /// selkie's cache directory (see [`home_for`](crate::home_for)).
    pub home: PathBuf,
    /// Where the patched copies live while they boot.
    pub boots: PathBuf,
}

impl Dirs {
    /// The directories for images built in the cargo target directory above `image` (or selkie's default
    /// home): kernels in its selkie home, patched copies in `<home>/harness-boots`.
    pub fn for_image(image: &Path) -> Dirs {
        let home = crate::home_for(image);
        Dirs {
            boots: home.join("harness-boots"),
            home,
        }
    }
}

/// Boots an image with a fresh protocol token written into a copy of it (see [`patched_copy`]), handing
/// every console line to `on_line`.
pub fn boot_image(
    path: &Path,
    config: &Config,
    dirs: &Dirs,
    on_line: &mut dyn FnMut(&str, Source),
) -> Result<TestBoot, Error> {
    let token = fresh_token();
    let copy = patched_copy(path, &token, &dirs.boots)?;
    let started = std::time::Instant::now();
    let mut line_times = Vec::new();
    let booted = crate::boot_marked(copy.as_deref().unwrap_or(path), config, &dirs.home, &mut |l, s| {
        line_times.push(started.elapsed());
        on_line(l, s)
    });
    if let Some(copy) = &copy {
        if let Some(dir) = copy.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    Ok(TestBoot {
        report: booted?.report,
        token: copy.map(|_| token),
        line_times,
    })
}

/// One line of the test protocol, as the image printed it with this boot's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `PLAN <count>`
    Plan(usize),
    /// `START <name>`
    Start(String),
    /// `PASS <name>`
    Pass(String),
    /// `FAIL <name>: <reason>`
    Fail(String, String),
    /// `DONE <passed> <failed>`
    Done(usize, usize),
    /// A line with the token that is none of the above.
    Garbled(String),
}

/// The protocol lines of `log` that carry `token`, in order. The token may be anywhere in a line (text the
/// kernel printed on the same line comes first), and everything else (user output, lines with any other
/// token) is ignored.
pub fn events(log: &str, token: &str) -> Vec<Event> {
    let marker = format!("{PROTOCOL_PREFIX}{token} ");
    let mut out = Vec::new();
    for line in log.lines() {
        let Some(i) = line.find(&marker) else { continue };
        let rest = line[i + marker.len()..].trim_end();
        let (verb, arg) = rest.split_once(' ').unwrap_or((rest, ""));
        let counts = |a: &str| -> Option<Vec<usize>> { a.split(' ').map(|n| n.parse().ok()).collect() };
        let ev = match verb {
            "PLAN" => arg.parse().ok().map(Event::Plan),
            "START" if !arg.is_empty() => Some(Event::Start(arg.to_string())),
            "PASS" if !arg.is_empty() => Some(Event::Pass(arg.to_string())),
            "FAIL" => arg
                .split_once(": ")
                .map(|(n, r)| Event::Fail(n.to_string(), r.to_string())),
            "DONE" => match counts(arg).as_deref() {
                Some(&[p, f]) => Some(Event::Done(p, f)),
                _ => None,
            },
            _ => None,
        };
        out.push(ev.unwrap_or_else(|| Event::Garbled(rest.to_string())));
    }
    out
}

/// The verdicts of one boot: each test's [`Status`], the image's own trial (`<image>::<image>`), and the
/// `DONE` counts, from the protocol `events` of a boot that ended with `outcome`.
///
/// `expected` is the list of tests the image holds (its `.selkie.tests` section).
pub fn judge(
    image: &str,
    expected: &[String],
    events: &[Event],
    outcome: &Outcome,
) -> (BTreeMap<String, Status>, Option<(usize, usize)>) {
    let mut statuses: BTreeMap<String, Status> = BTreeMap::new();
    let mut problems: Vec<String> = Vec::new();
    let mut plan: Option<usize> = None;
    let mut current: Option<String> = None;
    let mut last_finished: Option<String> = None;
    let mut started: BTreeSet<String> = BTreeSet::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut done: Option<(usize, usize)> = None;
    // A contradiction about one test fails that test for good: later lines do not overwrite it.
    let set = |statuses: &mut BTreeMap<String, Status>, name: &str, s: Status| match statuses.get(name) {
        Some(Status::Broken(_)) => {}
        _ => {
            statuses.insert(name.to_string(), s);
        }
    };
    for ev in events {
        if done.is_some() {
            problems.push(format!("a protocol line after DONE: {ev:?}"));
            continue;
        }
        match ev {
            Event::Plan(n) => {
                if plan.is_some() || !started.is_empty() {
                    problems.push(format!("a second PLAN line ({n}), or one after a test started"));
                }
                if *n != expected.len() {
                    problems.push(format!(
                        "PLAN announces {n} tests, but the image's .selkie.tests section holds {}",
                        expected.len()
                    ));
                }
                plan = Some(*n);
            }
            Event::Start(name) => {
                if plan.is_none() {
                    problems.push(format!("`{name}` started before the PLAN line"));
                }
                if let Some(c) = current.take() {
                    set(
                        &mut statuses,
                        &c,
                        Status::Broken(format!("`{name}` started before `{c}` reported a verdict")),
                    );
                }
                if !expected.contains(name) {
                    let why =
                        format!("`{name}` was started by the image but is missing from its .selkie.tests section");
                    set(&mut statuses, name, Status::Broken(why.clone()));
                    // Also the image's own trial, which `cargo test` always lists, so it is never silent.
                    problems.push(why);
                }
                if !started.insert(name.clone()) {
                    set(&mut statuses, name, Status::Broken("started twice".into()));
                }
                current = Some(name.clone());
            }
            Event::Pass(name) | Event::Fail(name, _) => {
                if current.as_deref() != Some(name.as_str()) {
                    let running = match &current {
                        Some(c) => format!("while `{c}` was running"),
                        None => "while no test was running".to_string(),
                    };
                    set(
                        &mut statuses,
                        name,
                        Status::Broken(format!("a verdict for `{name}` arrived {running}")),
                    );
                    problems.push(format!("a verdict for `{name}` arrived {running}"));
                    continue;
                }
                let s = match ev {
                    Event::Fail(_, reason) => {
                        failed += 1;
                        Status::Failed(reason.clone())
                    }
                    _ => {
                        passed += 1;
                        Status::Passed
                    }
                };
                set(&mut statuses, name, s);
                last_finished = current.take();
            }
            Event::Done(p, f) => {
                if let Some(c) = current.take() {
                    set(
                        &mut statuses,
                        &c,
                        Status::Broken(format!("DONE arrived before `{c}` reported a verdict")),
                    );
                }
                if (*p, *f) != (passed, failed) {
                    problems.push(format!(
                        "DONE says {p} passed and {f} failed, but the verdicts seen were {passed} passed and {failed} failed"
                    ));
                }
                done = Some((*p, *f));
            }
            Event::Garbled(text) => problems.push(format!("a protocol line that does not parse: {text:?}")),
        }
    }
    if let Some((p, f)) = done {
        if p + f != expected.len() {
            problems.push(format!(
                "DONE counts {} tests, the image holds {}",
                p + f,
                expected.len()
            ));
        }
    }
    for name in expected {
        if statuses.contains_key(name) {
            continue;
        }
        let s = if current.as_deref() == Some(name.as_str()) {
            Status::Unfinished(match outcome {
                Outcome::Success => "did not finish: the image exited with success status before this test \
                                     reported a verdict (the test ended the run)"
                    .to_string(),
                _ => format!("did not finish: {outcome}"),
            })
        } else {
            let after = match (&current, &last_finished) {
                (Some(c), _) => format!(" while `{c}` was running"),
                (None, Some(l)) => format!(" after `{l}`"),
                (None, None) => " before any test started".to_string(),
            };
            Status::NotRun(format!("not run: the image ended{after}: {outcome}"))
        };
        statuses.insert(name.clone(), s);
    }
    // The exit status and the verdicts must tell the same story. An image speaks the protocol when it holds
    // tests or printed protocol lines; a plain root task has only its exit status.
    let protocol = !expected.is_empty() || !events.is_empty();
    let tests_passed = statuses.values().all(Status::passed);
    let verdicts_ok = tests_passed && (!protocol || done == Some((expected.len(), 0)));
    let verdicts = match done {
        Some((p, f)) => format!("its protocol ended with DONE {p} {f}"),
        None => "its protocol never reached DONE".to_string(),
    };
    if outcome.is_success() && !verdicts_ok {
        let failing: Vec<&str> = statuses
            .iter()
            .filter(|(_, s)| !s.passed())
            .map(|(n, _)| n.as_str())
            .collect();
        problems.push(format!(
            "the exit status and the verdicts disagree: the image exited with success ({outcome}), but \
             {verdicts}, and these tests did not pass: {}",
            failing.join(", ")
        ));
    } else if !outcome.is_success() && verdicts_ok {
        problems.push(if protocol {
            format!(
                "the exit status and the verdicts disagree: every test passed ({verdicts}), but the image \
                 failed: {outcome}"
            )
        } else {
            format!("the image failed: {outcome}")
        });
    }
    let own = if problems.is_empty() {
        Status::Passed
    } else {
        Status::Broken(problems.join("; "))
    };
    statuses.insert(image_trial(image), own);
    (statuses, done)
}

/// Boots one test image (with a fresh protocol token) and works out each expected test's result.
pub fn run_image(task: &RootTask, config: &Config, dirs: &Dirs) -> Result<ImageRun, Error> {
    run_image_watched(task, config, dirs, &mut |_, _| {})
}

/// [`run_image`], handing every console line to `on_line` as it arrives.
pub fn run_image_watched(
    task: &RootTask,
    config: &Config,
    dirs: &Dirs,
    on_line: &mut dyn FnMut(&str, Source),
) -> Result<ImageRun, Error> {
    let expected = image::read(&task.path)?.tests;
    let TestBoot {
        report,
        token,
        line_times,
    } = boot_image(&task.path, config, dirs, on_line)?;
    if token.is_none() && !expected.is_empty() {
        return Err(Error::Image {
            path: task.path.clone(),
            message: format!("the image holds tests but no {TOKEN_SECTION} section for the protocol token"),
        });
    }
    let events = token.as_deref().map(|t| events(&report.log, t)).unwrap_or_default();
    let (statuses, done) = judge(&task.name, &expected, &events, &report.outcome);
    Ok(ImageRun {
        image: task.name.clone(),
        expected,
        statuses,
        done,
        outcome: report.outcome,
        log: report.log,
        line_times,
        elapsed: report.elapsed,
    })
}

/// One trial's verdict from its image's boot: `Ok` if it passed, else the failure message `cargo test` shows
/// (name, what happened, serial log). `<image>::<image>` names the image's own trial (see [`judge`]).
pub fn verdict(name: &str, run: &Result<ImageRun, String>) -> Result<(), String> {
    let run = run.as_ref().map_err(|e| e.clone())?;
    match run.statuses.get(name) {
        Some(Status::Passed) => Ok(()),
        Some(s) => Err(format!(
            "{name}: {}\n--- serial log of {} ---\n{}",
            s.reason().unwrap_or_default(),
            run.image,
            run.log
        )),
        None => Err(format!("{name}: no result")),
    }
}

/// The trials of one built image: its tests (from its `.selkie.tests` section) and its own `<image>` trial.
pub fn trial_names(task: &RootTask) -> Result<Vec<String>, Error> {
    let mut names = image::read(&task.path)?.tests;
    names.push(image_trial(&task.name));
    Ok(names)
}

/// A trial's name and its verdict (see [`verdict`]).
pub type Verdict = (String, Result<(), String>);

/// The `cargo test` trials of built images: each image's tests and its own `<image>` trial. Each image is
/// booted once (in `dirs`), when the first of its trials runs; its other trials take their result from the
/// same boot. Trials are listed before any boot, from the images' `.selkie.tests` sections.
pub fn trials(images: Vec<RootTask>, config: Config, dirs: Dirs) -> Vec<libtest_mimic::Trial> {
    use libtest_mimic::Trial;
    let config = Arc::new(config);
    let dirs = Arc::new(dirs);
    let mut trials = Vec::new();
    for task in images {
        let names = match trial_names(&task) {
            Ok(n) => n,
            Err(e) => {
                let msg = e.to_string();
                trials.push(Trial::test(image_trial(&task.name), move || Err(msg.into())));
                continue;
            }
        };
        let cell: Arc<OnceLock<Result<ImageRun, String>>> = Arc::new(OnceLock::new());
        let task = Arc::new(task);
        for name in names {
            let (cell, task, config, dirs) = (cell.clone(), task.clone(), config.clone(), dirs.clone());
            trials.push(Trial::test(name.clone(), move || {
                let run = cell.get_or_init(|| run_image(&task, &config, &dirs).map_err(|e| e.to_string()));
                verdict(&name, run).map_err(Into::into)
            }));
        }
    }
    trials
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn line(rest: &str) -> String {
        format!("{PROTOCOL_PREFIX}{TOKEN} {rest}\n")
    }

    fn names(tests: &[&str]) -> Vec<String> {
        tests.iter().map(|t| format!("img::{t}")).collect()
    }

    #[test]
    fn only_lines_with_the_token_are_protocol_lines_wherever_they_start() {
        let log = format!(
            "SELKIE-TEST-PASS img::a\n{PROTOCOL_PREFIX}ffffffffffffffffffffffffffffffff PASS img::a\n\
             kernel text before it {}{}",
            line("PLAN 1").trim_end(),
            "\n"
        ) + &line("FAIL img::a: why: with a colon")
            + &line("DONE x");
        assert_eq!(
            events(&log, TOKEN),
            [
                Event::Plan(1),
                Event::Fail("img::a".into(), "why: with a colon".into()),
                Event::Garbled("DONE x".into()),
            ]
        );
    }

    #[test]
    fn a_clean_run_passes_every_test_and_the_image() {
        let log = line("PLAN 2")
            + &line("START img::a")
            + &line("PASS img::a")
            + &line("START img::b")
            + &line("PASS img::b")
            + &line("DONE 2 0");
        let (s, done) = judge("img", &names(&["a", "b"]), &events(&log, TOKEN), &Outcome::Success);
        assert_eq!(done, Some((2, 0)));
        assert!(s.values().all(Status::passed), "{s:?}");
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn a_verdict_for_a_test_that_is_not_running_breaks_that_test_and_the_image() {
        let log = line("PLAN 2") + &line("START img::a") + &line("PASS img::b") + &line("PASS img::a");
        let (s, _) = judge("img", &names(&["a", "b"]), &events(&log, TOKEN), &Outcome::Failure(3));
        assert_eq!(s["img::a"], Status::Passed);
        assert!(
            matches!(&s["img::b"], Status::Broken(r) if r.contains("while `img::a` was running")),
            "{s:?}"
        );
        assert!(matches!(&s["img::<image>"], Status::Broken(r) if r.contains("a verdict for `img::b`")));
    }

    #[test]
    fn a_name_the_image_does_not_hold_fails_as_a_trial_and_fails_the_image() {
        let log = line("PLAN 1") + &line("START img::ghost") + &line("PASS img::ghost");
        let (s, _) = judge("img", &names(&["a"]), &events(&log, TOKEN), &Outcome::Failure(3));
        assert!(
            matches!(&s["img::ghost"], Status::Broken(r) if r.contains(".selkie.tests")),
            "{s:?}"
        );
        assert!(matches!(&s["img::<image>"], Status::Broken(r) if r.contains("`img::ghost`")));
        assert!(matches!(&s["img::a"], Status::NotRun(_)));
    }

    #[test]
    fn plan_and_done_must_agree_with_what_was_seen() {
        let log = line("PLAN 3") + &line("START img::a") + &line("PASS img::a") + &line("DONE 2 0");
        let (s, _) = judge("img", &names(&["a"]), &events(&log, TOKEN), &Outcome::Success);
        let Status::Broken(r) = &s["img::<image>"] else {
            panic!("{s:?}")
        };
        assert!(
            r.contains("PLAN announces 3 tests") && r.contains("DONE says 2 passed"),
            "{r}"
        );
    }

    #[test]
    fn an_exit_status_that_disagrees_with_the_verdicts_fails_the_image_saying_both() {
        let all = line("PLAN 1") + &line("START img::a") + &line("PASS img::a") + &line("DONE 1 0");
        let (s, _) = judge("img", &names(&["a"]), &events(&all, TOKEN), &Outcome::Failure(3));
        let Status::Broken(r) = &s["img::<image>"] else {
            panic!("{s:?}")
        };
        assert!(r.contains("DONE 1 0") && r.contains("QEMU exit status 3"), "{r}");

        let failed = line("PLAN 1") + &line("START img::a") + &line("FAIL img::a: no") + &line("DONE 0 1");
        let (s, _) = judge("img", &names(&["a"]), &events(&failed, TOKEN), &Outcome::Success);
        let Status::Broken(r) = &s["img::<image>"] else {
            panic!("{s:?}")
        };
        assert!(
            r.contains("exited with success") && r.contains("DONE 0 1") && r.contains("img::a"),
            "{r}"
        );
        assert_eq!(s["img::a"], Status::Failed("no".into()));
    }

    #[test]
    fn the_token_is_fresh_hex_of_the_runtimes_length() {
        let (a, b) = (fresh_token(), fresh_token());
        assert_eq!(a.len(), TOKEN_LEN);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }
}
