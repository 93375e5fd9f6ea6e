//! The session settings that change how PostgreSQL prints values.

use std::collections::BTreeMap;

use super::RenderError;

/// Session settings that affect text output. Field values use PostgreSQL's own spelling, as
/// `SHOW` or a ParameterStatus message reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderContext {
    /// The `TimeZone` setting: a zone name (`Europe/Berlin`) or a POSIX spec (`<+02>-02`).
    pub time_zone: String,
    /// `extra_float_digits`: >= 1 means shortest round-trip output (PostgreSQL 12+ default).
    pub extra_float_digits: i32,
    /// `DateStyle`, e.g. `ISO, MDY` or `Postgres, DMY`.
    pub date_style: String,
    /// `IntervalStyle`: `postgres`, `postgres_verbose`, `sql_standard` or `iso_8601`.
    pub interval_style: String,
    /// `bytea_output`: `hex` or `escape`.
    pub bytea_output: String,
}

impl Default for RenderContext {
    fn default() -> Self {
        Self {
            time_zone: "UTC".to_string(),
            extra_float_digits: 1,
            date_style: "ISO, MDY".to_string(),
            interval_style: "postgres".to_string(),
            bytea_output: "hex".to_string(),
        }
    }
}

impl RenderContext {
    /// Builds a context from ParameterStatus-style settings (`TimeZone`, `DateStyle`,
    /// `IntervalStyle`, plus `extra_float_digits` and `bytea_output` if the caller tracked
    /// them: PostgreSQL does not report those two). Keys match case-insensitively; missing or
    /// unparsable ones keep their defaults.
    pub fn from_server_params(params: &BTreeMap<String, String>) -> Self {
        let mut ctx = Self::default();
        for (key, value) in params {
            match key.to_ascii_lowercase().as_str() {
                "timezone" => ctx.time_zone = value.clone(),
                "datestyle" => ctx.date_style = value.clone(),
                "intervalstyle" => ctx.interval_style = value.clone(),
                "bytea_output" => ctx.bytea_output = value.clone(),
                "extra_float_digits" => {
                    if let Ok(n) = value.trim().parse() {
                        ctx.extra_float_digits = n;
                    }
                }
                _ => {}
            }
        }
        ctx
    }

    /// DateStyle's output style and whether days come before months (`DMY`).
    pub(crate) fn date_output(&self) -> Result<(DateOutput, bool), RenderError> {
        let mut style = DateOutput::Iso;
        let mut day_first = false;
        for token in self.date_style.split([',', ' ']).filter(|t| !t.is_empty()) {
            match token.to_ascii_lowercase().as_str() {
                "iso" => style = DateOutput::Iso,
                "sql" => style = DateOutput::Sql,
                "postgres" => style = DateOutput::Postgres,
                "german" => style = DateOutput::German,
                "dmy" | "euro" | "european" => day_first = true,
                "mdy" | "ymd" | "us" | "noneuro" | "noneuropean" => day_first = false,
                _ => {
                    return Err(RenderError::Unsupported(format!(
                        "DateStyle {}",
                        self.date_style
                    )));
                }
            }
        }
        Ok((style, day_first))
    }
}

/// DateStyle's output part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateOutput {
    Iso,
    Sql,
    Postgres,
    German,
}
