//! Writes every rendering of a report into one directory.

use std::path::{Path, PathBuf};

use super::error::ReportError;
use super::html::to_html;
use super::json::to_json;
use super::junit::to_junit;
use super::markdown::to_markdown;
use super::model::Report;

/// Turns a report into one artefact's text.
type Renderer = fn(&Report) -> String;

/// Creates `dir` and writes report.json, report.md, junit.xml and index.html into it;
/// returns the written paths in that order.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let renderers: [(&str, Renderer); 4] = [
        ("report.json", to_json),
        ("report.md", to_markdown),
        ("junit.xml", to_junit),
        ("index.html", to_html),
    ];
    let mut written = Vec::with_capacity(renderers.len());
    for (name, render) in renderers {
        let path = dir.join(name);
        std::fs::write(&path, render(report)).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::sample;

    #[test]
    fn report_write_all_creates_dir_and_every_artefact() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("nested/out");
        let report = sample();
        let paths = write_all(&report, &dir).expect("write_all");
        let names: Vec<_> = paths
            .iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()))
            .collect();
        assert_eq!(
            names,
            ["report.json", "report.md", "junit.xml", "index.html"]
        );
        assert_eq!(
            Report::load(&dir.join("report.json")).expect("load"),
            report
        );
        let md = std::fs::read_to_string(dir.join("report.md")).expect("md");
        assert_eq!(md, to_markdown(&report));
    }

    #[test]
    fn report_write_all_names_the_path_it_cannot_create() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("file");
        std::fs::write(&file, "x").expect("write");
        let err = write_all(&sample(), &file.join("sub")).expect_err("parent is a file");
        assert!(
            err.to_string().contains("cannot write") && err.to_string().contains("file/sub"),
            "{err}"
        );
    }
}
