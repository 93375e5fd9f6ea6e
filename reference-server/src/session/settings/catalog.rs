//! PostgreSQL 15's run-time parameters, as `pg_settings` of a fresh PostgreSQL 15 cluster
//! lists them (`pg15.tsv`), so that every parameter a client may SET or SHOW exists with
//! PostgreSQL's type, unit, range, context and default.
//!
//! `pg15.tsv` is recorded from PostgreSQL, never edited by hand: columns are name, default
//! (the cluster's value; `boot_val` where it was the throwaway cluster's own choice), unit,
//! vartype, context, enumvals (comma-joined), min_val, max_val, boot_val, short_desc, in the
//! text format of `COPY ... TO STDOUT`. The test `tests/settings.rs` re-reads pg_settings
//! from a real PostgreSQL 15 and checks the file against it.

use std::sync::LazyLock;

/// The advertised server version; clients pick catalog queries by it.
pub const SERVER_VERSION: &str = "15.0";
pub const SERVER_VERSION_NUM: &str = "150000";

/// Parameters PostgreSQL 15 marks GUC_REPORT: sent as ParameterStatus at startup and when
/// they change (protocol documentation, "ParameterStatus").
const REPORTED: &[&str] = &[
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "TimeZone",
];

/// What this server says differently from the recorded cluster.
const OVERRIDES: &[(&str, &str)] = &[
    ("server_version", SERVER_VERSION),
    ("server_version_num", SERVER_VERSION_NUM),
];

/// Parameters PostgreSQL keeps out of pg_settings and SHOW ALL (GUC_NO_SHOW_ALL) but shows
/// by name: (name, default, kind, context).
const HIDDEN: &[(&str, &str, Hidden, Context)] = &[
    ("is_superuser", "on", Hidden::Text, Context::Internal),
    ("role", "none", Hidden::Text, Context::User),
    ("seed", "0", Hidden::Unit, Context::User),
    (
        "session_authorization",
        "postgres",
        Hidden::Text,
        Context::Superuser,
    ),
];

/// The kinds of hidden parameters: text, or a real in -1 .. 1 (`seed`).
#[derive(Clone, Copy)]
enum Hidden {
    Text,
    Unit,
}

/// A parameter's value type, with what checking a value needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Bool,
    Integer { min: i64, max: i64 },
    Real { min: f64, max: f64 },
    Enum(Vec<String>),
    String,
}

/// When a parameter may be changed (pg_settings.context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Internal,
    Postmaster,
    Sighup,
    SuperuserBackend,
    Backend,
    Superuser,
    User,
}

/// One parameter of PostgreSQL 15.
#[derive(Debug, Clone)]
pub struct Guc {
    pub name: String,
    /// As SHOW prints it.
    pub default: String,
    /// pg_settings.boot_val, as recorded.
    pub boot: String,
    pub unit: Option<String>,
    pub kind: Kind,
    pub context: Context,
    pub reported: bool,
    /// Not listed by pg_settings / SHOW ALL.
    pub hidden: bool,
    pub description: String,
}

impl Context {
    /// pg_settings.context.
    pub fn name(self) -> &'static str {
        match self {
            Context::Internal => "internal",
            Context::Postmaster => "postmaster",
            Context::Sighup => "sighup",
            Context::SuperuserBackend => "superuser-backend",
            Context::Backend => "backend",
            Context::Superuser => "superuser",
            Context::User => "user",
        }
    }
}

static GUCS: LazyLock<Vec<Guc>> = LazyLock::new(|| {
    let mut all: Vec<Guc> = include_str!("pg15.tsv")
        .lines()
        .filter_map(parse_line)
        .collect();
    all.extend(HIDDEN.iter().map(|(name, default, kind, context)| Guc {
        name: (*name).to_owned(),
        default: (*default).to_owned(),
        boot: (*default).to_owned(),
        unit: None,
        kind: match kind {
            Hidden::Text => Kind::String,
            Hidden::Unit => Kind::Real {
                min: -1.0,
                max: 1.0,
            },
        },
        context: *context,
        reported: REPORTED.contains(name),
        hidden: true,
        description: String::new(),
    }));
    all
});

/// Every parameter, in pg_settings order (by name).
pub fn all() -> &'static [Guc] {
    &GUCS
}

/// A parameter by name, case-insensitively as PostgreSQL looks them up.
pub fn find(name: &str) -> Option<&'static Guc> {
    match BY_NAME.get(name) {
        Some(i) => GUCS.get(*i),
        None => BY_NAME
            .get(name.to_ascii_lowercase().as_str())
            .and_then(|i| GUCS.get(*i)),
    }
}

/// Lower-case name → position in [`GUCS`]: `find` runs several times per statement
/// (output format, statement_timeout), too often for a scan of ~350 names.
static BY_NAME: LazyLock<std::collections::HashMap<String, usize>> = LazyLock::new(|| {
    let mut map = std::collections::HashMap::with_capacity(GUCS.len());
    for (i, g) in GUCS.iter().enumerate() {
        // The first of two spellings wins, as the scan this replaces found it first.
        map.entry(g.name.to_ascii_lowercase()).or_insert(i);
    }
    map
});

fn parse_line(line: &str) -> Option<Guc> {
    let f: Vec<String> = line.split('\t').map(unescape).collect();
    let [
        name,
        default,
        unit,
        vartype,
        context,
        enumvals,
        min,
        max,
        boot,
        desc,
    ] = f.as_slice()
    else {
        return None;
    };
    let kind = match vartype.as_str() {
        "bool" => Kind::Bool,
        "integer" => Kind::Integer {
            min: min.parse().ok()?,
            max: max.parse().ok()?,
        },
        "real" => Kind::Real {
            min: min.parse().ok()?,
            max: max.parse().ok()?,
        },
        "enum" => Kind::Enum(enumvals.split(',').map(str::to_owned).collect()),
        _ => Kind::String,
    };
    let context = match context.as_str() {
        "internal" => Context::Internal,
        "postmaster" => Context::Postmaster,
        "sighup" => Context::Sighup,
        "superuser-backend" => Context::SuperuserBackend,
        "backend" => Context::Backend,
        "superuser" => Context::Superuser,
        _ => Context::User,
    };
    let mut guc = Guc {
        reported: REPORTED.contains(&name.as_str()),
        hidden: false,
        name: name.clone(),
        default: String::new(),
        boot: boot.clone(),
        unit: (!unit.is_empty()).then(|| unit.clone()),
        kind,
        context,
        description: desc.clone(),
    };
    // Defaults are recorded in the base unit; SHOW prints them in its own form.
    guc.default = match OVERRIDES.iter().find(|(n, _)| n == name) {
        Some((_, v)) => (*v).to_owned(),
        None => super::value::check(&guc, default).unwrap_or_else(|_| default.clone()),
    };
    Some(guc)
}

/// Undoes COPY text escaping (`\\`, `\t`, `\n`, `\r`).
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_table_parses_whole() {
        let listed = all().iter().filter(|g| !g.hidden).count();
        assert_eq!(listed, include_str!("pg15.tsv").lines().count());
        let reported = all().iter().filter(|g| g.reported).count();
        assert_eq!(reported, REPORTED.len());
        assert!(matches!(
            find("WORK_MEM").map(|g| (&g.kind, g.unit.as_deref())),
            Some((Kind::Integer { min: 64, .. }, Some("kB")))
        ));
        assert_eq!(
            find("server_version").map(|g| g.default.as_str()),
            Some(SERVER_VERSION)
        );
        assert_eq!(find("work_mem").map(|g| g.default.as_str()), Some("4MB"));
    }
}
