//! The bench's smoke test (the bench itself never runs in `cargo test`): one iteration of each operation in
//! each variant, in one short boot of the bench image on the real kernel, and the report's shape: every
//! operation has its three figures and both ratios.

use selkie_bench::qemu_cost::{self, Image, OPERATIONS};

#[test]
fn one_iteration_of_each_operation_gives_three_figures_and_two_ratios() {
    let task = qemu_cost::build(Image::Smoke).expect("the bench image builds");
    let m = qemu_cost::boot(&task).expect("the bench image runs and reports");
    assert_eq!(m.iterations, 1);
    assert!(
        m.boot_ticks > 0,
        "the root task's first instruction came after some ticks"
    );
    let ops: Vec<&str> = m.costs.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(ops, OPERATIONS.map(|(op, _)| op));
    for (op, c) in &m.costs {
        for (v, x) in [("typed", c.typed), ("raw", c.raw), ("c", c.c)] {
            assert!(x > 0.0, "{op} ({v}) took {x} ticks");
        }
        assert!(
            c.typed_over_raw().is_finite() && c.typed_over_c().is_finite(),
            "{op}: ratios {c:?}"
        );
    }
    let section = qemu_cost::section(&m);
    for (_, what) in OPERATIONS {
        assert!(section.markdown.contains(what), "the table has a row for {what}");
    }
    let rows = section.json["operations"].as_array().expect("rows");
    assert_eq!(rows.len(), OPERATIONS.len());
    for row in rows {
        for key in ["typed", "raw", "c", "typed_over_raw", "typed_over_c"] {
            assert!(row[key].as_f64().is_some(), "{key} in {row}");
        }
    }
}

#[test]
fn a_log_missing_a_variant_is_refused() {
    let mut log = String::from("selkie-bench-boot 5\n");
    for (op, _) in OPERATIONS {
        for v in ["typed", "raw"] {
            log.push_str(&format!("selkie-bench {op} {v} 1 100\n"));
        }
    }
    log.push_str("selkie-bench-done\n");
    let e = qemu_cost::parse(&log, 0.0).unwrap_err();
    assert!(e.contains("(c)"), "{e}");
}
