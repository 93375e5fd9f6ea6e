//! report.json: the versioned, machine-readable form every other artefact is derived from.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::error::ReportError;
use super::model::Report;

/// The report.json layout this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Refuse to slurp anything bigger: a 100k-case report is tens of MB, so this only stops
/// a wrong path (a disk image, a log) from exhausting memory.
const MAX_REPORT_BYTES: u64 = 1 << 30;

/// Pretty-printed JSON (stable field order), newline-terminated.
pub fn to_json(report: &Report) -> String {
    // Strings, integers, options and string-keyed maps cannot fail to serialise.
    let mut json = serde_json::to_string_pretty(report)
        .expect("a Report always serialises: it holds only strings, numbers and string-keyed maps");
    json.push('\n');
    json
}

/// Just the version, so a future or foreign file gets a version error rather than a
/// confusing complaint about some field it does not have.
#[derive(Deserialize)]
struct VersionProbe {
    // Other fields are skipped without being kept.
    schema_version: Option<serde_json::Value>,
}

impl Report {
    /// Reads a report.json of schema_version 1; anything else is a clear error naming the file.
    pub fn load(path: &Path) -> Result<Report, ReportError> {
        let read_err = |source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let mut bytes = Vec::new();
        file.take(MAX_REPORT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        if bytes.len() as u64 > MAX_REPORT_BYTES {
            return Err(ReportError::TooLarge {
                path: path.to_path_buf(),
                limit: MAX_REPORT_BYTES,
            });
        }
        Self::from_json_bytes(&bytes, path)
    }

    /// Parses report.json content; `path` only labels errors.
    pub fn from_json_bytes(bytes: &[u8], path: &Path) -> Result<Report, ReportError> {
        let malformed = |reason: String| ReportError::Malformed {
            path: path.to_path_buf(),
            reason,
        };
        let probe: VersionProbe =
            serde_json::from_slice(bytes).map_err(|e| malformed(format!("invalid JSON: {e}")))?;
        match probe.schema_version {
            None => return Err(malformed("no schema_version field".into())),
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(SCHEMA_VERSION.into()) => {}
            Some(other) => {
                return Err(ReportError::UnsupportedVersion {
                    path: path.to_path_buf(),
                    found: other.to_string(),
                    supported: SCHEMA_VERSION,
                    tool: env!("CARGO_PKG_VERSION"),
                });
            }
        }
        serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::sample;

    #[test]
    fn report_json_round_trips_through_a_file() {
        let report = sample();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.json");
        std::fs::write(&path, to_json(&report)).expect("write");
        let loaded = Report::load(&path).expect("load");
        assert_eq!(loaded, report);
    }

    #[test]
    fn report_json_omits_absent_expected_failure_and_keeps_present_one() {
        let json = to_json(&sample());
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        let cases = value["cases"].as_array().expect("cases");
        assert!(cases.iter().any(|c| c.get("expected_failure").is_none()));
        assert!(cases.iter().any(|c| c["expected_failure"].is_string()));
        assert_eq!(value["cases"][0]["status"], "pass");
        assert_eq!(value["cases"][0]["category"], "sql");
    }

    #[test]
    fn report_load_rejects_other_schema_versions() {
        let mut value: serde_json::Value = serde_json::from_str(&to_json(&sample())).expect("json");
        value["schema_version"] = 2.into();
        let err = Report::from_json_bytes(value.to_string().as_bytes(), Path::new("old.json"))
            .expect_err("version 2 must be refused");
        let text = err.to_string();
        assert!(
            matches!(err, ReportError::UnsupportedVersion { .. }),
            "{text}"
        );
        assert!(
            text.contains("old.json") && text.contains("schema_version 2"),
            "{text}"
        );
        assert!(text.contains("reads only schema_version 1"), "{text}");
    }

    #[test]
    fn report_load_rejects_garbage_and_missing_version() {
        let err =
            Report::from_json_bytes(b"<html>not json", Path::new("x.json")).expect_err("garbage");
        assert!(
            err.to_string()
                .starts_with("x.json is not a pgcompat report: invalid JSON"),
            "{err}"
        );

        let err = Report::from_json_bytes(br#"{"cases": []}"#, Path::new("x.json"))
            .expect_err("no version");
        assert!(err.to_string().contains("no schema_version"), "{err}");

        let err =
            Report::from_json_bytes(br#"{"schema_version": 1, "cases": 3}"#, Path::new("x.json"))
                .expect_err("wrong shape");
        assert!(matches!(err, ReportError::Malformed { .. }), "{err}");

        let err = Report::from_json_bytes(br#"{"schema_version": "1"}"#, Path::new("x.json"))
            .expect_err("string version");
        assert!(
            matches!(err, ReportError::UnsupportedVersion { .. }),
            "{err}"
        );
    }

    #[test]
    fn report_load_names_a_missing_file() {
        let err = Report::load(Path::new("/nonexistent/report.json")).expect_err("missing");
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/report.json"),
            "{err}"
        );
    }
}
