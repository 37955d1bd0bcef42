//! `selkie abi-report`: the command prints the report, the README shows its current output, and bad arguments
//! are refused.
//!
//! A libtest-mimic harness: the README's table for seL4's newer interface files can only be checked when
//! `SELKIE_NEWER_FIXTURES` names them (they are not in the repository), which is known only at run time; without
//! it that check is reported as `ignored` with the reason.

use std::path::PathBuf;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use std::process::{Command, Output};

fn selkie(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_selkie"))
        .args(args)
        // The README shows the report of the embedded kernel from the default configuration.
        .env_remove("SELKIE_CONFIG")
        .env_remove("SELKIE_KERNEL_SOURCE")
        .current_dir(selkie_tool::repository_root())
        .output()
        .unwrap()
}

/// The README text between `<!-- abi-report: NAME ...-->` and `<!-- /abi-report: NAME -->`, without the blank
/// lines around it.
fn readme_block(name: &str) -> String {
    let readme = std::fs::read_to_string(selkie_tool::repository_root().join("README.md")).unwrap();
    let start = readme
        .find(&format!("<!-- abi-report: {name}"))
        .unwrap_or_else(|| panic!("README.md has no abi-report: {name} block"));
    let start = start + readme[start..].find("-->\n").unwrap() + 4;
    let end = start + readme[start..].find(&format!("<!-- /abi-report: {name} -->")).unwrap();
    readme[start..end].trim_matches('\n').to_string()
}

fn the_readme_shows_the_current_report_of_the_embedded_kernel() {
    let out = selkie(&["abi-report"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(printed.starts_with("ABI changes per kernel configuration option, for the embedded seL4 5.0.0, from selkie's default configuration."));
    assert_eq!(
        readme_block("embedded"),
        printed.trim_end_matches('\n'),
        "README.md's report is out of date: paste the output of `cargo run -q -p selkie-tool -- abi-report`"
    );
}

/// The directory holding `sel4-16.0.0-dev`, named by `SELKIE_NEWER_FIXTURES` (relative to the workspace root).
fn newer_tree() -> Option<PathBuf> {
    let dir = std::env::var_os("SELKIE_NEWER_FIXTURES").filter(|d| !d.is_empty())?;
    let tree = selkie_tool::repository_root().join(dir).join("sel4-16.0.0-dev");
    assert!(
        tree.join("libsel4/include/interfaces/object-api.xml").is_file(),
        "SELKIE_NEWER_FIXTURES is set, but {} holds no libsel4/include/interfaces/object-api.xml",
        tree.display()
    );
    Some(tree)
}

fn the_readme_shows_the_current_table_of_the_newer_interface_files() -> Completion {
    let Some(tree) = newer_tree() else {
        return Completion::ignored_with(
            "SELKIE_NEWER_FIXTURES is not set: this runs `selkie abi-report --newer` on seL4's own newer interface \
             files, which are not part of the repository (CI sets it to its copy beside the repository)",
        );
    };
    let out = selkie(&["abi-report", "--newer", tree.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let table = &printed[..printed.find("### Details").unwrap()];
    assert_eq!(readme_block("newer"), table.trim_end_matches('\n'));
    assert!(printed.contains("Not compared (object types, object sizes, bootinfo, constants)"));
    Completion::Completed
}

fn bad_arguments_are_refused_with_the_usage() {
    let out = selkie(&["abi-report", "--newest", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("abi-report takes `--newer <dir>`"), "{err}");
    let out = selkie(&["abi-report", "--newer", "/nonexistent-tree"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a kernel tree"), "{err}");
}

fn main() {
    let args = Arguments::from_args();
    let check = |name: &str, f: fn()| {
        Trial::test(name, move || {
            f();
            Ok(())
        })
    };
    let trials = vec![
        check(
            "the_readme_shows_the_current_report_of_the_embedded_kernel",
            the_readme_shows_the_current_report_of_the_embedded_kernel,
        ),
        Trial::ignorable_test(
            "the_readme_shows_the_current_table_of_the_newer_interface_files",
            || Ok::<_, Failed>(the_readme_shows_the_current_table_of_the_newer_interface_files()),
        ),
        check(
            "bad_arguments_are_refused_with_the_usage",
            bad_arguments_are_refused_with_the_usage,
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}
