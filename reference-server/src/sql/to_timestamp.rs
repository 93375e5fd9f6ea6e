//! `to_date(text, template)` and `to_timestamp(text, template)` with PostgreSQL's template
//! patterns (`DD Mon YYYY`, `YYYYMMDD`, `HH24:MI:SS`, ...); DataFusion's take chrono
//! patterns. The one-argument `to_timestamp(epoch)` stays DataFusion's. Like PostgreSQL
//! outside FX mode, a template separator matches any one separator in the input (or none),
//! and spaces before a field are skipped. `to_timestamp` reads the fields as local time in
//! the session's TimeZone.

use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};

use super::pg_udf::{sql_err, text};
use crate::pgtypes::{SessionTz, date2j};
use crate::session::lock;
use crate::session::settings::Settings;

pub const TO_DATE_FN: &str = "pg_to_date";
pub const TO_TIMESTAMP_FN: &str = "pg_to_timestamp";

const UNIX_EPOCH_JD: i64 = 2_440_588;
use crate::pgtypes::MONTH_NAMES as MONTHS;
const DAYS: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

/// Template fields, longest spelling first so `HH24` wins over `HH`.
const FIELDS: [&str; 22] = [
    "MONTH", "HH24", "HH12", "YYYY", "A.M.", "P.M.", "DAY", "MON", "DDD", "YYY", "HH", "MI", "SS",
    "MS", "US", "YY", "MM", "DD", "DY", "AM", "PM", "Y",
];

/// The fields read so far.
#[derive(Debug, Default)]
struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    doy: Option<i64>,
    hour: i64,
    hour12: bool,
    pm: Option<bool>,
    min: i64,
    sec: i64,
    usec: i64,
}

fn invalid(value: &str, field: &str) -> datafusion::common::DataFusionError {
    sql_err(
        "22007",
        format!("invalid value \"{value}\" for \"{field}\""),
    )
}

fn out_of_range(input: &str, ty: &str) -> datafusion::common::DataFusionError {
    sql_err(
        "22008",
        format!("date/time field value out of range: \"{input}\" for type {ty}"),
    )
}

/// Reads up to `width` digits (all of them when `width` is 0) after optional spaces.
fn digits(input: &mut &str, width: usize, field: &str) -> DfResult<i64> {
    let s = input.trim_start();
    let limit = if width == 0 { s.len() } else { width };
    let end = s
        .char_indices()
        .take(limit)
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or_else(|| s.len().min(limit), |(i, _)| i);
    let (num, rest) = s.split_at(end);
    let shown: String = s.chars().take(limit.max(1)).collect();
    let v = num.parse::<i64>().map_err(|_| invalid(&shown, field))?;
    *input = rest;
    Ok(v)
}

/// Index of the (full or 3-letter) name the input starts with, case-insensitively.
fn name_index(input: &mut &str, names: &[&str], short: bool, field: &str) -> DfResult<usize> {
    let s = input.trim_start();
    let lower = s.to_ascii_lowercase();
    for (i, name) in names.iter().enumerate() {
        let want = if short { &name[..3] } else { name };
        if lower.starts_with(want) {
            *input = &s[want.len()..];
            return Ok(i);
        }
    }
    let shown: String = s.chars().take(if short { 3 } else { 9 }).collect();
    Err(invalid(&shown, field))
}

/// Whether the next template field reads digits right away (`YYYYMMDD`): then a numeric
/// field reads only its width.
fn digit_field_follows(template: &str) -> bool {
    let upper = template.trim_start_matches(['F', 'M', 'f', 'm']);
    ["YY", "MM", "DD", "HH", "MI", "SS", "MS", "US", "Y"]
        .iter()
        .any(|f| upper.to_ascii_uppercase().starts_with(f))
}

fn parse_fields(input: &str, template: &str) -> DfResult<Fields> {
    let mut f = Fields::default();
    let mut rest = input;
    let mut tpl = template;
    while !tpl.is_empty() {
        if let Some(r) = tpl.strip_prefix("FM").or_else(|| tpl.strip_prefix("fm")) {
            tpl = r;
            continue;
        }
        if let Some(r) = tpl.strip_prefix('"') {
            // Quoted literal: skip as many input characters.
            let end = r.find('"').unwrap_or(r.len());
            for _ in r[..end].chars() {
                let mut chars = rest.chars();
                chars.next();
                rest = chars.as_str();
            }
            tpl = r.get(end + 1..).unwrap_or("");
            continue;
        }
        let upper = tpl.to_ascii_uppercase();
        let Some(field) = FIELDS.iter().find(|k| upper.starts_with(**k)) else {
            let Some(c) = tpl.chars().next() else { break };
            tpl = &tpl[c.len_utf8()..];
            if c.is_whitespace() {
                rest = rest.trim_start();
            } else if let Some(n) = rest.chars().next()
                && !n.is_ascii_alphanumeric()
            {
                rest = &rest[n.len_utf8()..];
            }
            continue;
        };
        tpl = &tpl[field.len()..];
        let fixed = digit_field_follows(tpl);
        let width = |w: usize| if fixed { w } else { 0 };
        match *field {
            "YYYY" => f.year = Some(digits(&mut rest, width(4), field)?),
            "YYY" => f.year = Some(2000 + digits(&mut rest, 3, field)? % 1000),
            "YY" => {
                let y = digits(&mut rest, 2, field)?;
                f.year = Some(if y < 70 { 2000 + y } else { 1900 + y });
            }
            "Y" => f.year = Some(2000 + digits(&mut rest, 1, field)?),
            "MM" => f.month = Some(digits(&mut rest, 2, field)?),
            "DD" => f.day = Some(digits(&mut rest, 2, field)?),
            "DDD" => f.doy = Some(digits(&mut rest, 3, field)?),
            "HH24" => f.hour = digits(&mut rest, 2, field)?,
            "HH" | "HH12" => {
                f.hour = digits(&mut rest, 2, field)?;
                f.hour12 = true;
            }
            "MI" => f.min = digits(&mut rest, 2, field)?,
            "SS" => f.sec = digits(&mut rest, 2, field)?,
            "MS" => f.usec = digits(&mut rest, 3, field)? * 1000,
            "US" => f.usec = digits(&mut rest, 6, field)?,
            "MONTH" => f.month = Some(name_index(&mut rest, &MONTHS, false, field)? as i64 + 1),
            "MON" => f.month = Some(name_index(&mut rest, &MONTHS, true, field)? as i64 + 1),
            "DAY" => {
                name_index(&mut rest, &DAYS, false, field)?;
            }
            "DY" => {
                name_index(&mut rest, &DAYS, true, field)?;
            }
            meridiem => {
                let s = rest.trim_start();
                let dotted = meridiem.contains('.');
                let len = if dotted { 4 } else { 2 };
                let word = s.get(..len).unwrap_or(s).to_ascii_uppercase();
                let pm = match word.replace('.', "").as_str() {
                    "AM" => false,
                    "PM" => true,
                    _ => return Err(invalid(&word, meridiem)),
                };
                f.pm = Some(pm);
                f.hour12 = true;
                rest = s.get(len..).unwrap_or("");
            }
        }
    }
    Ok(f)
}

/// Microseconds since the Unix epoch of the local date and time the fields give.
fn local_usecs(input: &str, f: &Fields, ty: &str) -> DfResult<i64> {
    let year = f.year.unwrap_or(1);
    let (month, day) = match (f.doy, f.month, f.day) {
        (Some(doy), None, None) => {
            let jd = date2j(year, 1, 1) + doy - 1;
            let (_, m, d) = crate::pgtypes::j2date(jd);
            (i64::from(m), i64::from(d))
        }
        (_, m, d) => (m.unwrap_or(1), d.unwrap_or(1)),
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return Err(out_of_range(input, ty)),
    };
    if !(1..=days_in_month).contains(&day) || !(-4713..=294_276).contains(&year) {
        return Err(out_of_range(input, ty));
    }
    let mut hour = f.hour;
    if f.hour12 {
        if !(1..=12).contains(&hour) {
            return Err(sql_err(
                "22008",
                format!("hour \"{hour}\" is invalid for the 12-hour clock"),
            ));
        }
        hour %= 12;
        if f.pm == Some(true) {
            hour += 12;
        }
    }
    if hour > 24 || f.min > 59 || f.sec > 60 {
        return Err(out_of_range(input, ty));
    }
    let days = date2j(year, month, day) - UNIX_EPOCH_JD;
    Ok(((days * 24 + hour) * 60 + f.min) * 60_000_000 + f.sec * 1_000_000 + f.usec)
}

#[derive(Debug)]
pub struct ToTimestamp {
    date: bool,
    signature: Signature,
    settings: Arc<Mutex<Settings>>,
}

impl PartialEq for ToTimestamp {
    fn eq(&self, other: &Self) -> bool {
        self.date == other.date
    }
}

impl Eq for ToTimestamp {}

impl std::hash::Hash for ToTimestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.date.hash(state);
    }
}

impl ToTimestamp {
    pub fn udfs(settings: Arc<Mutex<Settings>>) -> [ScalarUDF; 2] {
        let make = |date| {
            ScalarUDF::new_from_impl(Self {
                date,
                signature: Signature::new(TypeSignature::UserDefined, Volatility::Stable),
                settings: settings.clone(),
            })
        };
        [make(true), make(false)]
    }

    fn one(&self, input: &str, template: &str, tz: &SessionTz) -> DfResult<ScalarValue> {
        let fields = parse_fields(input, template)?;
        if self.date {
            let ty = "date";
            let usecs = local_usecs(input, &fields, ty)?;
            let days = i32::try_from(usecs.div_euclid(86_400_000_000))
                .map_err(|_| out_of_range(input, ty))?;
            return Ok(ScalarValue::Date32(Some(days)));
        }
        let local = local_usecs(input, &fields, "timestamp with time zone")?;
        let offset = tz.offset_for_local(local.div_euclid(1_000_000));
        Ok(ScalarValue::TimestampMicrosecond(
            Some(local - i64::from(offset) * 1_000_000),
            Some(Arc::from("UTC")),
        ))
    }
}

impl ScalarUDFImpl for ToTimestamp {
    fn name(&self) -> &str {
        if self.date {
            TO_DATE_FN
        } else {
            TO_TIMESTAMP_FN
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> DfResult<Vec<DataType>> {
        if args.len() != 2 {
            return Err(sql_err("42883", "function takes two text arguments"));
        }
        Ok(vec![DataType::Utf8, DataType::Utf8])
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(if self.date {
            DataType::Date32
        } else {
            DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let tz = {
            let fmt = lock(&self.settings).format_settings();
            SessionTz::parse(&fmt.time_zone).unwrap_or(SessionTz::Fixed(0))
        };
        let ret = self.return_type(&[])?;
        let row = |v: &ScalarValue, t: &ScalarValue| match (text(v), text(t)) {
            (Some(v), Some(t)) => self.one(v, t, &tz),
            _ => ScalarValue::try_from(&ret),
        };
        let [value, template] = args.args.as_slice() else {
            return Err(sql_err("42883", "function takes two text arguments"));
        };
        if let (ColumnarValue::Scalar(v), ColumnarValue::Scalar(t)) = (value, template) {
            return Ok(ColumnarValue::Scalar(row(v, t)?));
        }
        let at = |c: &ColumnarValue, i: usize| match c {
            ColumnarValue::Scalar(s) => Ok(s.clone()),
            ColumnarValue::Array(a) => ScalarValue::try_from_array(a, i),
        };
        let values = (0..args.number_rows)
            .map(|i| row(&at(value, i)?, &at(template, i)?))
            .collect::<DfResult<Vec<_>>>()?;
        if values.is_empty() {
            return Ok(ColumnarValue::Array(
                datafusion::arrow::array::new_empty_array(&ret),
            ));
        }
        Ok(ColumnarValue::Array(ScalarValue::iter_to_array(values)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(input: &str, template: &str) -> Option<i64> {
        parse_fields(input, template)
            .and_then(|f| local_usecs(input, &f, "date"))
            .ok()
    }

    #[test]
    fn templates() {
        let day = |d: i64| Some(d * 86_400_000_000);
        assert_eq!(at("05 Feb 2024", "DD Mon YYYY"), day(19_758));
        assert_eq!(at("20240229", "YYYYMMDD"), day(19_782));
        assert_eq!(at("2024-02-05", "YYYY-MM-DD"), day(19_758));
        assert_eq!(at("5 february 2024", "DD Month YYYY"), day(19_758));
        assert_eq!(
            at("2024-02-05 07:08:09", "YYYY-MM-DD HH24:MI:SS"),
            day(19_758).map(|d| d + (7 * 3600 + 8 * 60 + 9) * 1_000_000)
        );
        assert_eq!(
            at("2024/02/05 07 PM", "YYYY/MM/DD HH12 AM"),
            day(19_758).map(|d| d + 19 * 3_600_000_000)
        );
        assert_eq!(at("20230229", "YYYYMMDD"), None);
        assert_eq!(at("2024-13-01", "YYYY-MM-DD"), None);
        assert_eq!(at("abcd", "YYYY"), None);
    }
}
