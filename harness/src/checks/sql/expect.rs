//! Expectations the slt format has no place for, kept in a comment line above a record:
//!
//! ```text
//! # pg: types=int4,text; tag=SELECT 2
//! query IT
//! SELECT 1, 'a' UNION ALL SELECT 2, 'b'
//! ```
//!
//! Other slt engines read it as a comment; `pgcompat complete` writes it from PostgreSQL.

use crate::types;

const PREFIX: &str = " pg:";

/// Result column types (by PostgreSQL type name) and the command tag a record should produce.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    pub types: Option<Vec<String>>,
    pub tag: Option<String>,
}

impl Expect {
    /// Read from the lines of a comment record (each without its leading `#`).
    pub fn from_comment(lines: &[String]) -> Option<Expect> {
        let line = lines.iter().rev().find_map(|l| l.strip_prefix(PREFIX))?;
        let mut e = Expect::default();
        for part in line.split(';') {
            let part = part.trim();
            if let Some(t) = part.strip_prefix("types=") {
                e.types = Some(t.split(',').map(|s| s.trim().to_owned()).collect());
            } else if let Some(t) = part.strip_prefix("tag=") {
                e.tag = Some(t.to_owned());
            }
        }
        Some(e)
    }

    /// Whether a comment line is ours (and so replaced when re-recording).
    pub fn is_ours(line: &str) -> bool {
        line.starts_with(PREFIX)
    }

    pub fn from_observed(type_oids: &[u32], tag: Option<&str>) -> Expect {
        Expect {
            types: (!type_oids.is_empty()).then(|| type_names(type_oids)),
            tag: tag.map(str::to_owned),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_none() && self.tag.is_none()
    }

    /// The comment line, without the leading `#`.
    pub fn to_comment(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &self.types {
            parts.push(format!("types={}", t.join(",")));
        }
        if let Some(t) = &self.tag {
            parts.push(format!("tag={t}"));
        }
        format!("{PREFIX} {}", parts.join("; "))
    }

    /// Differences between this expectation and what was observed; a side that was not
    /// observed (e.g. tags in the extended lane) is not compared.
    pub fn mismatches(&self, observed_types: &[u32], observed_tag: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(want) = &self.types
            && !observed_types.is_empty()
        {
            let got = type_names(observed_types);
            if &got != want {
                out.push(format!(
                    "column types: expected {}, got {}",
                    want.join(","),
                    got.join(",")
                ));
            }
        }
        if let (Some(want), Some(got)) = (&self.tag, observed_tag)
            && want != got
        {
            out.push(format!("command tag: expected {want:?}, got {got:?}"));
        }
        out
    }
}

/// PostgreSQL type names for OIDs (the number when the type is unknown to us).
pub fn type_names(oids: &[u32]) -> Vec<String> {
    oids.iter()
        .map(|&o| {
            types::type_name(o)
                .map(str::to_owned)
                .unwrap_or_else(|| o.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_a_comment() {
        let e = Expect {
            types: Some(vec!["int4".into(), "text".into()]),
            tag: Some("SELECT 2".into()),
        };
        let line = e.to_comment();
        assert!(Expect::is_ours(&line));
        assert_eq!(Expect::from_comment(&[line]), Some(e));
    }

    #[test]
    fn other_comments_are_not_expectations() {
        assert_eq!(Expect::from_comment(&[" just a note".into()]), None);
    }

    #[test]
    fn reports_only_observed_sides() {
        let e = Expect {
            types: Some(vec!["int4".into()]),
            tag: Some("SELECT 1".into()),
        };
        assert!(e.mismatches(&[], None).is_empty());
        assert_eq!(e.mismatches(&[], Some("SELECT 2")).len(), 1);
    }
}
