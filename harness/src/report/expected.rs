//! The expected-failures file: a reviewed list of known gaps, so CI fails on new breakage
//! while known gaps stay visible (and get removed once fixed).
//!
//! Format, one entry per line:
//!
//! ```text
//! # comment
//! sql/simple/casts.slt:9      # money type not supported
//! flow/copy/*                 # COPY is not implemented
//! ```
//!
//! The pattern is a case id, or a glob where `*` matches any run of characters (including
//! `/`). Every entry needs a reason after `#`: the list is meant to be reviewed. Patterns
//! cannot contain whitespace or `#`.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use super::error::ReportError;
use super::model::Report;

/// Far beyond any hand-reviewed list; only guards against pointing at the wrong file.
const MAX_FILE_BYTES: u64 = 16 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    pattern: String,
    reason: String,
}

/// A parsed expected-failures list. `Default` is the empty list.
#[derive(Clone, Debug, Default)]
pub struct ExpectedFailures {
    entries: Vec<Entry>,
    /// Exact ids to entry index: most entries are exact, and lookups run per case.
    exact: HashMap<String, usize>,
    /// Indices of entries containing `*`, in file order.
    globs: Vec<usize>,
}

impl ExpectedFailures {
    /// Reads and parses `path`; errors name the file and line.
    pub fn load(path: &Path) -> Result<Self, ReportError> {
        let read_err = |source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ReportError::TooLarge {
                path: path.to_path_buf(),
                limit: MAX_FILE_BYTES,
            });
        }
        let origin = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|e| {
            // Report the line of the first invalid byte.
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            ReportError::ExpectedFailures {
                origin: origin.clone(),
                line,
                message: "not valid UTF-8".into(),
            }
        })?;
        Self::parse_from(&text, &origin)
    }

    /// Parses the file format from a string (errors are labelled "expected-failures").
    pub fn parse(text: &str) -> Result<Self, ReportError> {
        Self::parse_from(text, "expected-failures")
    }

    fn parse_from(text: &str, origin: &str) -> Result<Self, ReportError> {
        let mut list = ExpectedFailures::default();
        let mut lines_of: HashMap<String, usize> = HashMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let error = |message: String| ReportError::ExpectedFailures {
                origin: origin.to_string(),
                line,
                message,
            };
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let (pattern, reason) = match content.split_once('#') {
                Some((p, r)) => (p.trim(), r.trim()),
                None => (content, ""),
            };
            if pattern.chars().any(char::is_whitespace) {
                return Err(error(format!(
                    "`{pattern}` contains whitespace; write one case id or glob per line, then `# reason`"
                )));
            }
            if reason.is_empty() {
                return Err(error(format!(
                    "`{pattern}` has no reason; write `{pattern}  # why it is expected to fail`"
                )));
            }
            if pattern.chars().all(|c| c == '*') {
                return Err(error(format!(
                    "`{pattern}` would match every case; list the failing cases or a narrower glob"
                )));
            }
            if let Some(first) = lines_of.get(pattern) {
                return Err(error(format!(
                    "`{pattern}` is already listed on line {first}"
                )));
            }
            lines_of.insert(pattern.to_string(), line);
            let index = list.entries.len();
            if pattern.contains('*') {
                list.globs.push(index);
            } else {
                list.exact.insert(pattern.to_string(), index);
            }
            list.entries.push(Entry {
                pattern: pattern.to_string(),
                reason: reason.to_string(),
            });
        }
        Ok(list)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Index of the first entry (in file order) that matches `id`.
    fn first_match(&self, id: &str) -> Option<usize> {
        let exact = self.exact.get(id).copied();
        let limit = exact.unwrap_or(usize::MAX);
        self.globs
            .iter()
            .copied()
            .take_while(|&i| i < limit)
            .find(|&i| {
                self.entries
                    .get(i)
                    .is_some_and(|e| glob_match(&e.pattern, id))
            })
            .or(exact)
    }

    /// The reason of the first entry matching `id`, if any.
    pub fn reason(&self, id: &str) -> Option<&str> {
        self.first_match(id)
            .and_then(|i| self.entries.get(i))
            .map(|e| e.reason.as_str())
    }

    /// Marks each failing case covered by the list with its reason (and clears the mark on
    /// cases that did not fail), then refreshes the report's tallies.
    pub fn apply(&self, report: &mut Report) {
        for case in &mut report.cases {
            case.expected_failure = if case.status.is_failure() {
                self.reason(&case.id).map(str::to_string)
            } else {
                None
            };
        }
        report.recompute();
    }

    /// Entries, in file order, that matched no failing or skipped case: the gap is fixed (or
    /// the case is gone), so the entry should be removed. A skipped case proves nothing
    /// either way, so it keeps its entry. Meaningful on a run of the full suite only.
    pub fn unused(&self, report: &Report) -> Vec<String> {
        let mut used = vec![false; self.entries.len()];
        for case in report.cases.iter().filter(|c| !c.status.is_pass()) {
            if let Some(&i) = self.exact.get(&case.id)
                && let Some(slot) = used.get_mut(i)
            {
                *slot = true;
            }
            for &i in &self.globs {
                if let (Some(entry), Some(slot)) = (self.entries.get(i), used.get_mut(i))
                    && !*slot
                    && glob_match(&entry.pattern, &case.id)
                {
                    *slot = true;
                }
            }
        }
        self.entries
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(e, _)| e.pattern.clone())
            .collect()
    }
}

/// Whether `text` matches `pattern`, where `*` matches any (possibly empty) run of bytes.
/// Greedy with single backtrack point: O(len(pattern) * len(text)) worst case, no recursion.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if t.get(ti) == Some(&c) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::sample;
    use crate::report::model::Status;

    #[test]
    fn report_glob_matching() {
        assert!(glob_match("sql/*", "sql/simple/joins.slt:1"));
        assert!(glob_match("*joins*", "sql/simple/joins.slt:1"));
        assert!(glob_match("sql/*/joins.slt:*", "sql/simple/joins.slt:42"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(!glob_match("sql/*", "flow/sql/x"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
        assert!(glob_match("é*", "éà"));
    }

    #[test]
    fn report_expected_parses_entries_globs_and_comments() {
        let list = ExpectedFailures::parse(
            "# known gaps\n\n  sql/simple/casts.slt:9   # money type not supported  \n\
             flow/copy/*  # COPY not implemented # yet\n\
             sql/*  # catch-all for sql\n",
        )
        .expect("parse");
        assert_eq!(list.len(), 3);
        assert_eq!(
            list.reason("sql/simple/casts.slt:9"),
            Some("money type not supported")
        );
        assert_eq!(
            list.reason("flow/copy/from_stdin"),
            Some("COPY not implemented # yet")
        );
        // File order decides between an exact entry and a later glob.
        assert_eq!(list.reason("sql/other"), Some("catch-all for sql"));
        assert_eq!(list.reason("flow/extended/x"), None);
        let glob_first = ExpectedFailures::parse("sql/*  # glob\nsql/a  # exact\n").expect("parse");
        assert_eq!(glob_first.reason("sql/a"), Some("glob"));
    }

    #[test]
    fn report_expected_rejects_bad_lines_with_line_numbers() {
        let cases = [
            ("# c\nsql/a\n", 2, "has no reason"),
            ("sql/a  #   \n", 1, "has no reason"),
            ("\n\nsql/a sql/b  # two\n", 3, "contains whitespace"),
            ("*  # everything\n", 1, "would match every case"),
            (
                "sql/a  # one\nflow/b # x\nsql/a  # again\n",
                3,
                "already listed on line 1",
            ),
        ];
        for (text, line, needle) in cases {
            let err = ExpectedFailures::parse(text).expect_err(text);
            let msg = err.to_string();
            assert!(
                msg.starts_with(&format!("expected-failures:{line}: ")),
                "{msg}"
            );
            assert!(msg.contains(needle), "{msg}");
        }
    }

    #[test]
    fn report_expected_load_names_file_and_rejects_invalid_utf8() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("expected.txt");
        std::fs::write(&path, b"sql/a  # ok\nsql/\xff  # bad\n").expect("write");
        let err = ExpectedFailures::load(&path).expect_err("invalid utf-8");
        assert!(
            err.to_string().ends_with("expected.txt:2: not valid UTF-8"),
            "{err}"
        );
        std::fs::write(&path, "sql/a  # ok\n").expect("write");
        assert_eq!(ExpectedFailures::load(&path).expect("load").len(), 1);
    }

    #[test]
    fn report_expected_apply_marks_only_failing_cases_and_unused_lists_stale_entries() {
        let mut report = sample();
        let list = ExpectedFailures::parse(
            "sql/simple/joins.slt:*  # join ordering differs\n\
             sql/simple/joins.slt:10  # fixed long ago\n\
             type/numeric/nan  # NaN ordering\n\
             fuzz/*  # no fuzz cases in this run\n\
             flow/extended/portal_suspend  # portals not supported\n",
        )
        .expect("parse");
        list.apply(&mut report);
        let by_id = |id: &str| report.cases.iter().find(|c| c.id == id).expect(id);
        // Failing and listed: marked.
        assert_eq!(
            by_id("sql/simple/joins.slt:42").expected_failure.as_deref(),
            Some("join ordering differs")
        );
        assert_eq!(
            by_id("flow/extended/portal_suspend")
                .expected_failure
                .as_deref(),
            Some("portals not supported")
        );
        // Passing (even if matched) and skipped: not marked; a stale mark is cleared.
        assert_eq!(by_id("sql/simple/joins.slt:10").expected_failure, None);
        assert_eq!(by_id("type/numeric/nan").expected_failure, None);
        assert_eq!(by_id("sql/simple/casts.slt:9").expected_failure, None);
        assert_eq!(report.summary.expected_failures, 2);
        assert_eq!(
            list.unused(&report),
            vec!["sql/simple/joins.slt:10".to_string(), "fuzz/*".to_string()]
        );
        assert_eq!(by_id("sql/simple/joins.slt:10").status, Status::Pass);
    }
}
