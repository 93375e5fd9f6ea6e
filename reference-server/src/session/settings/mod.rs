//! Per-session run-time parameters (GUCs): every parameter of PostgreSQL 15 ([`catalog`]),
//! values checked as PostgreSQL checks them ([`value`]), SET/SHOW/RESET semantics, and the
//! reported subset clients are told about through ParameterStatus.

mod catalog;
mod encoding;
mod value;

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use pgwire::types::format::FormatOptions;

use catalog::{Context, Guc, Kind, find};
pub use catalog::{SERVER_VERSION, SERVER_VERSION_NUM};

use crate::pgtypes::FormatSettings;
use crate::sql::SqlError;

/// One row of `pg_settings`.
pub struct SettingRow {
    pub name: String,
    /// In the base unit, as pg_settings.setting shows it.
    pub setting: String,
    pub unit: Option<String>,
    pub vartype: &'static str,
    pub context: &'static str,
    pub enumvals: Option<Vec<String>>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub boot: String,
    pub description: String,
}

/// A session's parameter values plus the reported ones changed since the last drain.
#[derive(Debug, Clone)]
pub struct Settings {
    values: BTreeMap<String, String>,
    /// Values given in the startup packet become the session's reset values, as in PostgreSQL.
    reset_values: BTreeMap<String, String>,
    pending_reports: Vec<(String, String)>,
    /// Values read on every statement, derived once per change: looking them up, converting
    /// units and parsing on each Execute showed in point-lookup profiles.
    hot: OnceCell<Hot>,
}

/// See [`Settings::hot`].
#[derive(Debug, Clone)]
struct Hot {
    format: FormatSettings,
    statement_timeout_ms: u64,
}

impl Settings {
    /// Defaults overlaid with the startup packet's parameters (`user`, `database`,
    /// `options` are not parameters and are skipped; invalid values are ignored).
    pub fn new(user: &str, startup: &HashMap<String, String>) -> Self {
        let mut s = Self {
            values: BTreeMap::new(),
            reset_values: BTreeMap::new(),
            pending_reports: Vec::new(),
            hot: OnceCell::new(),
        };
        s.values
            .insert("session_authorization".into(), user.to_owned());
        for (k, v) in startup {
            if matches!(k.as_str(), "user" | "database" | "options" | "replication") {
                continue;
            }
            if s.assign(k, v, true).is_err() {
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
        find(name).map(|g| g.default.clone())
    }

    /// Like [`Settings::get`] but with PostgreSQL's error for an unknown name.
    pub fn show(&self, name: &str) -> Result<String, SqlError> {
        self.get(name).ok_or_else(|| unrecognized(name))
    }

    /// The canonical spelling (`datestyle` → `DateStyle`), used as SHOW's column name.
    pub fn canonical_name(name: &str) -> String {
        find(name)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| name.to_ascii_lowercase())
    }

    /// SET name = value, with PostgreSQL's checks of when the parameter may change.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SqlError> {
        self.assign(name, value, false)
    }

    /// Startup-packet parameters may also set the backend-start ones (log_connections...).
    fn assign(&mut self, name: &str, value: &str, at_startup: bool) -> Result<(), SqlError> {
        let key = name.to_ascii_lowercase();
        let guc = find(name);
        match guc {
            None if !key.contains('.') => return Err(unrecognized(name)),
            Some(g) => check_context(g, at_startup)?,
            None => {}
        }
        let normalized = self.normalize(&key, guc, value)?;
        let changed = self.get(&key).as_deref() != Some(normalized.as_str());
        self.hot.take();
        self.values.insert(key, normalized.clone());
        if let Some(g) = guc.filter(|g| g.reported && changed) {
            self.pending_reports.push((g.name.clone(), normalized));
        }
        Ok(())
    }

    /// RESET name: back to the session's starting value.
    pub fn reset(&mut self, name: &str) -> Result<(), SqlError> {
        let key = name.to_ascii_lowercase();
        let guc = find(name);
        match guc {
            None if !key.contains('.') => return Err(unrecognized(name)),
            Some(g) => check_context(g, false)?,
            None => {}
        }
        let value = self
            .reset_values
            .get(&key)
            .cloned()
            .or_else(|| guc.map(|g| g.default.clone()))
            .unwrap_or_default();
        let changed = self.get(&key).as_deref() != Some(value.as_str());
        self.hot.take();
        self.values.insert(key, value.clone());
        if let Some(g) = guc.filter(|g| g.reported && changed) {
            self.pending_reports.push((g.name.clone(), value));
        }
        Ok(())
    }

    /// RESET ALL: every parameter a session may change back to its starting value.
    pub fn reset_all(&mut self) {
        for g in catalog::all() {
            if matches!(g.context, Context::User | Context::Superuser) {
                let _ = self.reset(&g.name);
            }
        }
        self.hot.take();
        self.values.retain(|k, _| !k.contains('.'));
    }

    /// `SHOW ALL` rows: (name, setting, description).
    pub fn all(&self) -> Vec<(String, String, String)> {
        let mut rows: Vec<(String, String, String)> = catalog::all()
            .iter()
            .filter(|g| !g.hidden)
            .map(|g| {
                (
                    g.name.clone(),
                    self.get(&g.name).unwrap_or_default(),
                    g.description.clone(),
                )
            })
            .collect();
        for (k, v) in self.values.iter().filter(|(k, _)| k.contains('.')) {
            rows.push((k.clone(), v.clone(), String::new()));
        }
        rows.sort_by_key(|r| r.0.to_ascii_lowercase());
        rows
    }

    /// `pg_settings` rows: every parameter with its current value in its base unit.
    pub fn pg_settings(&self) -> Vec<SettingRow> {
        catalog::all()
            .iter()
            .filter(|g| !g.hidden)
            .map(|g| {
                let shown = self.get(&g.name).unwrap_or_default();
                let (vartype, enumvals, min, max) = match &g.kind {
                    Kind::Bool => ("bool", None, None, None),
                    Kind::Integer { min, max } => (
                        "integer",
                        None,
                        Some(min.to_string()),
                        Some(max.to_string()),
                    ),
                    Kind::Real { min, max } => {
                        ("real", None, Some(value::c_g(*min)), Some(value::c_g(*max)))
                    }
                    Kind::Enum(v) => ("enum", Some(v.clone()), None, None),
                    Kind::String => ("string", None, None, None),
                };
                SettingRow {
                    name: g.name.clone(),
                    setting: value::base_value(g, &shown),
                    unit: g.unit.clone(),
                    vartype,
                    context: g.context.name(),
                    enumvals,
                    min,
                    max,
                    boot: g.boot.clone(),
                    description: g.description.clone(),
                }
            })
            .collect()
    }

    /// Startup ParameterStatus values (PostgreSQL 15 sends exactly the GUC_REPORT set).
    pub fn reported(&self) -> Vec<(String, String)> {
        catalog::all()
            .iter()
            .filter(|g| g.reported)
            .map(|g| (g.name.clone(), self.get(&g.name).unwrap_or_default()))
            .collect()
    }

    /// Installs `other`'s values (those of a rolled-back or ended transaction), queueing a
    /// ParameterStatus for each reported parameter whose value changes.
    pub fn restore(&mut self, other: Settings) {
        for g in catalog::all().iter().filter(|g| g.reported) {
            let new = other.get(&g.name);
            if let Some(v) = new.filter(|v| self.get(&g.name).as_ref() != Some(v)) {
                self.pending_reports.push((g.name.clone(), v));
            }
        }
        self.hot.take();
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
        self.hot().statement_timeout_ms
    }

    /// The output options of DataRow encoding (DateStyle, IntervalStyle, TimeZone...).
    pub fn format_settings(&self) -> FormatSettings {
        self.hot().format.clone()
    }

    fn hot(&self) -> &Hot {
        self.hot.get_or_init(|| {
            let d = FormatSettings::default();
            let shown = self.get("statement_timeout").unwrap_or_default();
            Hot {
                format: FormatSettings {
                    date_style: self.get("DateStyle").unwrap_or(d.date_style),
                    interval_style: self.get("IntervalStyle").unwrap_or(d.interval_style),
                    time_zone: self.get("TimeZone").unwrap_or(d.time_zone),
                    extra_float_digits: self
                        .get("extra_float_digits")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(d.extra_float_digits),
                    bytea_output: self.get("bytea_output").unwrap_or(d.bytea_output),
                },
                statement_timeout_ms: find("statement_timeout")
                    .and_then(|g| value::base_value(g, &shown).parse().ok())
                    .unwrap_or(0),
            }
        })
    }

    /// The value as stored and shown: special forms for the parameters PostgreSQL checks
    /// with hooks, the type's generic check for the rest.
    fn normalize(&self, key: &str, guc: Option<&Guc>, value: &str) -> Result<String, SqlError> {
        let invalid = || invalid_value(key, value);
        Ok(match key {
            "datestyle" => normalize_datestyle(&self.get("DateStyle").unwrap_or_default(), value)
                .map_err(|detail| invalid().with_detail(detail))?,
            "timezone" => normalize_timezone(value).ok_or_else(invalid)?,
            "client_encoding" => {
                encoding::check_client_encoding(value).map_err(|refusal| match refusal {
                    encoding::Refusal::Unknown => invalid(),
                    encoding::Refusal::NoConversion(name) => {
                        SqlError::new("0A000", invalid().message).with_detail(format!(
                            "Conversion between {name} and UTF8 is not supported."
                        ))
                    }
                })?
            }
            "standard_conforming_strings" => match value::parse_bool(value) {
                Some(true) => "on".to_owned(),
                Some(false) => "off".to_owned(),
                None => return Err(invalid()),
            },
            _ => match guc {
                Some(g) => value::check(g, value)?,
                None => value.to_owned(),
            },
        })
    }
}

/// PostgreSQL's refusals to change a parameter outside its context (guc.c).
fn check_context(g: &Guc, at_startup: bool) -> Result<(), SqlError> {
    let why = match g.context {
        Context::Internal => "cannot be changed",
        Context::Postmaster => "cannot be changed without restarting the server",
        Context::Sighup => "cannot be changed now",
        Context::Backend | Context::SuperuserBackend if !at_startup => {
            "cannot be set after connection start"
        }
        Context::Backend | Context::SuperuserBackend | Context::Superuser | Context::User => {
            return Ok(());
        }
    };
    Err(SqlError::new(
        "55P02",
        format!("parameter \"{}\" {why}", g.name.to_ascii_lowercase()),
    ))
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
        format!(
            "invalid value for parameter \"{}\": \"{value}\"",
            Settings::canonical_name(key)
        ),
    )
}

/// Merge a DateStyle assignment into the current value, as PostgreSQL's check_datestyle does;
/// the error is its DETAIL line.
fn normalize_datestyle(current: &str, value: &str) -> Result<String, String> {
    let mut style = current.split(',').next().unwrap_or("ISO").trim().to_owned();
    let mut order = current.split(',').nth(1).unwrap_or("MDY").trim().to_owned();
    let mut have_order = false;
    let mut have_style = false;
    let mut german = false;
    let conflict = || "Conflicting \"datestyle\" specifications.".to_owned();
    for tok in value
        .split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let upper = tok.to_ascii_uppercase();
        let new_style = match upper.as_str() {
            "ISO" => Some("ISO"),
            "SQL" => Some("SQL"),
            "POSTGRES" => Some("Postgres"),
            "GERMAN" => Some("German"),
            _ => None,
        };
        let new_order = match upper.as_str() {
            "YMD" => Some("YMD"),
            "DMY" | "EURO" | "EUROPEAN" => Some("DMY"),
            "MDY" | "US" | "NONEURO" | "NONEUROPEAN" => Some("MDY"),
            _ => None,
        };
        if let Some(st) = new_style {
            if have_style && style != st {
                return Err(conflict());
            }
            (style, have_style) = (st.to_owned(), true);
            german |= st == "German";
        } else if let Some(o) = new_order {
            if have_order && order != o {
                return Err(conflict());
            }
            (order, have_order) = (o.to_owned(), true);
        } else if upper == "DEFAULT" {
            style = "ISO".into();
            order = "MDY".into();
        } else {
            return Err(format!("Unrecognized key word: \"{tok}\"."));
        }
    }
    if german && !have_order {
        order = "DMY".into();
    }
    Ok(format!("{style}, {order}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datestyle_merges_like_postgres() {
        assert_eq!(
            normalize_datestyle("ISO, MDY", "German").as_deref(),
            Ok("German, DMY")
        );
        assert_eq!(
            normalize_datestyle("ISO, MDY", "SQL").as_deref(),
            Ok("SQL, MDY")
        );
        assert_eq!(
            normalize_datestyle("ISO, MDY", "ymd").as_deref(),
            Ok("ISO, YMD")
        );
        assert_eq!(
            normalize_datestyle("ISO, MDY", "nonsense"),
            Err("Unrecognized key word: \"nonsense\".".to_owned())
        );
        assert_eq!(
            normalize_datestyle("ISO, MDY", "ISO, YMD, DMY"),
            Err("Conflicting \"datestyle\" specifications.".to_owned())
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
