//! The report: sections of markdown with their raw numbers, written as `report.md` and `report.json`.

use std::path::{Path, PathBuf};

/// One part of the report.
#[derive(Debug, Clone)]
pub struct Section {
    /// The section's heading (without `#`).
    pub title: String,
    /// The section's text: tables and explanations, in markdown.
    pub markdown: String,
    /// The raw numbers behind the text.
    pub json: serde_json::Value,
}

/// Where the report goes: `<target>/selkie/bench/`, with `<target>` cargo's target directory.
pub fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("selkie").join("bench")
}

/// Renders the sections as one markdown document.
pub fn markdown(sections: &[Section]) -> String {
    let mut out = String::from("# selkie measurements\n\n");
    for s in sections {
        out.push_str(&format!("## {}\n\n{}\n\n", s.title, s.markdown.trim_end()));
    }
    out
}

/// Renders the sections' raw numbers as one JSON object keyed by title.
pub fn json(sections: &[Section]) -> serde_json::Value {
    serde_json::Value::Object(sections.iter().map(|s| (s.title.clone(), s.json.clone())).collect())
}

/// Writes `report.md` and `report.json` into `dir`; returns the markdown path.
pub fn write(dir: &Path, sections: &[Section]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let md = dir.join("report.md");
    std::fs::write(&md, markdown(sections))?;
    std::fs::write(dir.join("report.json"), serde_json::to_string_pretty(&json(sections))?)?;
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_every_section_in_order() {
        let s = |t: &str, n: u64| Section {
            title: t.into(),
            markdown: format!("value {n}"),
            json: serde_json::json!({ "n": n }),
        };
        let sections = [s("first", 1), s("second", 2)];
        let md = markdown(&sections);
        let (a, b) = (md.find("## first").unwrap(), md.find("## second").unwrap());
        assert!(a < b && md.contains("value 2"));
        assert_eq!(json(&sections)["second"]["n"], 2);
    }
}
