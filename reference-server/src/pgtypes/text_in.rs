//! PostgreSQL text input (typinput functions): text → Arrow scalar, with PostgreSQL's
//! acceptance rules and error messages.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use bytes::{BufMut, BytesMut};
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano};
use datafusion::scalar::ScalarValue;
use postgres_types::Type;

use super::PgTypeError;
use super::datetime::{
    UNIX_EPOCH_JDATE, USECS_PER_DAY, date2j, days_in_month, put_offset, put_time,
};
use super::interval_in::parse_interval;
use super::mapping::{PgColumnType, pg_type_to_arrow, sql_name};
use super::numeric::parse_numeric_text;
use super::settings::{FormatSettings, SessionTz};

/// Session context for text input.
pub(crate) struct InCtx {
    pub tz: SessionTz,
    /// DateStyle field order for `01/02/2024`: day first when `DMY`.
    pub day_first: bool,
    pub year_first: bool,
}

impl InCtx {
    pub fn new(s: &FormatSettings) -> Self {
        let style = s.date_style.to_ascii_uppercase();
        InCtx {
            tz: SessionTz::parse(&s.time_zone).unwrap_or(SessionTz::Fixed(0)),
            day_first: style.contains("DMY") || style.contains("EURO") || style.contains("GERMAN"),
            year_first: style.contains("YMD"),
        }
    }
}

fn is_pg_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn pg_trim(s: &str) -> &str {
    s.trim_matches(is_pg_space)
}

/// Parses `s` as a value of `col`'s type.
pub(crate) fn parse_text(
    s: &str,
    col: &PgColumnType,
    ctx: &InCtx,
) -> Result<ScalarValue, PgTypeError> {
    if let Some(elem) = col.element() {
        return parse_array(s, &elem, ctx);
    }
    let name = sql_name(&col.ty);
    Ok(match col.ty {
        Type::INT2 => ScalarValue::Int16(Some(
            parse_int(s, name)?.try_into().map_err(|_| range(name, s))?,
        )),
        Type::INT4 => ScalarValue::Int32(Some(
            parse_int(s, name)?.try_into().map_err(|_| range(name, s))?,
        )),
        Type::INT8 => ScalarValue::Int64(Some(parse_int(s, name)?)),
        Type::OID => {
            let v = parse_int(s, name)?;
            // oidin accepts negative numbers as their unsigned 32-bit equivalent.
            if !(-2_147_483_648..=4_294_967_295).contains(&v) {
                return Err(range(name, s));
            }
            let v = if v < 0 { v + 4_294_967_296 } else { v };
            ScalarValue::UInt32(Some(u32::try_from(v).map_err(|_| range(name, s))?))
        }
        Type::FLOAT4 => ScalarValue::Float32(Some(parse_f32(s)?)),
        Type::FLOAT8 => ScalarValue::Float64(Some(parse_f64(s, name)?)),
        Type::NUMERIC => parse_numeric_text(s)?.to_scalar(name, s)?,
        Type::BOOL => ScalarValue::Boolean(Some(parse_bool(s)?)),
        Type::BYTEA => ScalarValue::Binary(Some(parse_bytea(s)?)),
        Type::DATE => ScalarValue::Date32(Some(parse_date(s, ctx)?)),
        Type::TIME => ScalarValue::Time64Microsecond(Some(parse_time(s, ctx)?)),
        Type::TIMETZ => ScalarValue::Utf8(Some(canonical_timetz(s, ctx)?)),
        Type::TIMESTAMP => {
            ScalarValue::TimestampMicrosecond(Some(parse_timestamp(s, false, ctx)?), None)
        }
        Type::TIMESTAMPTZ => ScalarValue::TimestampMicrosecond(
            Some(parse_timestamp(s, true, ctx)?),
            Some(Arc::from("UTC")),
        ),
        Type::INTERVAL => {
            let (months, days, us) = parse_interval(s)?;
            ScalarValue::IntervalMonthDayNano(Some(IntervalMonthDayNano::new(
                months,
                days,
                us.checked_mul(1000)
                    .ok_or(PgTypeError::DateTimeValueOutOfRange {
                        what: "interval",
                        value: s.to_string(),
                    })?,
            )))
        }
        Type::UUID => {
            let mut out = BytesMut::with_capacity(36);
            super::text_out::put_uuid(&mut out, &parse_uuid(s)?);
            ScalarValue::Utf8(Some(String::from_utf8_lossy(&out).into_owned()))
        }
        Type::JSON => {
            validate_json(s)?;
            ScalarValue::Utf8(Some(s.to_string()))
        }
        Type::JSONB => ScalarValue::Utf8(Some(super::jsonb::normalize(s)?)),
        Type::INET | Type::CIDR => {
            let net = parse_inet(s, col.ty == Type::CIDR)?;
            ScalarValue::Utf8(Some(net.to_text()))
        }
        Type::BPCHAR => {
            let v = match col.char_length() {
                Some(n) => {
                    let len = s.chars().count();
                    let mut v = s.to_string();
                    v.extend(std::iter::repeat_n(' ', n.saturating_sub(len)));
                    v
                }
                None => s.to_string(),
            };
            ScalarValue::Utf8(Some(v))
        }
        _ => ScalarValue::Utf8(Some(s.to_string())),
    })
}

fn range(ty: &str, s: &str) -> PgTypeError {
    PgTypeError::NumericOutOfRange {
        ty: ty.to_string(),
        value: s.to_string(),
    }
}

/// pg_strtoint: optional whitespace, sign, at least one digit, optional whitespace.
pub(crate) fn parse_int(s: &str, ty: &str) -> Result<i64, PgTypeError> {
    let t = pg_trim(s);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PgTypeError::invalid(ty, s));
    }
    let mut v: i64 = 0;
    for b in digits.bytes() {
        let d = i64::from(b - b'0');
        v = v
            .checked_mul(10)
            .and_then(|v| {
                if neg {
                    v.checked_sub(d)
                } else {
                    v.checked_add(d)
                }
            })
            .ok_or_else(|| range(ty, s))?;
    }
    Ok(v)
}

fn is_inf_literal(t: &str) -> bool {
    let l = t.trim_start_matches(['+', '-']).to_ascii_lowercase();
    l == "inf" || l == "infinity"
}

fn float_mantissa_nonzero(t: &str) -> bool {
    t.chars()
        .take_while(|c| !matches!(c, 'e' | 'E'))
        .any(|c| c.is_ascii_digit() && c != '0')
}

pub(crate) fn parse_f64(s: &str, ty: &str) -> Result<f64, PgTypeError> {
    let t = pg_trim(s);
    let v: f64 = t.parse().map_err(|_| PgTypeError::invalid(ty, s))?;
    if (v.is_infinite() && !is_inf_literal(t)) || (v == 0.0 && float_mantissa_nonzero(t)) {
        return Err(PgTypeError::FloatOutOfRange {
            ty: ty.to_string(),
            value: t.to_string(),
        });
    }
    Ok(v)
}

pub(crate) fn parse_f32(s: &str) -> Result<f32, PgTypeError> {
    let t = pg_trim(s);
    let v: f32 = t.parse().map_err(|_| PgTypeError::invalid("real", s))?;
    if (v.is_infinite() && !is_inf_literal(t)) || (v == 0.0 && float_mantissa_nonzero(t)) {
        return Err(PgTypeError::FloatOutOfRange {
            ty: "real".to_string(),
            value: t.to_string(),
        });
    }
    Ok(v)
}

/// parse_bool: any unique prefix of true/false/yes/no, on/off, 1/0, case-insensitively.
pub(crate) fn parse_bool(s: &str) -> Result<bool, PgTypeError> {
    let t = pg_trim(s).to_ascii_lowercase();
    let prefix_of = |word: &str, min: usize| t.len() >= min && word.starts_with(t.as_str());
    if prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || t == "1" {
        Ok(true)
    } else if prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || t == "0" {
        Ok(false)
    } else {
        Err(PgTypeError::invalid("boolean", s))
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// byteain: `\x` hex (whitespace between bytes allowed) or the escape format.
pub(crate) fn parse_bytea(s: &str) -> Result<Vec<u8>, PgTypeError> {
    let b = s.as_bytes();
    if let Some(hex) = b.strip_prefix(b"\\x") {
        let mut out = Vec::with_capacity(hex.len() / 2);
        let mut i = 0;
        while i < hex.len() {
            let c = hex[i];
            if matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                i += 1;
                continue;
            }
            let bad_digit = |at: usize| {
                let ch = s[2..]
                    .get(at..)
                    .and_then(|r| r.chars().next())
                    .unwrap_or('?');
                PgTypeError::Other {
                    code: "22023",
                    message: format!("invalid hexadecimal digit: \"{ch}\""),
                }
            };
            let hi = hex_val(c).ok_or_else(|| bad_digit(i))?;
            let lo_c = hex.get(i + 1).ok_or_else(|| PgTypeError::Other {
                code: "22023",
                message: "invalid hexadecimal data: odd number of digits".into(),
            })?;
            let lo = hex_val(*lo_c).ok_or_else(|| bad_digit(i + 1))?;
            out.push(hi << 4 | lo);
            i += 2;
        }
        return Ok(out);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if let (Some(&d1 @ b'0'..=b'3'), Some(&d2 @ b'0'..=b'7'), Some(&d3 @ b'0'..=b'7')) =
            (b.get(i + 1), b.get(i + 2), b.get(i + 3))
        {
            out.push(((d1 - b'0') << 6) | ((d2 - b'0') << 3) | (d3 - b'0'));
            i += 4;
        } else {
            return Err(PgTypeError::invalid("bytea", s));
        }
    }
    Ok(out)
}

/// string_to_uuid: 32 hex digits, optionally braced, with a hyphen allowed after any group
/// of four digits.
pub(crate) fn parse_uuid(s: &str) -> Result<[u8; 16], PgTypeError> {
    let bad = || PgTypeError::invalid("uuid", s);
    let b = s.as_bytes();
    let (body, braced) = match b.first() {
        Some(b'{') => (&b[1..], true),
        _ => (b, false),
    };
    let mut out = [0u8; 16];
    let mut i = 0;
    for (n, byte) in out.iter_mut().enumerate() {
        let hi = body.get(i).copied().and_then(hex_val).ok_or_else(bad)?;
        let lo = body.get(i + 1).copied().and_then(hex_val).ok_or_else(bad)?;
        *byte = hi << 4 | lo;
        i += 2;
        if n % 2 == 1 && n < 15 && body.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    let rest = &body[i..];
    let ok = if braced {
        rest == b"}"
    } else {
        rest.is_empty()
    };
    if ok { Ok(out) } else { Err(bad()) }
}

fn validate_json(s: &str) -> Result<(), PgTypeError> {
    super::jsonb::normalize(s).map(|_| ())
}

// ---------------------------------------------------------------------------------------
// date / time

/// Hour, minute, second, microseconds.
type Clock = (i64, i64, i64, i64);
/// Astronomical year, month, day.
type Ymd = (i64, u32, u32);

/// What a date/time string contained.
#[derive(Default, Debug)]
struct DateTimeParts {
    date: Option<(i64, u32, u32)>,
    /// hour, minute, second, microseconds (already rounded)
    time: Option<(i64, i64, i64, i64)>,
    /// seconds east of UTC, or a named zone
    tz: Option<TzSpec>,
    special: Option<Special>,
}

#[derive(Debug, Clone, Copy)]
enum TzSpec {
    Offset(i32),
    Zone(SessionTz),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Special {
    Infinity,
    NegInfinity,
    Epoch,
    Now,
    Today,
    Tomorrow,
    Yesterday,
    Allballs,
}

fn take_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// `+HH`, `+HH:MM`, `+HHMM`, `+HH:MM:SS` → seconds east.
fn parse_numeric_offset(s: &str) -> Option<i32> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &s[1..];
    let parts: Vec<&str> = body.split(':').collect();
    let num = |p: &str| -> Option<i32> {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            p.parse().ok()
        }
    };
    let (h, m, sec) = match parts.as_slice() {
        [hm] if hm.len() == 4 && hm.bytes().all(|b| b.is_ascii_digit()) => {
            (hm[..2].parse().ok()?, hm[2..].parse().ok()?, 0)
        }
        [h] => (num(h)?, 0, 0),
        [h, m] => (num(h)?, num(m)?, 0),
        [h, m, s] => (num(h)?, num(m)?, num(s)?),
        _ => return None,
    };
    if h > 15 || m > 59 || sec > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + sec))
}

/// Parses `HH:MM[:SS[.frac]]` at the start of `s`; returns the fields and the rest.
fn parse_clock<'a>(s: &'a str, orig: &str) -> Result<(Clock, &'a str), PgTypeError> {
    let bad = || PgTypeError::invalid("time", orig);
    let (h, rest) = take_digits(s);
    if h.is_empty() || h.len() > 2 {
        return Err(bad());
    }
    let rest = rest.strip_prefix(':').ok_or_else(bad)?;
    let (m, mut rest) = take_digits(rest);
    if m.len() != 2 {
        return Err(bad());
    }
    let mut sec = 0i64;
    let mut usec = 0i64;
    if let Some(r) = rest.strip_prefix(':') {
        let (sd, r2) = take_digits(r);
        if sd.len() != 2 {
            return Err(bad());
        }
        sec = sd.parse().map_err(|_| bad())?;
        rest = r2;
        if let Some(r3) = rest.strip_prefix('.') {
            let (frac, r4) = take_digits(r3);
            let f: f64 = format!("0.{frac}").parse().map_err(|_| bad())?;
            usec = (f * 1e6).round_ties_even() as i64;
            rest = r4;
        }
    }
    let h: i64 = h.parse().map_err(|_| bad())?;
    let m: i64 = m.parse().map_err(|_| bad())?;
    Ok(((h, m, sec, usec), rest))
}

/// A month by its English name or three-letter abbreviation (`Feb`, `February`, `Sept`).
fn month_number(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let i = super::datetime::MONTH_NAMES
        .iter()
        .position(|m| m.starts_with(w.as_str()))?;
    u32::try_from(i + 1).ok()
}

/// Dates with a month name, as PostgreSQL reads them: `Feb 29 2024`, `February 29, 2024`,
/// `29 Feb 2024`, `29-Feb-2024`. The year must have 3+ digits (shorter forms are left to
/// the numeric readers, which refuse them).
fn month_name_date(s: &str) -> Option<(Ymd, usize)> {
    let word_end = |x: &str| {
        x.find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(x.len())
    };
    fn skip_sep(x: &str) -> &str {
        x.trim_start_matches([' ', '-', '/', ','])
    }
    let (month, day, rest) = if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let (word, r) = s.split_at(word_end(s));
        let month = month_number(word)?;
        let (day, r) = take_digits(skip_sep(r));
        (month, day, r)
    } else {
        let (day, r) = take_digits(s);
        let r = r.strip_prefix([' ', '-'])?;
        let (word, r) = r.split_at(word_end(r));
        (month_number(word)?, day, r)
    };
    let (year, rest) = take_digits(skip_sep(rest));
    if day.is_empty() || day.len() > 2 || year.len() < 3 {
        return None;
    }
    let used = s.len() - rest.len();
    Some(((year.parse().ok()?, month, day.parse().ok()?), used))
}

fn parse_ymd(s: &str, orig: &str, ctx: &InCtx) -> Result<Option<(Ymd, usize)>, PgTypeError> {
    let bad = || PgTypeError::invalid("date", orig);
    if let Some(named) = month_name_date(s) {
        return Ok(Some(named));
    }
    let (a, rest) = take_digits(s);
    if a.is_empty() {
        return Ok(None);
    }
    let num = |x: &str| x.parse::<i64>().map_err(|_| bad());
    // YYYY-MM-DD (or Y-M-D with a 3+ digit year)
    if let Some(r) = rest.strip_prefix('-') {
        let (b, r) = take_digits(r);
        let r = r.strip_prefix('-').ok_or_else(bad)?;
        let (c, r) = take_digits(r);
        if b.is_empty() || c.is_empty() || b.len() > 2 || c.len() > 2 {
            return Err(bad());
        }
        let used = s.len() - r.len();
        let y = num(a)?;
        // One- or two-digit years mean 1970-2069, as in PostgreSQL.
        let y = match a.len() {
            1 | 2 if y < 70 => y + 2000,
            1 | 2 => y + 1900,
            _ => y,
        };
        return Ok(Some(((y, num(b)? as u32, num(c)? as u32), used)));
    }
    if let Some(r) = rest.strip_prefix('/') {
        let (b, r) = take_digits(r);
        let r = r.strip_prefix('/').ok_or_else(bad)?;
        let (c, r) = take_digits(r);
        if b.is_empty() || c.is_empty() {
            return Err(bad());
        }
        let used = s.len() - r.len();
        let (y, m, d) = if a.len() >= 3 || ctx.year_first {
            (num(a)?, num(b)?, num(c)?)
        } else if ctx.day_first {
            (num(c)?, num(b)?, num(a)?)
        } else {
            (num(c)?, num(a)?, num(b)?)
        };
        return Ok(Some(((y, m as u32, d as u32), used)));
    }
    // YYYYMMDD
    if a.len() == 8 && (rest.is_empty() || rest.starts_with([' ', 'T', 't'])) {
        return Ok(Some((
            (num(&a[..4])?, num(&a[4..6])? as u32, num(&a[6..])? as u32),
            8,
        )));
    }
    Ok(None)
}

fn parse_datetime(s: &str, ctx: &InCtx) -> Result<DateTimeParts, PgTypeError> {
    let orig = s;
    let t = pg_trim(s);
    let mut parts = DateTimeParts::default();
    let lower = t.to_ascii_lowercase();
    let special = match lower.as_str() {
        "infinity" | "+infinity" => Some(Special::Infinity),
        "-infinity" => Some(Special::NegInfinity),
        "epoch" => Some(Special::Epoch),
        "now" => Some(Special::Now),
        "today" => Some(Special::Today),
        "tomorrow" => Some(Special::Tomorrow),
        "yesterday" => Some(Special::Yesterday),
        "allballs" => Some(Special::Allballs),
        _ => None,
    };
    if special.is_some() {
        parts.special = special;
        return Ok(parts);
    }
    let mut rest: &str = t;
    let mut bc = false;
    for (suffix, is_bc) in [(" bc", true), (" ad", false)] {
        if lower.ends_with(suffix) {
            rest = pg_trim(&rest[..rest.len() - suffix.len()]);
            bc = is_bc;
        }
    }
    if let Some((ymd, used)) = parse_ymd(rest, orig, ctx)? {
        parts.date = Some(ymd);
        rest = &rest[used..];
        rest = rest
            .strip_prefix(['T', 't'])
            .unwrap_or_else(|| rest.trim_start_matches(is_pg_space));
    }
    if rest.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        let (clock, r) = parse_clock(rest, orig)?;
        parts.time = Some(clock);
        rest = r;
    }
    let r = rest.trim_start_matches(is_pg_space);
    if parts.date.is_none() && parts.time.is_none() {
        return Err(PgTypeError::invalid("timestamp", orig));
    }
    if !r.is_empty() {
        let bad = || PgTypeError::invalid("timestamp", orig);
        let zone = if r.eq_ignore_ascii_case("z") {
            TzSpec::Offset(0)
        } else if let Some(off) = parse_numeric_offset(r) {
            TzSpec::Offset(off)
        } else if r.starts_with(|c: char| c.is_ascii_alphabetic()) {
            // Like PostgreSQL: an unknown `Area/City` is an unknown zone, any other unknown
            // word is bad syntax.
            TzSpec::Zone(SessionTz::parse(r).ok_or_else(|| {
                if r.contains('/') {
                    PgTypeError::Other {
                        code: "22023",
                        message: format!("time zone \"{r}\" not recognized"),
                    }
                } else {
                    bad()
                }
            })?)
        } else {
            return Err(bad());
        };
        parts.tz = Some(zone);
    }
    if let Some((y, m, d)) = parts.date {
        // There is no year zero in AD/BC notation.
        if y <= 0 {
            return Err(PgTypeError::FieldOutOfRange(orig.to_string()));
        }
        if bc {
            parts.date = Some((1 - y, m, d));
        }
    }
    if parts.date.is_none() && parts.time.is_none() {
        return Err(PgTypeError::invalid("timestamp", orig));
    }
    Ok(parts)
}

/// Checks date fields (astronomical year) and returns the Julian day.
fn checked_julian(
    y: i64,
    m: u32,
    d: u32,
    orig: &str,
    what: &'static str,
) -> Result<i64, PgTypeError> {
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(PgTypeError::FieldOutOfRange(orig.to_string()));
    }
    // IS_VALID_JULIAN: from 4714-11-24 BC (astronomical -4713) up to year 5874898.
    if y < -4713 || (y == -4713 && (m < 11 || (m == 11 && d < 24))) || y > 5_874_898 {
        return Err(PgTypeError::DateTimeValueOutOfRange {
            what,
            value: orig.to_string(),
        });
    }
    Ok(date2j(y, i64::from(m), i64::from(d)))
}

fn check_clock((h, m, s, us): (i64, i64, i64, i64), orig: &str) -> Result<i64, PgTypeError> {
    let total = ((h * 60 + m) * 60 + s) * 1_000_000 + us;
    if h > 24 || m > 59 || s > 60 || total > USECS_PER_DAY {
        return Err(PgTypeError::FieldOutOfRange(orig.to_string()));
    }
    Ok(total)
}

fn today_unix_days() -> i64 {
    chrono::Utc::now().timestamp().div_euclid(86_400)
}

fn need_named_parse_error(ty: &str, orig: &str, e: PgTypeError) -> PgTypeError {
    match e {
        PgTypeError::InvalidText { .. } => PgTypeError::invalid(ty, orig),
        other => other,
    }
}

/// date_in → days since 1970 (`i32::MAX`/`MIN` for ±infinity).
pub(crate) fn parse_date(s: &str, ctx: &InCtx) -> Result<i32, PgTypeError> {
    let p = parse_datetime(s, ctx).map_err(|e| need_named_parse_error("date", s, e))?;
    let days = match p.special {
        Some(Special::Infinity) => return Ok(i32::MAX),
        Some(Special::NegInfinity) => return Ok(i32::MIN),
        Some(Special::Epoch) => 0,
        Some(Special::Today | Special::Now) => today_unix_days(),
        Some(Special::Tomorrow) => today_unix_days() + 1,
        Some(Special::Yesterday) => today_unix_days() - 1,
        Some(Special::Allballs) => return Err(PgTypeError::invalid("date", s)),
        None => {
            let (y, m, d) = p.date.ok_or_else(|| PgTypeError::invalid("date", s))?;
            checked_julian(y, m, d, s, "date")? - UNIX_EPOCH_JDATE
        }
    };
    if !(-UNIX_EPOCH_JDATE..=2_147_483_494 - UNIX_EPOCH_JDATE).contains(&days) {
        return Err(PgTypeError::DateTimeValueOutOfRange {
            what: "date",
            value: s.to_string(),
        });
    }
    Ok(days as i32)
}

/// time_in → microseconds since midnight.
pub(crate) fn parse_time(s: &str, ctx: &InCtx) -> Result<i64, PgTypeError> {
    let p = parse_datetime(s, ctx)
        .map_err(|e| need_named_parse_error("time without time zone", s, e))?;
    if p.special == Some(Special::Allballs) {
        return Ok(0);
    }
    if p.special.is_some() {
        return Err(PgTypeError::invalid("time without time zone", s));
    }
    let clock = p
        .time
        .ok_or_else(|| PgTypeError::invalid("time without time zone", s))?;
    check_clock(clock, s)
}

/// timetz_in → (microseconds, seconds east of UTC).
pub(crate) fn parse_timetz_ctx(s: &str, ctx: &InCtx) -> Result<(i64, i32), PgTypeError> {
    let p =
        parse_datetime(s, ctx).map_err(|e| need_named_parse_error("time with time zone", s, e))?;
    let clock = match p.special {
        Some(Special::Allballs) => (0, 0, 0, 0),
        Some(_) => return Err(PgTypeError::invalid("time with time zone", s)),
        None => p
            .time
            .ok_or_else(|| PgTypeError::invalid("time with time zone", s))?,
    };
    let us = check_clock(clock, s)?;
    let east = match p.tz {
        Some(TzSpec::Offset(o)) => o,
        Some(TzSpec::Zone(z)) => z.offset_at_utc(chrono::Utc::now().timestamp()),
        None if p.special == Some(Special::Allballs) => 0,
        None => ctx.tz.offset_at_utc(chrono::Utc::now().timestamp()),
    };
    Ok((us, east))
}

/// Parses the canonical stored form of a timetz (`04:05:06+02`).
pub(crate) fn parse_timetz(s: &str) -> Result<(i64, i32), PgTypeError> {
    parse_timetz_ctx(s, &InCtx::new(&FormatSettings::default()))
}

fn canonical_timetz(s: &str, ctx: &InCtx) -> Result<String, PgTypeError> {
    let (us, east) = parse_timetz_ctx(s, ctx)?;
    let mut out = BytesMut::new();
    put_time(&mut out, us);
    put_offset(&mut out, east);
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// timestamp_in / timestamptz_in → microseconds since 1970 UTC (`i64::MAX`/`MIN` for
/// ±infinity). Without an explicit zone a timestamptz is read in the session time zone.
pub(crate) fn parse_timestamp(s: &str, with_tz: bool, ctx: &InCtx) -> Result<i64, PgTypeError> {
    let ty = if with_tz {
        "timestamp with time zone"
    } else {
        "timestamp without time zone"
    };
    let p = parse_datetime(s, ctx).map_err(|e| need_named_parse_error(ty, s, e))?;
    let local_us = match p.special {
        Some(Special::Infinity) => return Ok(i64::MAX),
        Some(Special::NegInfinity) => return Ok(i64::MIN),
        Some(Special::Epoch) => return Ok(0),
        Some(Special::Now) => return Ok(chrono::Utc::now().timestamp_micros()),
        Some(Special::Today) => today_unix_days() * USECS_PER_DAY,
        Some(Special::Tomorrow) => (today_unix_days() + 1) * USECS_PER_DAY,
        Some(Special::Yesterday) => (today_unix_days() - 1) * USECS_PER_DAY,
        Some(Special::Allballs) => return Err(PgTypeError::invalid(ty, s)),
        None => {
            let (y, m, d) = p.date.ok_or_else(|| PgTypeError::invalid(ty, s))?;
            let jd = checked_julian(y, m, d, s, "timestamp")?;
            let time = match p.time {
                Some(c) => check_clock(c, s)?,
                None => 0,
            };
            (jd - UNIX_EPOCH_JDATE)
                .checked_mul(USECS_PER_DAY)
                .and_then(|v| v.checked_add(time))
                .ok_or_else(|| PgTypeError::DateTimeValueOutOfRange {
                    what: "timestamp",
                    value: s.to_string(),
                })?
        }
    };
    let utc = if with_tz {
        let east = match p.tz {
            Some(TzSpec::Offset(o)) => o,
            Some(TzSpec::Zone(z)) => z.offset_for_local(local_us.div_euclid(1_000_000)),
            None => ctx.tz.offset_for_local(local_us.div_euclid(1_000_000)),
        };
        local_us
            .checked_sub(i64::from(east) * 1_000_000)
            .ok_or_else(|| PgTypeError::DateTimeValueOutOfRange {
                what: "timestamp",
                value: s.to_string(),
            })?
    } else {
        local_us
    };
    // PostgreSQL's range starts at 4714-11-24 BC; its end (294277 AD) lies beyond what
    // microseconds since 1970 fit in an i64, so that (minus the infinity sentinel) is the end.
    const MIN_US: i64 = -UNIX_EPOCH_JDATE * USECS_PER_DAY;
    if !(MIN_US..i64::MAX - 1).contains(&utc) {
        return Err(PgTypeError::DateTimeValueOutOfRange {
            what: "timestamp",
            value: s.to_string(),
        });
    }
    Ok(utc)
}

// ---------------------------------------------------------------------------------------
// inet / cidr

/// An IP network value as inet/cidr store it.
pub(crate) struct Inet {
    addr: IpAddr,
    bits: u8,
    is_cidr: bool,
}

impl Inet {
    fn max_bits(&self) -> u8 {
        if self.addr.is_ipv4() { 32 } else { 128 }
    }

    /// inet_out / cidr_out: the prefix is shown unless it is the full width (inet only).
    pub fn to_text(&self) -> String {
        if !self.is_cidr && self.bits == self.max_bits() {
            self.addr.to_string()
        } else {
            format!("{}/{}", self.addr, self.bits)
        }
    }

    /// inet_send: family, bits, is_cidr, address length, address bytes.
    pub fn put_binary(&self, out: &mut BytesMut) {
        match self.addr {
            IpAddr::V4(a) => {
                out.put_slice(&[2, self.bits, u8::from(self.is_cidr), 4]);
                out.put_slice(&a.octets());
            }
            IpAddr::V6(a) => {
                out.put_slice(&[3, self.bits, u8::from(self.is_cidr), 16]);
                out.put_slice(&a.octets());
            }
        }
    }
}

pub(crate) fn parse_inet(s: &str, is_cidr: bool) -> Result<Inet, PgTypeError> {
    let ty = if is_cidr { "cidr" } else { "inet" };
    let bad = || PgTypeError::invalid(ty, s);
    let t = pg_trim(s);
    let (addr_s, bits_s) = match t.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (t, None),
    };
    let addr: IpAddr = match addr_s.parse() {
        Ok(a) => a,
        // cidr accepts abbreviated IPv4 networks such as 10.1/16
        Err(_) if is_cidr && !addr_s.contains(':') => {
            let mut octets = [0u8; 4];
            let parts: Vec<&str> = addr_s.split('.').collect();
            if parts.is_empty() || parts.len() > 4 {
                return Err(bad());
            }
            for (o, p) in octets.iter_mut().zip(&parts) {
                *o = p.parse().map_err(|_| bad())?;
            }
            IpAddr::V4(Ipv4Addr::from(octets))
        }
        Err(_) => return Err(bad()),
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let bits = match bits_s {
        Some(b) => {
            let v: u8 = b.parse().map_err(|_| bad())?;
            if v > max {
                return Err(bad());
            }
            v
        }
        None => max,
    };
    if is_cidr {
        let host_bits_set = match addr {
            IpAddr::V4(a) => {
                let v = u32::from(a);
                bits < 32 && v & (u32::MAX >> bits) != 0
            }
            IpAddr::V6(a) => {
                let v = u128::from(a);
                bits < 128 && v & (u128::MAX >> bits) != 0
            }
        };
        if host_bits_set {
            return Err(PgTypeError::InvalidText {
                ty: "cidr".into(),
                value: s.to_string(),
            });
        }
    }
    Ok(Inet {
        addr,
        bits,
        is_cidr,
    })
}

/// Decodes inet_send's form into the text PostgreSQL would print.
pub(crate) fn inet_binary_to_text(b: &[u8], is_cidr: bool) -> Result<String, PgTypeError> {
    let bad = || {
        PgTypeError::InvalidBinary(format!(
            "invalid length in external \"{}\" value",
            if is_cidr { "cidr" } else { "inet" }
        ))
    };
    let (family, bits, nb) = match b {
        [f, bits, _, nb, ..] => (*f, *bits, *nb as usize),
        _ => return Err(bad()),
    };
    let addr_bytes = b.get(4..).ok_or_else(bad)?;
    if addr_bytes.len() != nb {
        return Err(bad());
    }
    let addr = match (family, nb) {
        (2, 4) => IpAddr::V4(Ipv4Addr::new(
            addr_bytes[0],
            addr_bytes[1],
            addr_bytes[2],
            addr_bytes[3],
        )),
        (3, 16) => {
            let mut o = [0u8; 16];
            o.copy_from_slice(addr_bytes);
            IpAddr::V6(Ipv6Addr::from(o))
        }
        _ => return Err(bad()),
    };
    let net = Inet {
        addr,
        bits,
        is_cidr,
    };
    if bits > net.max_bits() {
        return Err(bad());
    }
    Ok(net.to_text())
}

// ---------------------------------------------------------------------------------------
// arrays

/// array_in for one-dimensional (and rectangular multi-dimensional) arrays.
fn parse_array(s: &str, elem: &PgColumnType, ctx: &InCtx) -> Result<ScalarValue, PgTypeError> {
    let bad = |detail: &str| PgTypeError::Other {
        code: "22P02",
        message: format!("malformed array literal: \"{s}\"{detail}"),
    };
    let elem_type = pg_type_to_arrow(elem)?;
    let t = pg_trim(s);
    // Skip an explicit dimension decoration such as [1:3]=
    let body = if t.starts_with('[') {
        match t.find('=') {
            Some(i) => pg_trim(&t[i + 1..]),
            None => return Err(bad("")),
        }
    } else {
        t
    };
    let bytes = body.as_bytes();
    let mut pos = 0;
    let value = parse_array_level(bytes, &mut pos, elem, &elem_type, ctx, &bad)?;
    while pos < bytes.len() && is_pg_space(bytes[pos] as char) {
        pos += 1;
    }
    if pos != bytes.len() {
        return Err(bad(""));
    }
    Ok(value)
}

fn parse_array_level(
    b: &[u8],
    pos: &mut usize,
    elem: &PgColumnType,
    elem_type: &DataType,
    ctx: &InCtx,
    bad: &dyn Fn(&str) -> PgTypeError,
) -> Result<ScalarValue, PgTypeError> {
    let skip_ws = |pos: &mut usize| {
        while *pos < b.len() && is_pg_space(b[*pos] as char) {
            *pos += 1;
        }
    };
    skip_ws(pos);
    if b.get(*pos) != Some(&b'{') {
        return Err(bad(""));
    }
    *pos += 1;
    let mut items: Vec<ScalarValue> = Vec::new();
    let mut nested = false;
    skip_ws(pos);
    if b.get(*pos) == Some(&b'}') {
        *pos += 1;
        return Ok(ScalarValue::List(ScalarValue::new_list_nullable(
            &[],
            elem_type,
        )));
    }
    loop {
        skip_ws(pos);
        if b.get(*pos) == Some(&b'{') {
            nested = true;
            items.push(parse_array_level(b, pos, elem, elem_type, ctx, bad)?);
        } else {
            if nested {
                return Err(bad(""));
            }
            let (text, quoted) = read_array_item(b, pos, bad)?;
            if !quoted && text.eq_ignore_ascii_case("null") {
                items.push(ScalarValue::try_from(elem_type).map_err(|_| bad(""))?);
            } else {
                items.push(coerce(parse_text(&text, elem, ctx)?, elem_type)?);
            }
        }
        skip_ws(pos);
        match b.get(*pos) {
            Some(b',') => *pos += 1,
            Some(b'}') => {
                *pos += 1;
                break;
            }
            _ => return Err(bad("")),
        }
    }
    let item_type = if nested {
        items
            .first()
            .map(|v| v.data_type())
            .unwrap_or_else(|| elem_type.clone())
    } else {
        elem_type.clone()
    };
    Ok(ScalarValue::List(ScalarValue::new_list_nullable(
        &items, &item_type,
    )))
}

/// Casts a parsed element to the array's element type, so list building sees one type.
pub(crate) fn coerce(v: ScalarValue, dt: &DataType) -> Result<ScalarValue, PgTypeError> {
    if v.data_type() == *dt {
        return Ok(v);
    }
    v.cast_to(dt).map_err(|_| PgTypeError::NumericOverflow)
}

/// One element: double-quoted with backslash escapes, or bare up to `,` / `}` (backslashes
/// escape there too; surrounding whitespace is dropped).
fn read_array_item(
    b: &[u8],
    pos: &mut usize,
    bad: &dyn Fn(&str) -> PgTypeError,
) -> Result<(String, bool), PgTypeError> {
    let mut out = Vec::new();
    if b.get(*pos) == Some(&b'"') {
        *pos += 1;
        loop {
            match b.get(*pos) {
                None => return Err(bad("")),
                Some(b'"') => {
                    *pos += 1;
                    break;
                }
                Some(b'\\') => {
                    let c = b.get(*pos + 1).ok_or_else(|| bad(""))?;
                    out.push(*c);
                    *pos += 2;
                }
                Some(c) => {
                    out.push(*c);
                    *pos += 1;
                }
            }
        }
        let s = String::from_utf8(out).map_err(|_| bad(""))?;
        return Ok((s, true));
    }
    let mut trailing_ws_start = None;
    loop {
        match b.get(*pos) {
            None => return Err(bad("")),
            Some(b',' | b'}') => break,
            Some(b'{' | b'"') => return Err(bad("")),
            Some(b'\\') => {
                let c = b.get(*pos + 1).ok_or_else(|| bad(""))?;
                out.push(*c);
                *pos += 2;
                trailing_ws_start = None;
            }
            Some(&c) => {
                if is_pg_space(c as char) {
                    if trailing_ws_start.is_none() {
                        trailing_ws_start = Some(out.len());
                    }
                } else {
                    trailing_ws_start = None;
                }
                out.push(c);
                *pos += 1;
            }
        }
    }
    if let Some(t) = trailing_ws_start {
        out.truncate(t);
    }
    if out.is_empty() {
        return Err(bad(""));
    }
    let s = String::from_utf8(out).map_err(|_| bad(""))?;
    Ok((s, false))
}
