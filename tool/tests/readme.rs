//! The README is the contract: every ```rust block in it is a whole root task that builds as shown (with its
//! `use` lines) for the bare-metal target, and every one that is a `#[selkie::root_task]` boots on the real
//! kernel and reports success. Snippets are built with warnings denied: what users copy should be clean.

use std::path::Path;

use selkie_kernel::Config;
use selkie_tool::{build_root_tasks, BuildOptions};

/// The ```rust blocks of a markdown text, in order.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, fence) if fence.starts_with("```rust") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "README.md has an unclosed ```rust block");
    blocks
}

#[test]
fn the_parser_finds_rust_blocks_only() {
    let md = "text\n```rust\nfn a() {}\n```\n```toml\nx = 1\n```\n```rust\nfn b() {}\n```\n";
    assert_eq!(rust_blocks(md), ["fn a() {}\n", "fn b() {}\n"]);
}

#[test]
fn every_rust_snippet_of_the_readme_builds_and_root_tasks_boot() {
    let root = selkie_tool::repository_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = rust_blocks(&readme);
    assert!(
        blocks.len() >= 3,
        "README.md should show the typed API, a project's main and a test"
    );

    // The package lives inside the repository (under its target directory) so that the repository's
    // `.cargo/config.toml` (link settings for the bare-metal target) applies, as it does to the test images.
    let target = selkie_kernel::workspace_target_dir();
    let pkg = target.join("readme-snippets");
    let _ = std::fs::remove_dir_all(pkg.join("src"));
    std::fs::create_dir_all(pkg.join("src/bin")).unwrap();
    let mut manifest = format!(
        "[package]\nname = \"readme-snippets\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\nselkie = {{ path = {:?} }}\n\n\
         [lints.rust]\nwarnings = \"deny\"\n\n[profile.release]\npanic = \"abort\"\nopt-level = \"s\"\nlto = true\n\n",
        root.join("core").display().to_string()
    );
    for (i, block) in blocks.iter().enumerate() {
        let name = format!("snippet{i}");
        std::fs::write(pkg.join("src/bin").join(format!("{name}.rs")), block).unwrap();
        manifest.push_str(&format!("[[bin]]\nname = \"{name}\"\npath = \"src/bin/{name}.rs\"\n\n"));
    }
    std::fs::write(pkg.join("Cargo.toml"), manifest).unwrap();

    let home = selkie_kernel::home_in(&target);
    let built = build_root_tasks(&BuildOptions {
        manifest: &pkg.join("Cargo.toml"),
        packages: &[],
        release: true,
        target_dir: &target.join("bare"),
        home: &home,
        config: None,
    })
    .unwrap_or_else(|e| panic!("a README snippet does not build (compiler output above): {e}"));
    assert_eq!(built.len(), blocks.len(), "one executable per snippet: {built:?}");

    for (i, block) in blocks.iter().enumerate() {
        if !block.contains("#[selkie::root_task]") {
            continue;
        }
        let exe = &built.iter().find(|t| t.name == format!("snippet{i}")).unwrap().path;
        let booted = selkie_tool::boot(Path::new(exe), &Config::default(), &home, &mut |_| {}).unwrap();
        assert!(
            booted.report.outcome.is_success(),
            "README snippet {i} did not succeed ({}):\n{block}\n--- console\n{}",
            booted.report.outcome,
            booted.report.log
        );
    }
}
