//! Checking a value against a parameter's type as PostgreSQL's guc.c does (booleans by
//! unique prefix, integers and reals with units converted to the base unit, enums
//! case-insensitively), and showing it as SHOW does (integers in the largest unit that
//! divides them evenly).

use super::catalog::{Guc, Kind};
use crate::sql::SqlError;

/// Units of memory, largest first, as multiples of a kilobyte.
const MEMORY_UNITS: &[(&str, f64)] = &[
    ("TB", 1024.0 * 1024.0 * 1024.0),
    ("GB", 1024.0 * 1024.0),
    ("MB", 1024.0),
    ("kB", 1.0),
    ("B", 1.0 / 1024.0),
];
const MEMORY_HINT: &str =
    "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".";

/// Units of time, largest first, as multiples of a millisecond.
const TIME_UNITS: &[(&str, f64)] = &[
    ("d", 86_400_000.0),
    ("h", 3_600_000.0),
    ("min", 60_000.0),
    ("s", 1000.0),
    ("ms", 1.0),
    ("us", 0.001),
];
const TIME_HINT: &str =
    "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".";

/// Units of one family (memory or time), largest first, with their sizes.
type Units = &'static [(&'static str, f64)];

/// A parameter's unit family, with the size of its base unit in that family's measure and
/// the hint listing the family's units.
fn family(base: &str) -> Option<(Units, f64, &'static str)> {
    match base {
        "B" => Some((MEMORY_UNITS, 1.0 / 1024.0, MEMORY_HINT)),
        "kB" => Some((MEMORY_UNITS, 1.0, MEMORY_HINT)),
        "8kB" => Some((MEMORY_UNITS, 8.0, MEMORY_HINT)),
        "MB" => Some((MEMORY_UNITS, 1024.0, MEMORY_HINT)),
        "ms" => Some((TIME_UNITS, 1.0, TIME_HINT)),
        "s" => Some((TIME_UNITS, 1000.0, TIME_HINT)),
        "min" => Some((TIME_UNITS, 60_000.0, TIME_HINT)),
        _ => None,
    }
}

/// `value` checked and put in the form SHOW prints.
pub fn check(guc: &Guc, value: &str) -> Result<String, SqlError> {
    let name = guc.name.to_ascii_lowercase();
    match &guc.kind {
        Kind::Bool => match parse_bool(value) {
            Some(b) => Ok(if b { "on" } else { "off" }.to_owned()),
            None => Err(SqlError::new(
                "22023",
                format!("parameter \"{name}\" requires a Boolean value"),
            )),
        },
        Kind::Integer { min, max } => {
            let n = parse_number(value, guc.unit.as_deref(), true)
                .map_err(|hint| invalid(&name, value, hint))?;
            // Integers: the float result is already rounded and within i32's range.
            let n = n as i64;
            if n < *min || n > *max {
                return Err(out_of_range(
                    &name,
                    &n.to_string(),
                    guc.unit.as_deref(),
                    &min.to_string(),
                    &max.to_string(),
                ));
            }
            Ok(show_integer(n, guc.unit.as_deref()))
        }
        Kind::Real { min, max } => {
            let x = parse_number(value, guc.unit.as_deref(), false)
                .map_err(|hint| invalid(&name, value, hint))?;
            if x < *min || x > *max {
                return Err(out_of_range(
                    &name,
                    &c_g(x),
                    guc.unit.as_deref(),
                    &c_g(*min),
                    &c_g(*max),
                ));
            }
            Ok(show_real(x, guc.unit.as_deref()))
        }
        Kind::Enum(values) => values
            .iter()
            .find(|v| v.eq_ignore_ascii_case(value.trim()))
            .cloned()
            .ok_or_else(|| {
                invalid(&name, value, None)
                    .with_hint(format!("Available values: {}.", values.join(", ")))
            }),
        Kind::String => Ok(value.to_owned()),
    }
}

/// The value in the parameter's base unit, as pg_settings.setting shows it.
pub fn base_value(guc: &Guc, shown: &str) -> String {
    match (&guc.kind, guc.unit.as_deref()) {
        (Kind::Integer { .. }, Some(unit)) => parse_number(shown, Some(unit), true)
            .map_or_else(|_| shown.to_owned(), |n| (n as i64).to_string()),
        (Kind::Real { .. }, Some(unit)) => {
            parse_number(shown, Some(unit), false).map_or_else(|_| shown.to_owned(), c_g)
        }
        _ => shown.to_owned(),
    }
}

/// PostgreSQL's parse_bool: on/off, true/false, yes/no by unique prefix, 1/0.
pub fn parse_bool(value: &str) -> Option<bool> {
    let v = value.trim().to_ascii_lowercase();
    let prefix_of = |word: &str| !v.is_empty() && word.starts_with(v.as_str());
    match v.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        "on" => Some(true),
        "of" | "off" => Some(false),
        _ if prefix_of("true") || prefix_of("yes") => Some(true),
        _ if prefix_of("false") || prefix_of("no") => Some(false),
        _ => None,
    }
}

/// A number with an optional unit, in the base unit; Err carries the hint to give.
fn parse_number(value: &str, unit: Option<&str>, integer: bool) -> Result<f64, Option<String>> {
    let s = value.trim_start();
    let (mut x, rest) = leading_number(s, integer).ok_or(None)?;
    let rest = rest.trim();
    if !rest.is_empty() {
        let (units, base, hint) = unit.and_then(family).ok_or(None)?;
        let per = units
            .iter()
            .find(|(u, _)| *u == rest)
            .map(|(_, m)| *m)
            .ok_or_else(|| Some(hint.to_owned()))?;
        x = x * per / base;
    }
    if x.is_nan() {
        return Err(None);
    }
    if integer {
        x = x.round_ties_even();
        if x > f64::from(i32::MAX) || x < f64::from(i32::MIN) {
            return Err(Some("Value exceeds integer range.".to_owned()));
        }
    }
    Ok(x)
}

/// The number at the start of `s` (C's strtol with base 0 for integers, falling back to
/// strtod for fractions and exponents, as parse_int does) and what follows it.
fn leading_number(s: &str, integer: bool) -> Option<(f64, &str)> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let negative = s.starts_with('-');
    if integer && let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let end = hex
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(hex.len());
        let n = i64::from_str_radix(hex.get(..end)?, 16).ok()? as f64;
        return Some((if negative { -n } else { n }, hex.get(end..)?));
    }
    let digits = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let fractional = matches!(body.as_bytes().get(digits), Some(b'.' | b'e' | b'E'));
    if integer && !fractional && digits > 1 && body.starts_with('0') {
        let n = i64::from_str_radix(body.get(..digits)?, 8).ok()? as f64;
        return Some((if negative { -n } else { n }, body.get(digits..)?));
    }
    // The longest prefix that parses as a float (strtod).
    let sign = s.len() - body.len();
    // Bounded: a number is short, and a long value must not cost quadratic time.
    let end = (sign + 1..=s.len().min(sign + 64)).rev().find(|&i| {
        s.get(..i).is_some_and(|p| {
            !p.ends_with(|c: char| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E'))
                && p.parse::<f64>().is_ok()
                && !p.to_ascii_lowercase().contains("inf")
                && !p.to_ascii_lowercase().contains("nan")
        })
    })?;
    Some((s.get(..end)?.parse().ok()?, s.get(end..)?))
}

/// SHOW's form of an integer: in the largest unit that divides it evenly.
fn show_integer(n: i64, unit: Option<&str>) -> String {
    let Some((units, base, _)) = unit.and_then(family).filter(|_| n > 0) else {
        return n.to_string();
    };
    for (name, per) in units {
        let m = per / base;
        if m <= 1.0 {
            return format!("{}{name}", (n as f64 / m).round_ties_even());
        }
        if n % (m as i64) == 0 {
            return format!("{}{name}", n / m as i64);
        }
    }
    n.to_string()
}

/// SHOW's form of a real: in the largest unit giving a whole number (within 1e-8), else
/// the smallest unit, as guc.c's convert_real_from_base_unit.
fn show_real(x: f64, unit: Option<&str>) -> String {
    let Some((units, base, _)) = unit.and_then(family).filter(|_| x > 0.0) else {
        return c_g(x);
    };
    let mut shown = c_g(x);
    for (name, per) in units {
        let v = x * base / per;
        shown = format!("{}{name}", c_g(v));
        if v > 0.0 && (v.round_ties_even() / v - 1.0).abs() <= 1e-8 {
            break;
        }
    }
    shown
}

/// C's `%g`: six significant digits, trailing zeros dropped, exponent form when the exponent
/// is below -4 or at least 6.
pub fn c_g(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x == 0.0 { "0".into() } else { x.to_string() };
    }
    let exp = x.abs().log10().floor() as i32;
    let sci = format!("{x:.5e}");
    let (mantissa, e) = sci.split_once('e').unwrap_or((&sci, "0"));
    let e: i32 = e.parse().unwrap_or(exp);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s.to_owned()
        }
    };
    if !(-4..6).contains(&e) {
        format!(
            "{}e{}{:02}",
            trim(mantissa),
            if e < 0 { '-' } else { '+' },
            e.abs()
        )
    } else {
        let decimals = usize::try_from(5 - e).unwrap_or(0);
        trim(&format!("{x:.decimals$}"))
    }
}

fn invalid(name: &str, value: &str, hint: Option<String>) -> SqlError {
    let e = SqlError::new(
        "22023",
        format!("invalid value for parameter \"{name}\": \"{value}\""),
    );
    match hint {
        Some(h) => e.with_hint(h),
        None => e,
    }
}

fn out_of_range(name: &str, value: &str, unit: Option<&str>, min: &str, max: &str) -> SqlError {
    let unit = unit.map(|u| format!(" {u}")).unwrap_or_default();
    SqlError::new(
        "22023",
        format!(
            "{value}{unit} is outside the valid range for parameter \"{name}\" ({min} .. {max})"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_show_in_the_largest_even_unit() {
        assert_eq!(show_integer(1536, Some("kB")), "1536kB");
        assert_eq!(show_integer(4096, Some("kB")), "4MB");
        assert_eq!(show_integer(60_000, Some("ms")), "1min");
        assert_eq!(show_integer(1500, Some("ms")), "1500ms");
        assert_eq!(show_integer(0, Some("ms")), "0");
        assert_eq!(show_integer(-1, Some("kB")), "-1");
        assert_eq!(show_integer(16384, Some("8kB")), "128MB");
        assert_eq!(show_integer(3, Some("8kB")), "24kB");
    }

    #[test]
    fn numbers_parse_like_guc_c() {
        assert_eq!(parse_number("1.5MB", Some("kB"), true), Ok(1536.0));
        assert_eq!(parse_number(" 2 s ", Some("ms"), true), Ok(2000.0));
        assert_eq!(parse_number("1e3", Some("ms"), true), Ok(1000.0));
        assert_eq!(parse_number("010", None, true), Ok(8.0));
        assert_eq!(parse_number("0x10", None, true), Ok(16.0));
        assert_eq!(parse_number("0.5ms", Some("ms"), false), Ok(0.5));
        assert!(matches!(
            parse_number("5 parsecs", Some("ms"), true),
            Err(Some(_))
        ));
        assert_eq!(parse_number("abc", Some("kB"), true), Err(None));
        assert!(matches!(
            parse_number("99999999999", None, true),
            Err(Some(_))
        ));
    }

    #[test]
    fn reals_show_like_postgres() {
        assert_eq!(show_real(0.5, Some("ms")), "500us");
        assert_eq!(show_real(2.0, Some("ms")), "2ms");
        assert_eq!(c_g(0.1), "0.1");
        assert_eq!(c_g(1e-7), "1e-07");
        assert_eq!(c_g(1.79769e308), "1.79769e+308");
        assert_eq!(c_g(100.0), "100");
    }

    #[test]
    fn booleans_by_unique_prefix() {
        assert_eq!(parse_bool("of"), Some(false));
        assert_eq!(parse_bool("TR"), Some(true));
        assert_eq!(parse_bool("o"), None);
        assert_eq!(parse_bool("maybe"), None);
    }
}
