//! Compile-time scaling: how long `cargo build` of a root task takes as it builds more processes, typed
//! against raw, and how much memory the compiler needs.
//!
//! [`generate`] writes a workspace of root tasks (1, 8, 32 and 128 processes by default, each style); the
//! dependencies are built once first, then each root-task crate is rebuilt alone (its `main.rs` touched)
//! [`Options::runs`] times, the runs of all packages interleaved so that the machine's load falls on all of
//! them alike. Each build's wall time is taken around `cargo build`; its peak memory is the largest resident
//! set of the build's processes (the compiler's, from `wait4`).

pub mod generate;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub use generate::Style;

use crate::report::Section;
use crate::size::{self, ElfSize};
use crate::stats;

/// What to measure and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The numbers of processes of the generated systems.
    pub sizes: Vec<usize>,
    /// Builds per package (the median is reported).
    pub runs: usize,
    /// Build with the release profile (`opt-level = "s"`, LTO: the examples' profile) rather than dev.
    pub release: bool,
    /// Where the generated workspace goes.
    pub dir: PathBuf,
    /// Its cargo target directory.
    pub target_dir: PathBuf,
    /// The `selkie` crate the systems are built with (this repository's `core/`, or another checkout's, to
    /// compare two versions).
    pub core: PathBuf,
}

impl Options {
    /// The full measurement: 1, 8, 32 and 128 processes, 3 release builds each.
    pub fn full() -> Self {
        Self::with(vec![1, 8, 32, 128], 3, true)
    }

    /// A smoke test: 1 process, one dev build.
    pub fn smoke() -> Self {
        Self::with(vec![1], 1, false)
    }

    /// The full measurement, or what `SELKIE_BENCH_SIZES` (numbers of processes, comma-separated, for example
    /// `1,8`) and `SELKIE_BENCH_RUNS` ask for instead.
    pub fn from_env() -> Result<Self, String> {
        let mut o = Self::full();
        if let Ok(v) = std::env::var("SELKIE_BENCH_SIZES") {
            o.sizes = v
                .split(',')
                .map(|n| n.trim().parse::<usize>().ok().filter(|&n| (1..=300).contains(&n)))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| format!("SELKIE_BENCH_SIZES={v:?}: expected numbers from 1 to 300, comma-separated"))?;
        }
        if let Ok(v) = std::env::var("SELKIE_BENCH_RUNS") {
            o.runs = v
                .trim()
                .parse()
                .ok()
                .filter(|&r| r >= 1)
                .ok_or_else(|| format!("SELKIE_BENCH_RUNS={v:?}: expected a number of runs, at least 1"))?;
        }
        // Another checkout's core (`SELKIE_BENCH_CORE=/path/to/selkie/core`), built in a workspace of its own.
        if let Some(core) = std::env::var_os("SELKIE_BENCH_CORE") {
            o.core = PathBuf::from(core);
            o.dir = o.dir.with_file_name("scaling-other");
            o.target_dir = o.target_dir.with_file_name("scaling-other-target");
        }
        Ok(o)
    }

    /// `sizes` and `runs` with the default places (under the report's directory) and this repository's core.
    pub fn with(sizes: Vec<usize>, runs: usize, release: bool) -> Self {
        let out = crate::report::out_dir();
        Options {
            sizes,
            runs,
            release,
            dir: out.join("scaling"),
            target_dir: out.join("scaling-target"),
            core: repository().join("core"),
        }
    }

    fn profile_dir(&self) -> &'static str {
        if self.release {
            "release"
        } else {
            "debug"
        }
    }

    /// The root task ELF cargo builds for `package`.
    pub fn elf(&self, package: &str) -> PathBuf {
        self.target_dir
            .join(crate::BARE_TARGET)
            .join(self.profile_dir())
            .join(package)
    }
}

/// One build of one package.
#[derive(Debug, Clone, Copy)]
pub struct Build {
    /// Wall time of `cargo build`, seconds.
    pub secs: f64,
    /// Peak resident set of the largest process of the build (the compiler), KiB.
    pub max_rss_kib: u64,
}

/// The measurements of one generated system.
#[derive(Debug, Clone)]
pub struct Point {
    /// Typed or raw.
    pub style: Style,
    /// Its number of processes.
    pub n: usize,
    /// Every build.
    pub builds: Vec<Build>,
    /// The size of the root task it built.
    pub size: ElfSize,
}

impl Point {
    /// Median build time, seconds.
    pub fn median_secs(&self) -> f64 {
        stats::median(&self.builds.iter().map(|b| b.secs).collect::<Vec<_>>())
    }

    /// Peak compiler memory over the builds, KiB.
    pub fn max_rss_kib(&self) -> u64 {
        self.builds.iter().map(|b| b.max_rss_kib).max().unwrap_or(0)
    }
}

/// Everything measured.
#[derive(Debug, Clone)]
pub struct Scaling {
    /// The options it was measured with.
    pub options: Options,
    /// One point per style and size.
    pub points: Vec<Point>,
    /// The empty root task's size.
    pub empty: ElfSize,
}

impl Scaling {
    /// The point of `style` at `n` processes.
    pub fn point(&self, style: Style, n: usize) -> Option<&Point> {
        self.points.iter().find(|p| p.style == style && p.n == n)
    }

    /// Least-squares fit of the median build time against the number of processes: (seconds per
    /// process, seconds at zero).
    pub fn fit(&self, style: Style) -> (f64, f64) {
        stats::least_squares(&self.series(style, |p| p.median_secs()))
    }

    /// Least-squares fit of `.text` bytes against the number of processes: (bytes per process, bytes at zero).
    pub fn text_fit(&self, style: Style) -> (f64, f64) {
        stats::least_squares(&self.series(style, |p| p.size.text as f64))
    }

    fn series(&self, style: Style, f: impl Fn(&Point) -> f64) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .filter(|p| p.style == style)
            .map(|p| (p.n as f64, f(p)))
            .collect()
    }
}

/// The repository's root (this crate's parent directory).
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the bench crate lives in the repository")
        .to_path_buf()
}

/// The `cargo build` command for the generated workspace (`package`: one package, else all of them).
fn cargo_build(opts: &Options, package: Option<&str>) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&opts.dir)
        .args(["build", "--quiet", "--target", crate::BARE_TARGET])
        .env("CARGO_TARGET_DIR", &opts.target_dir)
        .env(
            "SELKIE_HOME",
            crate::report::out_dir().parent().expect("out_dir has a parent"),
        )
        .env_remove("SELKIE_CONFIG")
        // How selkie root tasks link (as the repository's .cargo/config.toml says); RUSTFLAGS replaces any
        // configured flags, so the build is the same wherever the target directory is.
        .env("RUSTFLAGS", "-C relocation-model=static -C link-arg=-Tselkie.ld")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    if opts.release {
        cmd.arg("--release");
    }
    match package {
        Some(p) => cmd.args(["--package", p]),
        None => cmd.arg("--workspace"),
    };
    cmd
}

/// Runs `cmd` to its end; returns its wall time and the peak resident set of it and its descendants.
fn run_measured(mut cmd: Command) -> Result<Build, String> {
    let start = Instant::now();
    let child = cmd.spawn().map_err(|e| format!("running cargo: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child (not reaped elsewhere: `child` is not waited on) with valid pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = start.elapsed().as_secs_f64();
    if r != pid {
        return Err(format!("waiting for cargo: {}", std::io::Error::last_os_error()));
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("cargo build failed (status {status:#x}); its errors are above"));
    }
    Ok(Build {
        secs,
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: usage.ru_maxrss as u64,
    })
}

/// Makes cargo rebuild `package` (and only it) on the next build.
fn touch(opts: &Options, package: &str) -> Result<(), String> {
    let main = opts.dir.join(package).join("src").join("main.rs");
    let f = std::fs::File::options()
        .append(true)
        .open(&main)
        .map_err(|e| format!("{}: {e}", main.display()))?;
    f.set_modified(std::time::SystemTime::now())
        .map_err(|e| format!("{}: {e}", main.display()))
}

/// Writes the workspace and builds everything once (the dependencies, then every package).
pub fn prepare(opts: &Options) -> Result<(), String> {
    let repo = repository();
    generate::write_workspace(
        &opts.dir,
        &opts.core,
        &repo.join("examples").join("Cargo.lock"),
        &[Style::Typed, Style::Raw],
        &opts.sizes,
    )
    .map_err(|e| format!("writing the generated workspace: {e}"))?;
    run_measured(cargo_build(opts, None)).map(|_| ())
}

/// Measures every size and style: see the module's documentation.
pub fn measure(opts: &Options) -> Result<Scaling, String> {
    prepare(opts)?;
    let mut points: Vec<Point> = Vec::new();
    for &style in &[Style::Typed, Style::Raw] {
        for &n in &opts.sizes {
            let size = size::elf_size(&opts.elf(&style.package(n))).map_err(|e| e.to_string())?;
            points.push(Point {
                style,
                n,
                builds: Vec::new(),
                size,
            });
        }
    }
    for _ in 0..opts.runs.max(1) {
        for p in points.iter_mut() {
            let package = p.style.package(p.n);
            touch(opts, &package)?;
            let b = run_measured(cargo_build(opts, Some(&package)))?;
            eprintln!("selkie-bench: {package}: {:.2} s, {} MiB", b.secs, b.max_rss_kib / 1024);
            p.builds.push(b);
        }
    }
    let empty = size::elf_size(&opts.elf(generate::EMPTY)).map_err(|e| e.to_string())?;
    Ok(Scaling {
        options: opts.clone(),
        points,
        empty,
    })
}

/// The report's section on compile time.
pub fn section(s: &Scaling) -> Section {
    let mut md = format!(
        "Root tasks building N processes (each: a channel endpoint with the child's copy, a shared 4 KiB \
         region mapped in the child), typed (one type-level slot pool for all components, one brand per \
         process) and raw (`selkie-sys` calls). Wall time of `cargo build` of the root-task crate alone \
         (dependencies prebuilt, {} profile), median of {} runs interleaved; peak memory is the compiler's \
         largest resident set. The machine is shared: absolute times carry its load, the same-run ratios less \
         so.\n\n| processes | typed (s) | raw (s) | typed/raw | typed peak (MiB) | raw peak (MiB) |\n\
         |---:|---:|---:|---:|---:|---:|\n",
        if s.options.release { "release" } else { "dev" },
        s.options.runs
    );
    let mut rows = Vec::new();
    for &n in &s.options.sizes {
        let (Some(t), Some(r)) = (s.point(Style::Typed, n), s.point(Style::Raw, n)) else {
            continue;
        };
        let ratio = t.median_secs() / r.median_secs();
        md.push_str(&format!(
            "| {n} | {:.2} | {:.2} | {ratio:.2} | {:.0} | {:.0} |\n",
            t.median_secs(),
            r.median_secs(),
            t.max_rss_kib() as f64 / 1024.0,
            r.max_rss_kib() as f64 / 1024.0,
        ));
        rows.push(serde_json::json!({
            "processes": n,
            "typed_secs": t.builds.iter().map(|b| b.secs).collect::<Vec<_>>(),
            "raw_secs": r.builds.iter().map(|b| b.secs).collect::<Vec<_>>(),
            "typed_median_secs": t.median_secs(),
            "raw_median_secs": r.median_secs(),
            "typed_over_raw": ratio,
            "typed_max_rss_kib": t.max_rss_kib(),
            "raw_max_rss_kib": r.max_rss_kib(),
        }));
    }
    let (ts, ti) = s.fit(Style::Typed);
    let (rs, ri) = s.fit(Style::Raw);
    if s.options.sizes.len() > 1 {
        md.push_str(&format!(
            "\nLeast-squares fit: typed {:.1} ms per process (+ {ti:.2} s), raw {:.1} ms per process (+ {ri:.2} s).\n",
            ts * 1000.0,
            rs * 1000.0
        ));
    } else {
        md.push_str("\nOne size only: no slope.\n");
    }
    let json = serde_json::json!({
        "profile": if s.options.release { "release" } else { "dev" },
        "runs": s.options.runs,
        "core": s.options.core.display().to_string(),
        "rows": rows,
        "typed_secs_per_process": ts,
        "raw_secs_per_process": rs,
        "typed_intercept_secs": ti,
        "raw_intercept_secs": ri,
    });
    Section {
        title: "Compile-time scaling".into(),
        markdown: md,
        json,
    }
}
