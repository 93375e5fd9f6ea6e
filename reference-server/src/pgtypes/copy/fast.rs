//! Fast text parsers for the shapes bulk loads are made of (`2024-01-01 00:00:10+00`,
//! `12.5`, `1073741824`). Each accepts only a strict subset of what PostgreSQL accepts and
//! returns `None` for anything else, which then goes through the general parser in
//! [`crate::pgtypes::text_in`] (so its answers, and its errors, stay the reference).

use crate::pgtypes::datetime::{UNIX_EPOCH_JDATE, USECS_PER_DAY, date2j, days_in_month};

/// `-?[0-9]{1,18}`: never overflows an i64.
pub(crate) fn int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(b - b'0');
    }
    Some(if neg { -v } else { v })
}

/// A plain decimal number (`[+-]digits[.digits][e[+-]digits]`, no spaces, no words):
/// Rust's parser rounds correctly, like strtod. Zero and overflow are left to the general
/// parser, which knows when they are out of range.
pub(crate) fn float<T: std::str::FromStr + Into<f64> + Copy>(s: &[u8]) -> Option<T> {
    let first = *s.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if !s
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    let v: T = std::str::from_utf8(s).ok()?.parse().ok()?;
    let f: f64 = v.into();
    (f.is_finite() && f != 0.0).then_some(v)
}

/// Microseconds since 1970 of `YYYY-MM-DD HH:MM:SS[.ffffff]`, followed (exactly when
/// `with_tz`) by a numeric offset `+HH` or `+HH:MM`.
pub(crate) fn timestamp(s: &[u8], with_tz: bool) -> Option<i64> {
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = s.get(from..from + n)?;
        part.iter().try_fold(0i64, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
        })
    };
    let sep = |at: usize, c: u8| s.get(at) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b' ') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (y, mo, d) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (h, mi, sec) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    let month = u32::try_from(mo).ok()?;
    if y < 1 || !(1..=12).contains(&month) || d < 1 || d > i64::from(days_in_month(y, month)) {
        return None;
    }
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let mut pos = 19;
    let mut micros = 0i64;
    if sep(pos, b'.') {
        pos += 1;
        let start = pos;
        while s.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        let n = pos - start;
        if n == 0 || n > 6 {
            return None;
        }
        micros = digits(start, n)? * 10i64.pow(6 - n as u32);
    }
    let offset_secs = if with_tz {
        let sign = match s.get(pos) {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        let oh = digits(pos + 1, 2)?;
        pos += 3;
        let om = if sep(pos, b':') {
            pos += 3;
            digits(pos - 2, 2)?
        } else {
            0
        };
        if oh > 15 || om > 59 {
            return None;
        }
        sign * (oh * 3600 + om * 60)
    } else {
        0
    };
    if pos != s.len() {
        return None;
    }
    let days = date2j(y, mo, d) - UNIX_EPOCH_JDATE;
    let local = days * USECS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1_000_000 + micros;
    Some(local - offset_secs * 1_000_000)
}

#[cfg(test)]
mod tests {
    use datafusion::scalar::ScalarValue;
    use postgres_types::Type;

    use super::*;
    use crate::pgtypes::mapping::PgColumnType;
    use crate::pgtypes::settings::FormatSettings;
    use crate::pgtypes::text_in::{InCtx, parse_text};

    /// What the general parser makes of `s` (None when it rejects it).
    fn general(s: &str, ty: Type, settings: &FormatSettings) -> Option<ScalarValue> {
        parse_text(s, &PgColumnType::new(ty), &InCtx::new(settings)).ok()
    }

    const TIMESTAMPS: &[&str] = &[
        "2024-01-01 00:00:00+00",
        "2024-01-01 00:00:10+00",
        "2024-02-29 23:59:59.999999+05:30",
        "2023-02-29 00:00:00+00",
        "1900-02-29 00:00:00+00",
        "2000-02-29 12:00:00-08",
        "1969-12-31 23:59:59.5+00",
        "0001-01-01 00:00:00+00",
        "9999-12-31 23:59:59+14",
        "2024-13-01 00:00:00+00",
        "2024-01-01 24:00:00+00",
        "2024-01-01 12:60:00+00",
        "2024-01-01 12:00:60+00",
        "2024-01-01 12:00:00.1234567+00",
        "2024-01-01 12:00:00.+00",
        "2024-01-01 12:00:00+0530",
        "2024-01-01 12:00:00 +00",
        "2024-01-01 12:00:00",
        "2024-01-01 12:00:00.25",
        "2024-01-01T12:00:00+00",
        "2024-1-01 12:00:00+00",
        "2024-01-01 12:00:00+16",
        "2024-01-01 12:00:00+01:61",
        "2024-01-01 12:00:00+01:3",
        "2024-01-01 12:00:00Z",
        "",
    ];

    /// Every timestamp the fast path accepts is read as the general parser reads it, in
    /// both DateStyle orders and a non-UTC session zone.
    #[test]
    fn timestamps_agree_with_the_general_parser() {
        let mut accepted = 0;
        for style in ["ISO, MDY", "ISO, DMY"] {
            let settings = FormatSettings {
                date_style: style.into(),
                time_zone: "America/New_York".into(),
                ..FormatSettings::default()
            };
            for s in TIMESTAMPS {
                for (with_tz, ty) in [(true, Type::TIMESTAMPTZ), (false, Type::TIMESTAMP)] {
                    let Some(fast) = timestamp(s.as_bytes(), with_tz) else {
                        continue;
                    };
                    accepted += 1;
                    let expected = match general(s, ty, &settings) {
                        Some(ScalarValue::TimestampMicrosecond(Some(v), _)) => v,
                        other => panic!("{s:?}: fast {fast}, general {other:?}"),
                    };
                    assert_eq!(fast, expected, "{s:?} with_tz={with_tz}");
                }
            }
        }
        assert!(accepted >= 16, "the fast path took only {accepted} inputs");
    }

    #[test]
    fn numbers_agree_with_the_general_parser() {
        let settings = FormatSettings::default();
        let inputs = [
            "0",
            "-0",
            "42",
            "-42",
            "+42",
            "1073741824",
            "999999999999999999",
            "-999999999999999999",
            "9999999999999999999",
            "12.34",
            "-0.5",
            ".5",
            "5.",
            "1e10",
            "1E-5",
            "1e400",
            "1e-400",
            "0.0",
            "NaN",
            "Infinity",
            " 1",
            "1 ",
            "1_0",
            "0x10",
            "",
            "-",
            "1.7976931348623157e308",
            "4.9e-324",
            "3.4028236e38",
            "1.5e-45",
        ];
        for s in inputs {
            if let Some(v) = int(s.as_bytes()) {
                assert_eq!(
                    general(s, Type::INT8, &settings),
                    Some(ScalarValue::Int64(Some(v))),
                    "{s}"
                );
            }
            if let Some(v) = float::<f64>(s.as_bytes()) {
                assert_eq!(
                    general(s, Type::FLOAT8, &settings),
                    Some(ScalarValue::Float64(Some(v))),
                    "{s}"
                );
            }
            if let Some(v) = float::<f32>(s.as_bytes()) {
                assert_eq!(
                    general(s, Type::FLOAT4, &settings),
                    Some(ScalarValue::Float32(Some(v))),
                    "{s}"
                );
            }
        }
        assert_eq!(int(b"1073741824"), Some(1_073_741_824));
        assert_eq!(float::<f64>(b"12.34"), Some(12.34));
        assert_eq!(int(b"+1"), None);
    }
}
