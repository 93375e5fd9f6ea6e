//! Per-session run-time parameters (GUCs): defaults like PostgreSQL 15, SET/SHOW/RESET
//! semantics, and the subset clients expect to be told about through ParameterStatus.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use pgwire::types::format::FormatOptions;

use crate::sql::SqlError;

/// One known parameter: canonical spelling, default, whether it is GUC_REPORT, description.
struct Def {
    name: &'static str,
    default: &'static str,
    reported: bool,
    description: &'static str,
}

const fn def(
    name: &'static str,
    default: &'static str,
    reported: bool,
    description: &'static str,
) -> Def {
    Def {
        name,
        default,
        reported,
        description,
    }
}

/// The advertised server version; clients pick catalog queries by it.
pub const SERVER_VERSION: &str = "15.0";
pub const SERVER_VERSION_NUM: &str = "150000";

const DEFS: &[Def] = &[
    def(
        "application_name",
        "",
        true,
        "Sets the application name to be reported in statistics and logs.",
    ),
    def(
        "bytea_output",
        "hex",
        false,
        "Sets the output format for bytea.",
    ),
    def(
        "client_encoding",
        "UTF8",
        true,
        "Sets the client's character set encoding.",
    ),
    def(
        "client_min_messages",
        "notice",
        false,
        "Sets the message levels that are sent to the client.",
    ),
    def(
        "DateStyle",
        "ISO, MDY",
        true,
        "Sets the display format for date and time values.",
    ),
    def(
        "default_transaction_isolation",
        "read committed",
        false,
        "Sets the transaction isolation level of each new transaction.",
    ),
    def(
        "default_transaction_read_only",
        "off",
        true,
        "Sets the default read-only status of new transactions.",
    ),
    def(
        "extra_float_digits",
        "1",
        false,
        "Sets the number of digits displayed for floating-point values.",
    ),
    def(
        "idle_in_transaction_session_timeout",
        "0",
        false,
        "Sets the maximum allowed idle time between queries, when in a transaction.",
    ),
    def(
        "in_hot_standby",
        "off",
        true,
        "Shows whether hot standby is currently active.",
    ),
    def(
        "integer_datetimes",
        "on",
        true,
        "Shows whether datetimes are integer based.",
    ),
    def(
        "IntervalStyle",
        "postgres",
        true,
        "Sets the display format for interval values.",
    ),
    def(
        "is_superuser",
        "on",
        true,
        "Shows whether the current user is a superuser.",
    ),
    def("jit", "off", false, "Allow JIT compilation."),
    def(
        "lc_messages",
        "C",
        false,
        "Sets the language in which messages are displayed.",
    ),
    def(
        "lc_monetary",
        "C",
        false,
        "Sets the locale for formatting monetary amounts.",
    ),
    def(
        "lc_numeric",
        "C",
        false,
        "Sets the locale for formatting numbers.",
    ),
    def(
        "lc_time",
        "C",
        false,
        "Sets the locale for formatting date and time values.",
    ),
    def(
        "lock_timeout",
        "0",
        false,
        "Sets the maximum allowed duration of any wait for a lock.",
    ),
    def(
        "max_identifier_length",
        "63",
        false,
        "Shows the maximum identifier length.",
    ),
    def("row_security", "on", false, "Enable row security."),
    def(
        "search_path",
        "\"$user\", public",
        false,
        "Sets the schema search order for names that are not schema-qualified.",
    ),
    def(
        "server_encoding",
        "UTF8",
        true,
        "Shows the server (database) character set encoding.",
    ),
    def(
        "server_version",
        SERVER_VERSION,
        true,
        "Shows the server version.",
    ),
    def(
        "server_version_num",
        SERVER_VERSION_NUM,
        false,
        "Shows the server version as an integer.",
    ),
    def(
        "session_authorization",
        "postgres",
        true,
        "Sets the session user name.",
    ),
    def(
        "standard_conforming_strings",
        "on",
        true,
        "Causes '...' strings to treat backslashes literally.",
    ),
    def(
        "statement_timeout",
        "0",
        false,
        "Sets the maximum allowed duration of any statement.",
    ),
    def(
        "synchronous_commit",
        "on",
        false,
        "Sets the current transaction's synchronization level.",
    ),
    def(
        "TimeZone",
        "Etc/UTC",
        true,
        "Sets the time zone for displaying and interpreting time stamps.",
    ),
    def(
        "transaction_isolation",
        "read committed",
        false,
        "Sets the current transaction's isolation level.",
    ),
    def(
        "transaction_read_only",
        "off",
        false,
        "Sets the current transaction's read-only status.",
    ),
    def(
        "work_mem",
        "4MB",
        false,
        "Sets the maximum memory to be used for query workspaces.",
    ),
];

/// Parameters a client may not SET (PostgreSQL: "cannot be changed").
const READ_ONLY: &[&str] = &[
    "server_version",
    "server_version_num",
    "server_encoding",
    "integer_datetimes",
    "in_hot_standby",
    "is_superuser",
    "max_identifier_length",
];

fn find(name: &str) -> Option<&'static Def> {
    DEFS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// A session's parameter values plus the reported ones changed since the last drain.
#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<String, String>,
    /// Values given in the startup packet become the session's reset values, as in PostgreSQL.
    reset_values: BTreeMap<String, String>,
    pending_reports: Vec<(String, String)>,
}

impl Settings {
    /// Defaults overlaid with the startup packet's parameters (`user`, `database`,
    /// `options` are not parameters and are skipped; invalid values are ignored).
    pub fn new(user: &str, startup: &HashMap<String, String>) -> Self {
        let mut s = Self {
            values: BTreeMap::new(),
            reset_values: BTreeMap::new(),
            pending_reports: Vec::new(),
        };
        s.values
            .insert("session_authorization".into(), user.to_owned());
        for (k, v) in startup {
            if matches!(k.as_str(), "user" | "database" | "options" | "replication") {
                continue;
            }
            if s.set(k, v).is_err() {
                tracing::debug!("ignoring startup parameter {k}={v}");
            }
        }
        s.reset_values = s.values.clone();
        s.pending_reports.clear();
        s
    }

    /// The current value, `None` for an unknown parameter.
    pub fn get(&self, name: &str) -> Option<String> {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.values.get(&key) {
            return Some(v.clone());
        }
        find(name).map(|d| d.default.to_owned())
    }

    /// Like [`Settings::get`] but with PostgreSQL's error for an unknown name.
    pub fn show(&self, name: &str) -> Result<String, SqlError> {
        self.get(name).ok_or_else(|| unrecognized(name))
    }

    /// The canonical spelling (`datestyle` → `DateStyle`), used as SHOW's column name.
    pub fn canonical_name(name: &str) -> String {
        find(name)
            .map(|d| d.name.to_owned())
            .unwrap_or_else(|| name.to_ascii_lowercase())
    }

    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SqlError> {
        let key = name.to_ascii_lowercase();
        let def = find(name);
        if def.is_none() && !key.contains('.') {
            return Err(unrecognized(name));
        }
        if READ_ONLY.contains(&key.as_str()) {
            return Err(SqlError::new(
                "55P02",
                format!("parameter \"{key}\" cannot be changed"),
            ));
        }
        let normalized = self.normalize(&key, value)?;
        let changed = self.get(&key).as_deref() != Some(normalized.as_str());
        self.values.insert(key, normalized.clone());
        if let Some(d) = def.filter(|d| d.reported && changed) {
            self.pending_reports.push((d.name.to_owned(), normalized));
        }
        Ok(())
    }

    /// RESET name: back to the session's starting value.
    pub fn reset(&mut self, name: &str) -> Result<(), SqlError> {
        let key = name.to_ascii_lowercase();
        if find(name).is_none() && !key.contains('.') {
            return Err(unrecognized(name));
        }
        let value = self
            .reset_values
            .get(&key)
            .cloned()
            .or_else(|| find(name).map(|d| d.default.to_owned()))
            .unwrap_or_default();
        let changed = self.get(&key).as_deref() != Some(value.as_str());
        self.values.insert(key, value.clone());
        if let Some(d) = find(name).filter(|d| d.reported && changed) {
            self.pending_reports.push((d.name.to_owned(), value));
        }
        Ok(())
    }

    pub fn reset_all(&mut self) {
        let names: Vec<String> = DEFS.iter().map(|d| d.name.to_owned()).collect();
        for n in names {
            if !READ_ONLY.contains(&n.to_ascii_lowercase().as_str()) {
                let _ = self.reset(&n);
            }
        }
        self.values.retain(|k, _| !k.contains('.'));
    }

    /// `SHOW ALL` rows: (name, setting, description).
    pub fn all(&self) -> Vec<(String, String, String)> {
        let mut rows: Vec<(String, String, String)> = DEFS
            .iter()
            .map(|d| {
                (
                    d.name.to_owned(),
                    self.get(d.name).unwrap_or_default(),
                    d.description.to_owned(),
                )
            })
            .collect();
        for (k, v) in self.values.iter().filter(|(k, _)| k.contains('.')) {
            rows.push((k.clone(), v.clone(), String::new()));
        }
        rows.sort_by_key(|r| r.0.to_ascii_lowercase());
        rows
    }

    /// Startup ParameterStatus values (PostgreSQL 15 sends exactly the GUC_REPORT set).
    pub fn reported(&self) -> Vec<(String, String)> {
        DEFS.iter()
            .filter(|d| d.reported)
            .map(|d| (d.name.to_owned(), self.get(d.name).unwrap_or_default()))
            .collect()
    }

    /// Installs `other`'s values (those of a rolled-back or ended transaction), queueing a
    /// ParameterStatus for each reported parameter whose value changes.
    pub fn restore(&mut self, other: Settings) {
        for d in DEFS.iter().filter(|d| d.reported) {
            let new = other.get(d.name);
            if let Some(v) = new.filter(|v| self.get(d.name).as_ref() != Some(v)) {
                self.pending_reports.push((d.name.to_owned(), v));
            }
        }
        self.values = other.values;
        self.reset_values = other.reset_values;
    }

    /// Reported parameters changed since the last call (sent as ParameterStatus).
    pub fn take_reports(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.pending_reports)
    }

    /// Text-output options derived from DateStyle, IntervalStyle, extra_float_digits...
    pub fn format_options(&self) -> FormatOptions {
        let mut f = FormatOptions::default();
        f.date_style = self.get("DateStyle").unwrap_or_default();
        f.interval_style = self.get("IntervalStyle").unwrap_or_default();
        f.bytea_output = self.get("bytea_output").unwrap_or_default();
        f.time_zone = self.get("TimeZone").unwrap_or_default();
        f.extra_float_digits = self
            .get("extra_float_digits")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        f
    }

    /// `statement_timeout` in milliseconds (0 = none).
    pub fn statement_timeout_ms(&self) -> u64 {
        self.get("statement_timeout")
            .and_then(|v| parse_duration_ms(&v))
            .unwrap_or(0)
    }

    fn normalize(&self, key: &str, value: &str) -> Result<String, SqlError> {
        let invalid = || invalid_value(key, value);
        Ok(match key {
            "datestyle" => normalize_datestyle(&self.get("DateStyle").unwrap_or_default(), value)
                .ok_or_else(invalid)?,
            "timezone" => normalize_timezone(value).ok_or_else(invalid)?,
            "intervalstyle" => {
                let v = value.to_ascii_lowercase();
                match v.as_str() {
                    "postgres" | "postgres_verbose" | "sql_standard" | "iso_8601" => v,
                    _ => return Err(invalid()),
                }
            }
            "client_encoding" => {
                let v = value.to_ascii_uppercase().replace(['-', '_'], "");
                match v.as_str() {
                    "UTF8" | "UNICODE" => "UTF8".to_owned(),
                    "SQLASCII" => "SQL_ASCII".to_owned(),
                    _ => {
                        return Err(SqlError::new(
                            "0A000",
                            format!("conversion between {value} and UTF8 is not supported"),
                        ));
                    }
                }
            }
            "extra_float_digits" => {
                let n: i32 = value.trim().parse().map_err(|_| {
                    SqlError::new(
                        "22023",
                        format!("invalid value for parameter \"extra_float_digits\": \"{value}\""),
                    )
                    .with_detail("")
                })?;
                if !(-15..=3).contains(&n) {
                    return Err(SqlError::new(
                        "22023",
                        format!(
                            "{n} is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)"
                        ),
                    ));
                }
                n.to_string()
            }
            "bytea_output" => match value.to_ascii_lowercase().as_str() {
                v @ ("hex" | "escape") => v.to_owned(),
                _ => return Err(invalid()),
            },
            "statement_timeout" | "lock_timeout" | "idle_in_transaction_session_timeout" => {
                format_duration_ms(parse_duration_ms(value).ok_or_else(invalid)?)
            }
            "standard_conforming_strings" => match bool_value(value) {
                Some(true) => "on".to_owned(),
                // PostgreSQL allows off; this server's string parsing is always conforming.
                Some(false) => {
                    return Err(SqlError::unsupported(
                        "standard_conforming_strings = off is not supported",
                    ));
                }
                None => return Err(invalid()),
            },
            "default_transaction_read_only" | "transaction_read_only" | "jit" | "row_security" => {
                match bool_value(value) {
                    Some(true) => "on".to_owned(),
                    Some(false) => "off".to_owned(),
                    None => return Err(invalid()),
                }
            }
            _ => value.to_owned(),
        })
    }
}

fn unrecognized(name: &str) -> SqlError {
    SqlError::new(
        "42704",
        format!(
            "unrecognized configuration parameter \"{}\"",
            name.to_ascii_lowercase()
        ),
    )
}

fn invalid_value(key: &str, value: &str) -> SqlError {
    SqlError::new(
        "22023",
        format!("invalid value for parameter \"{key}\": \"{value}\""),
    )
}

fn bool_value(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" | "t" | "y" => Some(true),
        "off" | "false" | "no" | "0" | "f" | "n" => Some(false),
        _ => None,
    }
}

/// Merge a DateStyle assignment into the current value, as PostgreSQL's check_datestyle does.
fn normalize_datestyle(current: &str, value: &str) -> Option<String> {
    let mut style = current.split(',').next().unwrap_or("ISO").trim().to_owned();
    let mut order = current.split(',').nth(1).unwrap_or("MDY").trim().to_owned();
    let mut have_order = false;
    let mut german = false;
    for tok in value
        .split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match tok.to_ascii_uppercase().as_str() {
            "ISO" => style = "ISO".into(),
            "SQL" => style = "SQL".into(),
            "POSTGRES" => style = "Postgres".into(),
            "GERMAN" => {
                style = "German".into();
                german = true;
            }
            "YMD" => (order, have_order) = ("YMD".into(), true),
            "DMY" | "EURO" | "EUROPEAN" => (order, have_order) = ("DMY".into(), true),
            "MDY" | "US" | "NONEURO" | "NONEUROPEAN" => (order, have_order) = ("MDY".into(), true),
            "DEFAULT" => {
                style = "ISO".into();
                order = "MDY".into();
            }
            _ => return None,
        }
    }
    if german && !have_order {
        order = "DMY".into();
    }
    Some(format!("{style}, {order}"))
}

fn normalize_timezone(value: &str) -> Option<String> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("default") || v.eq_ignore_ascii_case("local") {
        return Some("Etc/UTC".to_owned());
    }
    if v.eq_ignore_ascii_case("utc") {
        return Some("UTC".to_owned());
    }
    if let Some(tz) = chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(v))
    {
        return Some(tz.name().to_owned());
    }
    // Numeric offsets are hours east of UTC in SET TIME ZONE; PostgreSQL shows them POSIX-style.
    if let Ok(hours) = f64::from_str(v)
        && hours.abs() <= 15.0
        && hours.fract() == 0.0
    {
        let h = hours as i64;
        let sign = if h < 0 { '-' } else { '+' };
        let posix = if h <= 0 { '+' } else { '-' };
        return Some(format!("<{sign}{:02}>{posix}{:02}", h.abs(), h.abs()));
    }
    None
}

/// Parse `1000`, `1s`, `250ms`, `2min`, `1h` into milliseconds.
fn parse_duration_ms(v: &str) -> Option<u64> {
    let v = v.trim().trim_matches('\'').trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: u64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "" | "ms" => 1,
        "s" => 1000,
        "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

fn format_duration_ms(ms: u64) -> String {
    match ms {
        0 => "0".to_owned(),
        ms if ms % 86_400_000 == 0 => format!("{}d", ms / 86_400_000),
        ms if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{}min", ms / 60_000),
        ms if ms % 1000 == 0 => format!("{}s", ms / 1000),
        ms => format!("{ms}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datestyle_merges_like_postgres() {
        assert_eq!(
            normalize_datestyle("ISO, MDY", "German").as_deref(),
            Some("German, DMY")
        );
        assert_eq!(
            normalize_datestyle("ISO, MDY", "SQL").as_deref(),
            Some("SQL, MDY")
        );
        assert_eq!(
            normalize_datestyle("ISO, MDY", "ymd").as_deref(),
            Some("ISO, YMD")
        );
    }

    #[test]
    fn durations_round_trip() {
        assert_eq!(
            format_duration_ms(parse_duration_ms("1500").unwrap_or(0)),
            "1500ms"
        );
        assert_eq!(
            format_duration_ms(parse_duration_ms("60s").unwrap_or(0)),
            "1min"
        );
    }

    #[test]
    fn reported_change_is_queued_once() {
        let mut s = Settings::new("u", &HashMap::new());
        assert!(s.set("timezone", "utc").is_ok());
        assert_eq!(
            s.take_reports(),
            vec![("TimeZone".to_owned(), "UTC".to_owned())]
        );
        assert!(s.take_reports().is_empty());
        assert_eq!(s.set("nope", "1").map_err(|e| e.code), Err("42704"));
    }
}
