//! date, time, timetz, timestamp and timestamptz in every DateStyle, as `EncodeDateOnly`,
//! `EncodeTimeOnly` and `EncodeDateTime` print them.

use std::fmt::Write as _;

use super::context::DateOutput;
use super::reader::malformed;
use super::{RenderContext, RenderError, tz};

pub(crate) const USECS_PER_SEC: i64 = 1_000_000;
pub(crate) const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;
/// Days from 1970-01-01 (Unix epoch) to 2000-01-01 (PostgreSQL epoch).
const UNIX_TO_PG_DAYS: i64 = 10_957;
/// Julian day number of 2000-01-01.
const POSTGRES_EPOCH_JDATE: i64 = 2_451_545;
/// Dates are valid from Julian day 0 (4714-11-24 BC) up to (not including) this Julian day.
const DATE_END_JULIAN: i64 = 2_147_483_494;
/// Timestamps are valid from 4714-11-24 BC 00:00 up to (not including) 294277-01-01.
const MIN_TIMESTAMP: i64 = -211_813_488_000_000_000;
const END_TIMESTAMP: i64 = 9_223_371_331_200_000_000;
/// Largest time-zone displacement PostgreSQL accepts for timetz (15:59:59).
const TZDISP_LIMIT: i32 = 16 * 3600;
/// PostgreSQL clips printed zone abbreviations to this many bytes (`MAXTZLEN`).
const MAX_TZ_LEN: usize = 10;
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Proleptic Gregorian (year, month, day) for days since 2000-01-01; year 0 is 1 BC.
pub(crate) fn civil_from_pg_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days_from_civil inverse, in i64 so every i32 day count is exact.
    let z = days + UNIX_TO_PG_DAYS + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // day is 1..=31 and month 1..=12 by construction.
    (year, month as u32, day as u32)
}

/// The date part alone (`EncodeDateOnly`): `2024-01-15`, `01/15/2024`, `15.01.2024`,
/// `01-15-2024`; BC years count from 1 and zero-pad to 4 digits.
fn push_date(out: &mut String, (year, month, day): (i64, u32, u32), style: (DateOutput, bool)) {
    let y = if year > 0 { year } else { 1 - year };
    let (first, second) = if style.1 { (day, month) } else { (month, day) };
    let _ = match style.0 {
        DateOutput::Iso => write!(out, "{y:04}-{month:02}-{day:02}"),
        DateOutput::Sql => write!(out, "{first:02}/{second:02}/{y:04}"),
        DateOutput::German => write!(out, "{day:02}.{month:02}.{y:04}"),
        DateOutput::Postgres => write!(out, "{first:02}-{second:02}-{y:04}"),
    };
}

fn push_bc(out: &mut String, year: i64) {
    if year <= 0 {
        out.push_str(" BC");
    }
}

/// `SS` plus `.ffffff` with trailing zeros dropped (`AppendSeconds`).
pub(crate) fn push_seconds(out: &mut String, sec: i64, usec: i64) {
    let _ = write!(out, "{:02}", sec.unsigned_abs());
    if usec != 0 {
        let frac = format!("{:06}", usec.unsigned_abs());
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
}

/// `HH:MM:SS[.ffffff]` for a non-negative time of day in microseconds.
fn push_time(out: &mut String, usecs: i64) {
    let secs = usecs / USECS_PER_SEC;
    let _ = write!(out, "{:02}:{:02}:", secs / 3600, secs / 60 % 60);
    push_seconds(out, secs % 60, usecs % USECS_PER_SEC);
}

/// `EncodeTimezone`: the offset east of UTC as `+HH`, `+HH:MM` or `+HH:MM:SS`.
pub(crate) fn push_offset(out: &mut String, east_secs: i32) {
    let sign = if east_secs >= 0 { '+' } else { '-' };
    let abs = east_secs.unsigned_abs();
    let (hour, min, sec) = (abs / 3600, abs / 60 % 60, abs % 60);
    let _ = write!(out, "{sign}{hour:02}");
    if sec != 0 {
        let _ = write!(out, ":{min:02}:{sec:02}");
    } else if min != 0 {
        let _ = write!(out, ":{min:02}");
    }
}

pub(crate) fn date(days: i32, ctx: &RenderContext) -> Result<String, RenderError> {
    match days {
        i32::MAX => return Ok("infinity".to_string()),
        i32::MIN => return Ok("-infinity".to_string()),
        _ => {}
    }
    let julian = i64::from(days) + POSTGRES_EPOCH_JDATE;
    if !(0..DATE_END_JULIAN).contains(&julian) {
        return Err(malformed("date", format!("date {days} out of range")));
    }
    let style = ctx.date_output()?;
    let ymd = civil_from_pg_days(i64::from(days));
    let mut out = String::with_capacity(16);
    push_date(&mut out, ymd, style);
    push_bc(&mut out, ymd.0);
    Ok(out)
}

pub(crate) fn time(usecs: i64) -> Result<String, RenderError> {
    if !(0..=USECS_PER_DAY).contains(&usecs) {
        return Err(malformed("time", format!("time {usecs} out of range")));
    }
    let mut out = String::with_capacity(15);
    push_time(&mut out, usecs);
    Ok(out)
}

/// timetz: a time of day plus the zone's displacement in seconds WEST of UTC.
pub(crate) fn timetz(usecs: i64, west_secs: i32) -> Result<String, RenderError> {
    if !(0..=USECS_PER_DAY).contains(&usecs) {
        return Err(malformed("timetz", format!("time {usecs} out of range")));
    }
    if !(-TZDISP_LIMIT..=TZDISP_LIMIT).contains(&west_secs) {
        return Err(malformed(
            "timetz",
            format!("time zone displacement {west_secs} out of range"),
        ));
    }
    let mut out = String::with_capacity(24);
    push_time(&mut out, usecs);
    push_offset(&mut out, -west_secs);
    Ok(out)
}

/// Checks the infinities and the valid range shared by timestamp and timestamptz.
fn finite_timestamp(type_name: &str, usecs: i64) -> Result<Option<&'static str>, RenderError> {
    match usecs {
        i64::MAX => Ok(Some("infinity")),
        i64::MIN => Ok(Some("-infinity")),
        t if (MIN_TIMESTAMP..END_TIMESTAMP).contains(&t) => Ok(None),
        t => Err(malformed(type_name, format!("timestamp {t} out of range"))),
    }
}

/// The zone shown after a timestamptz: a numeric offset in ISO style, else the abbreviation.
struct Shown {
    east_secs: i32,
    abbrev: String,
}

/// `EncodeDateTime` for microseconds since 2000-01-01 00:00 (local time for timestamptz).
fn push_timestamp(out: &mut String, usecs: i64, zone: Option<&Shown>, style: (DateOutput, bool)) {
    let days = usecs.div_euclid(USECS_PER_DAY);
    let ymd = civil_from_pg_days(days);
    let (year, month, day) = ymd;
    let abbrev = zone.map(|z| {
        let cut = (0..=MAX_TZ_LEN.min(z.abbrev.len()))
            .rev()
            .find(|i| z.abbrev.is_char_boundary(*i))
            .unwrap_or(0);
        z.abbrev.get(..cut).unwrap_or_default()
    });
    if style.0 == DateOutput::Postgres {
        let dow = DAYS
            .get(usize::try_from((days + 6).rem_euclid(7)).unwrap_or(0))
            .unwrap_or(&"");
        let mon = usize::try_from(month)
            .ok()
            .and_then(|m| m.checked_sub(1))
            .and_then(|i| MONTHS.get(i))
            .unwrap_or(&"");
        if style.1 {
            let _ = write!(out, "{dow} {day:02} {mon} ");
        } else {
            let _ = write!(out, "{dow} {mon} {day:02} ");
        }
        push_time(out, usecs.rem_euclid(USECS_PER_DAY));
        let y = if year > 0 { year } else { 1 - year };
        let _ = write!(out, " {y:04}");
        if let Some(abbrev) = abbrev {
            out.push(' ');
            out.push_str(abbrev);
        }
    } else {
        push_date(out, ymd, style);
        out.push(' ');
        push_time(out, usecs.rem_euclid(USECS_PER_DAY));
        match (zone, abbrev) {
            (Some(z), _) if style.0 == DateOutput::Iso => push_offset(out, z.east_secs),
            (_, Some(abbrev)) => {
                out.push(' ');
                out.push_str(abbrev);
            }
            _ => {}
        }
    }
    push_bc(out, year);
}

pub(crate) fn timestamp(usecs: i64, ctx: &RenderContext) -> Result<String, RenderError> {
    if let Some(inf) = finite_timestamp("timestamp", usecs)? {
        return Ok(inf.to_string());
    }
    let style = ctx.date_output()?;
    let mut out = String::with_capacity(32);
    push_timestamp(&mut out, usecs, None, style);
    Ok(out)
}

/// timestamptz: a UTC instant shown in the session time zone with that zone's offset then.
pub(crate) fn timestamptz(usecs: i64, ctx: &RenderContext) -> Result<String, RenderError> {
    if let Some(inf) = finite_timestamp("timestamptz", usecs)? {
        return Ok(inf.to_string());
    }
    let style = ctx.date_output()?;
    let zone = tz::resolve(&ctx.time_zone)?;
    let unix_secs = usecs.div_euclid(USECS_PER_SEC) + UNIX_TO_PG_DAYS * 86_400;
    let (east_secs, abbrev) = zone.at(unix_secs);
    // |offset| < 1 day and the range check above leave room below i64::MAX.
    let local = usecs + i64::from(east_secs) * USECS_PER_SEC;
    let mut out = String::with_capacity(40);
    push_timestamp(&mut out, local, Some(&Shown { east_secs, abbrev }), style);
    Ok(out)
}
