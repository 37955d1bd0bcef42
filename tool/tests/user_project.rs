//! A user's own project outside this workspace: `cargo new`, selkie as a path dependency, `main` marked as the
//! root task, the one documented `.cargo/config.toml`, and `cargo run` boots it on seL4 in QEMU.

use std::path::Path;
use std::process::Command;

/// The `.cargo/config.toml` the README documents, with the runner pointing at the `selkie` binary cargo built
/// for this test (what `cargo install --path tool` puts on a user's PATH).
fn user_cargo_config(runner: &Path) -> String {
    format!(
        "[build]\ntarget = \"x86_64-unknown-none\"\n\n[target.x86_64-unknown-none]\nrunner = \"{} run\"\n\
         rustflags = [\"-C\", \"relocation-model=static\", \"-C\", \"link-arg=-Tselkie.ld\"]\n",
        runner.display()
    )
}

const MAIN_RS: &str = r#"#![no_std]
#![no_main]

#[selkie::root_task]
fn main(boot: selkie::bootstrap::BootInfo) {
    let _ = boot;
    selkie::println!("Hello from my own seL4 project!");
}
"#;

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

#[test]
fn a_new_cargo_project_boots_on_sel4_with_cargo_run() {
    let tmp = tempfile::tempdir().unwrap();
    let status = cargo()
        .current_dir(tmp.path())
        .args(["new", "--vcs", "none", "--bin", "myos"])
        .status()
        .unwrap();
    assert!(status.success(), "cargo new");
    let project = tmp.path().join("myos");

    let selkie = selkie_tool::repository_root().join("core");
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    let manifest = manifest.replace(
        "[dependencies]",
        &format!(
            "[dependencies]\nselkie = {{ path = {:?} }}",
            selkie.display().to_string()
        ),
    );
    std::fs::write(project.join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir_all(project.join(".cargo")).unwrap();
    std::fs::write(
        project.join(".cargo/config.toml"),
        user_cargo_config(Path::new(env!("CARGO_BIN_EXE_selkie"))),
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
}
