//! `to_char(timestamp | timestamptz | date | interval, template)` with PostgreSQL's template
//! patterns (DataFusion's `to_char` takes strftime patterns). timestamptz values are shown
//! in the session's TimeZone, as PostgreSQL does.

use std::sync::{Arc, Mutex};

use datafusion::arrow::datatypes::{DataType, IntervalUnit, TimeUnit};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};

use super::pg_udf::{sql_err, text};
use crate::pgtypes::SessionTz;
use crate::session::lock;
use crate::session::settings::Settings;

/// The broken-down value a template reads.
#[derive(Debug, Default, Clone, Copy)]
pub struct Parts {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    pub usec: i64,
    /// Day of the year, 1-based (0 for intervals).
    pub doy: i64,
    /// Day of the week, 0 = Sunday.
    pub dow: i64,
    /// Intervals print hours beyond 24 and no names.
    pub interval: bool,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Parts of a local wall-clock time in microseconds since the Unix epoch.
pub fn parts_of_local(usecs: i64) -> Parts {
    let days = usecs.div_euclid(86_400_000_000);
    let in_day = usecs.rem_euclid(86_400_000_000);
    let jd = days + 2_440_588;
    let (year, month, day) = crate::pgtypes::j2date(jd);
    let jan1 = crate::pgtypes::date2j(year, 1, 1);
    Parts {
        year,
        month: i64::from(month),
        day: i64::from(day),
        hour: in_day / 3_600_000_000,
        min: in_day / 60_000_000 % 60,
        sec: in_day / 1_000_000 % 60,
        usec: in_day % 1_000_000,
        doy: jd - jan1 + 1,
        dow: (jd + 1).rem_euclid(7),
        interval: false,
    }
}

/// Parts of an interval (months, days, microseconds).
pub fn parts_of_interval(months: i64, days: i64, usecs: i64) -> Parts {
    Parts {
        year: months / 12,
        month: months % 12,
        day: days,
        hour: usecs / 3_600_000_000,
        min: usecs / 60_000_000 % 60,
        sec: usecs / 1_000_000 % 60,
        usec: usecs % 1_000_000,
        doy: 0,
        dow: 0,
        interval: true,
    }
}

/// Template keywords, longest first so `HH24` wins over `HH` and `DDD` over `DD`.
const KEYWORDS: [&str; 40] = [
    "A.M.", "P.M.", "a.m.", "p.m.", "MONTH", "Month", "month", "HH24", "HH12", "YYYY", "DDD",
    "MON", "Mon", "mon", "DAY", "Day", "day", "YYY", "AM", "PM", "am", "pm", "HH", "MI", "SS",
    "MS", "US", "YY", "MM", "DD", "DY", "Dy", "dy", "WW", "IW", "ID", "Y", "D", "Q", "J",
];

fn case(name: &str, keyword: &str) -> String {
    if keyword.chars().all(|c| !c.is_ascii_lowercase()) {
        name.to_ascii_uppercase()
    } else if keyword.chars().all(|c| !c.is_ascii_uppercase()) {
        name.to_ascii_lowercase()
    } else {
        name.to_owned()
    }
}

fn number(v: i64, width: usize, fm: bool) -> String {
    if fm {
        v.to_string()
    } else if v < 0 {
        format!("-{:0width$}", v.unsigned_abs())
    } else {
        format!("{v:0width$}")
    }
}

fn name(full: &str, keyword: &str, short: bool, fm: bool) -> String {
    let text: String = if short {
        full.chars().take(3).collect()
    } else {
        full.to_owned()
    };
    let text = case(&text, keyword);
    if short || fm {
        text
    } else {
        format!("{text:<9}")
    }
}

/// Apply a template to the parts.
pub fn format(p: &Parts, template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while !rest.is_empty() {
        let mut fm = false;
        if let Some(r) = rest.strip_prefix("FM").or_else(|| rest.strip_prefix("fm")) {
            fm = true;
            rest = r;
        }
        if let Some(r) = rest.strip_prefix('"') {
            // Quoted literal text; a backslash escapes the next character.
            let mut chars = r.char_indices();
            let mut end = r.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    c => out.push(c),
                }
            }
            rest = r.get(end..).unwrap_or("");
            continue;
        }
        if let Some(r) = rest.strip_prefix('\\')
            && let Some(c) = r.chars().next()
        {
            out.push(c);
            rest = &r[c.len_utf8()..];
            continue;
        }
        let Some(kw) = KEYWORDS.iter().find(|k| rest.starts_with(**k)) else {
            if let Some(c) = rest.chars().next() {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
            continue;
        };
        rest = &rest[kw.len()..];
        let month_name = MONTHS
            .get(usize::try_from(p.month - 1).unwrap_or(0))
            .copied()
            .unwrap_or("");
        let day_name = DAYS
            .get(usize::try_from(p.dow).unwrap_or(0))
            .copied()
            .unwrap_or("");
        let hour12 = match p.hour % 12 {
            0 => 12,
            h => h,
        };
        let pm = p.hour % 24 >= 12;
        let piece = match *kw {
            "YYYY" => number(p.year, 4, fm),
            "YYY" => number(p.year % 1000, 3, fm),
            "YY" => number(p.year % 100, 2, fm),
            "Y" => number(p.year % 10, 1, fm),
            "MM" => number(p.month, 2, fm),
            "DD" => number(p.day, 2, fm),
            "DDD" => number(p.doy, 3, fm),
            "D" => number(p.dow + 1, 1, fm),
            "ID" => number(if p.dow == 0 { 7 } else { p.dow }, 1, fm),
            "HH24" => number(p.hour, 2, fm),
            "HH" | "HH12" => number(if p.interval { p.hour % 12 } else { hour12 }, 2, fm),
            "MI" => number(p.min, 2, fm),
            "SS" => number(p.sec, 2, fm),
            "MS" => number(p.usec / 1000, 3, fm),
            "US" => number(p.usec, 6, fm),
            "WW" => number((p.doy - 1) / 7 + 1, 2, fm),
            "IW" => number(iso_week(p), 2, fm),
            "Q" => number((p.month - 1) / 3 + 1, 1, fm),
            "J" => number(crate::pgtypes::date2j(p.year, p.month, p.day), 1, fm),
            "AM" | "PM" => (if pm { "PM" } else { "AM" }).to_owned(),
            "am" | "pm" => (if pm { "pm" } else { "am" }).to_owned(),
            "A.M." | "P.M." => (if pm { "P.M." } else { "A.M." }).to_owned(),
            "a.m." | "p.m." => (if pm { "p.m." } else { "a.m." }).to_owned(),
            k @ ("MONTH" | "Month" | "month") => name(month_name, k, false, fm),
            k @ ("MON" | "Mon" | "mon") => name(month_name, k, true, fm),
            k @ ("DAY" | "Day" | "day") => name(day_name, k, false, fm),
            k @ ("DY" | "Dy" | "dy") => name(day_name, k, true, fm),
            other => other.to_owned(),
        };
        out.push_str(&piece);
    }
    out
}

/// ISO 8601 week number of a date.
fn iso_week(p: &Parts) -> i64 {
    let iso_dow = if p.dow == 0 { 7 } else { p.dow };
    let week = (p.doy - iso_dow + 10) / 7;
    if week < 1 {
        52
    } else if week > 52 {
        let jan1_next = (p.dow + (365 - p.doy + 1)).rem_euclid(7);
        if (1..=4).contains(&jan1_next) {
            1
        } else {
            week
        }
    } else {
        week
    }
}

/// The per-session `to_char` (it reads the session's TimeZone).
#[derive(Debug)]
pub struct ToChar {
    signature: Signature,
    settings: Arc<Mutex<Settings>>,
}

impl PartialEq for ToChar {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.settings, &other.settings)
    }
}

impl Eq for ToChar {}

impl std::hash::Hash for ToChar {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        "to_char".hash(state);
    }
}

impl ToChar {
    pub fn udf(settings: Arc<Mutex<Settings>>) -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            signature: Signature::new(TypeSignature::UserDefined, Volatility::Stable),
            settings,
        })
    }

    fn session_tz(&self) -> SessionTz {
        let fmt = lock(&self.settings).format_settings();
        SessionTz::parse(&fmt.time_zone).unwrap_or(SessionTz::Fixed(0))
    }

    fn one(&self, value: &ScalarValue, template: &str, tz: &SessionTz) -> DfResult<Option<String>> {
        let parts = match value {
            ScalarValue::TimestampMicrosecond(Some(v), zone) => {
                if *v == i64::MAX || *v == i64::MIN {
                    return Ok(None);
                }
                let local = match zone {
                    Some(_) => {
                        let offset = tz.offset_at_utc(v.div_euclid(1_000_000));
                        v + i64::from(offset) * 1_000_000
                    }
                    None => *v,
                };
                parts_of_local(local)
            }
            ScalarValue::IntervalMonthDayNano(Some(iv)) => parts_of_interval(
                i64::from(iv.months),
                i64::from(iv.days),
                iv.nanoseconds / 1000,
            ),
            _ => return Ok(None),
        };
        Ok(Some(format(&parts, template)))
    }
}

impl ScalarUDFImpl for ToChar {
    fn name(&self) -> &str {
        "to_char"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> DfResult<Vec<DataType>> {
        let value = match args.first() {
            Some(DataType::Timestamp(_, tz)) => {
                DataType::Timestamp(TimeUnit::Microsecond, tz.clone())
            }
            Some(DataType::Date32 | DataType::Date64 | DataType::Null) => {
                DataType::Timestamp(TimeUnit::Microsecond, None)
            }
            Some(DataType::Interval(_)) => DataType::Interval(IntervalUnit::MonthDayNano),
            _ => {
                return Err(sql_err(
                    "42883",
                    "function to_char does not exist for this argument type",
                ));
            }
        };
        if args.len() != 2 {
            return Err(sql_err("42883", "function to_char takes two arguments"));
        }
        Ok(vec![value, DataType::Utf8])
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let tz = self.session_tz();
        let [value, template] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(
                "to_char expects two arguments".into(),
            ));
        };
        let row = |v: &ScalarValue, t: &ScalarValue| match text(t) {
            Some(t) => self.one(v, t, &tz),
            None => Ok(None),
        };
        match (value, template) {
            (ColumnarValue::Scalar(v), ColumnarValue::Scalar(t)) => {
                Ok(ColumnarValue::Scalar(ScalarValue::Utf8(row(v, t)?)))
            }
            _ => {
                let n = args.number_rows;
                let at = |c: &ColumnarValue, i: usize| match c {
                    ColumnarValue::Scalar(s) => Ok(s.clone()),
                    ColumnarValue::Array(a) => ScalarValue::try_from_array(a, i),
                };
                let out = (0..n)
                    .map(|i| row(&at(value, i)?, &at(template, i)?))
                    .collect::<DfResult<datafusion::arrow::array::StringArray>>()?;
                Ok(ColumnarValue::Array(Arc::new(out)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        // 2024-02-05 17:08:09.123 (a Monday)
        let ts = ((19_758_i64 * 86_400 + 17 * 3600 + 8 * 60 + 9) * 1_000_000) + 123_000;
        let p = parts_of_local(ts);
        assert_eq!(format(&p, "YYYY-MM-DD HH24:MI:SS"), "2024-02-05 17:08:09");
        assert_eq!(format(&p, "DD/MM/YY HH12:MI AM"), "05/02/24 05:08 PM");
        assert_eq!(format(&p, "FMMonth FMDD FMDay"), "February 5 Monday");
        assert_eq!(format(&p, "Mon DD, YYYY"), "Feb 05, 2024");
        assert_eq!(format(&p, "YYYY\"Q\"Q WW DDD MS"), "2024Q1 06 036 123");
    }
}
