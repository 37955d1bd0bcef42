//! The measurements' smoke test: the generated one-process systems build both ways and their ELFs are sized,
//! the queues pass a few items, and the report's sections have their shape. The real measurement is
//! `cargo bench -p selkie-bench`.

use selkie_bench::compile_scaling::{self, Options, Style};
use selkie_bench::{queue_host, report, size};

#[test]
fn one_process_systems_build_both_ways_and_are_sized() {
    let mut opts = Options::smoke();
    opts.dir = report::out_dir().join("scaling-smoke");
    let s = compile_scaling::measure(&opts).unwrap_or_else(|e| panic!("{e}"));
    for style in [Style::Typed, Style::Raw] {
        let p = s.point(style, 1).expect("a point per style");
        assert_eq!(p.builds.len(), 1);
        assert!(p.builds[0].secs > 0.0, "{style:?} took no time");
        assert!(
            p.builds[0].max_rss_kib > 10 * 1024,
            "{style:?}: the compiler's peak memory was not read"
        );
        assert!(
            p.size.text > s.empty.text,
            "{style:?}: a process costs code over the empty root task"
        );
        assert!(p.size.file >= p.size.code && p.size.code >= p.size.text);
    }
    assert!(s.empty.text > 0, "the empty root task has code");
    let sec = compile_scaling::section(&s);
    assert!(sec.markdown.contains("\n| 1 | "), "{}", sec.markdown);
    assert_eq!(sec.json["rows"].as_array().map(Vec::len), Some(1));
    assert!(sec.json["rows"][0]["typed_over_raw"].as_f64().is_some_and(|r| r > 0.0));
    let sz = size::section(&s);
    assert!(sz.markdown.contains("The empty root task:"), "{}", sz.markdown);
    assert_eq!(sz.json["empty"]["text"].as_u64(), Some(s.empty.text));
    assert_eq!(sz.json["rows"][0]["processes"].as_u64(), Some(1));
}

#[test]
fn the_size_function_reads_a_real_elf() {
    let exe = std::env::current_exe().expect("the test's own executable");
    let s = size::elf_size(&exe).expect("the test binary is an ELF");
    assert!(s.text > 1000 && s.code >= s.text && s.rodata > 0);
    assert_eq!(s.file, std::fs::metadata(&exe).unwrap().len());
}

#[test]
fn queues_pass_items_and_the_section_has_every_row() {
    let rows = queue_host::measure(2000, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 9, "three queues at three element sizes");
    assert!(rows.iter().all(|r| r.median() > 0.0));
    let sec = queue_host::section(&rows, 2000);
    for bytes in ["| 8 B |", "| 64 B |", "| 256 B |"] {
        assert!(sec.markdown.contains(bytes), "{}", sec.markdown);
    }
    assert_eq!(sec.json["rows"].as_array().map(Vec::len), Some(9));
}
