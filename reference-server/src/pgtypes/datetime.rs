//! Calendar arithmetic and PostgreSQL's ISO date/time text output.
//!
//! PostgreSQL counts from 2000-01-01 and supports dates far beyond chrono's range (and BC
//! years), so the Julian-day arithmetic is done here, following PostgreSQL's own formulas.

use bytes::{BufMut, BytesMut};

use super::settings::SessionTz;

/// Days from 1970-01-01 (Arrow's epoch) to 2000-01-01 (PostgreSQL's).
pub const UNIX_TO_PG_DAYS: i64 = 10_957;
/// English month names, lower case, January first (input and to_date templates).
pub const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// Microseconds from 1970-01-01 to 2000-01-01.
pub const UNIX_TO_PG_USECS: i64 = UNIX_TO_PG_DAYS * USECS_PER_DAY;
pub const USECS_PER_DAY: i64 = 86_400_000_000;
pub const USECS_PER_SEC: i64 = 1_000_000;
/// Julian day of 1970-01-01.
pub const UNIX_EPOCH_JDATE: i64 = 2_440_588;

/// Julian day number of a proleptic Gregorian date (astronomical year: 0 is 1 BC).
pub fn date2j(year: i64, month: i64, day: i64) -> i64 {
    let (y, m) = if month > 2 {
        (year + 4800, month + 1)
    } else {
        (year + 4799, month + 13)
    };
    let century = y.div_euclid(100);
    let mut julian = y * 365 - 32167;
    julian += y.div_euclid(4) - century + century.div_euclid(4);
    julian + 7834 * m / 256 + day
}

/// Inverse of [`date2j`]: (astronomical year, month, day).
pub fn j2date(jd: i64) -> (i64, u32, u32) {
    let mut julian = jd + 32044;
    let quad = julian.div_euclid(146_097);
    let extra = (julian - quad * 146_097) * 4 + 3;
    julian += 60 + quad * 3 + extra / 146_097;
    let quad = julian.div_euclid(1461);
    julian -= quad * 1461;
    let mut y = julian * 4 / 1461;
    julian = if y != 0 {
        (julian + 305) % 365
    } else {
        (julian + 306) % 366
    } + 123;
    y += quad * 4;
    let quad = julian * 2141 / 65536;
    let day = julian - 7834 * quad / 256;
    let month = (quad + 10) % 12 + 1;
    (y - 4800, month as u32, day as u32)
}

/// Days in a month of an astronomical year.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0);
    match month {
        2 if leap => 29,
        1..=12 => DAYS[(month - 1) as usize],
        _ => 0,
    }
}

pub fn put_padded(out: &mut BytesMut, v: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let s = buf.format(v);
    for _ in s.len()..width {
        out.put_u8(b'0');
    }
    out.put_slice(s.as_bytes());
}

/// `HH:MM:SS[.ffffff]` with trailing fractional zeros trimmed, as PostgreSQL prints times.
pub fn put_hms(out: &mut BytesMut, hour: u64, min: u64, sec: u64, usec: u64) {
    put_padded(out, hour, 2);
    out.put_u8(b':');
    put_padded(out, min, 2);
    out.put_u8(b':');
    put_seconds(out, sec, usec);
}

/// `SS[.ffffff]`: PostgreSQL's AppendSeconds with fill zeros.
pub fn put_seconds(out: &mut BytesMut, sec: u64, usec: u64) {
    put_padded(out, sec, 2);
    if usec != 0 {
        let mut digits = [b'0'; 6];
        let mut v = usec;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
        let len = digits.iter().rposition(|&d| d != b'0').map_or(0, |p| p + 1);
        out.put_u8(b'.');
        out.put_slice(&digits[..len]);
    }
}

fn put_ymd(out: &mut BytesMut, year: i64, month: u32, day: u32) {
    let display_year = if year > 0 { year } else { 1 - year };
    put_padded(out, display_year.unsigned_abs(), 4);
    out.put_u8(b'-');
    put_padded(out, u64::from(month), 2);
    out.put_u8(b'-');
    put_padded(out, u64::from(day), 2);
}

/// A date given as days since 1970-01-01; `i32::MAX`/`i32::MIN` are `infinity`/`-infinity`.
pub fn put_date(out: &mut BytesMut, unix_days: i64) {
    if unix_days == i64::from(i32::MAX) {
        out.put_slice(b"infinity");
        return;
    }
    if unix_days == i64::from(i32::MIN) {
        out.put_slice(b"-infinity");
        return;
    }
    let (y, m, d) = j2date(unix_days + UNIX_EPOCH_JDATE);
    put_ymd(out, y, m, d);
    if y <= 0 {
        out.put_slice(b" BC");
    }
}

/// A time of day in microseconds (`24:00:00` allowed, as in PostgreSQL).
pub fn put_time(out: &mut BytesMut, usecs: i64) {
    let u = usecs.max(0) as u64;
    let secs = u / 1_000_000;
    put_hms(out, secs / 3600, secs / 60 % 60, secs % 60, u % 1_000_000);
}

/// `+HH`, `+HH:MM` or `+HH:MM:SS` for an offset in seconds east of UTC (EncodeTimezone).
pub fn put_offset(out: &mut BytesMut, east_secs: i32) {
    out.put_u8(if east_secs >= 0 { b'+' } else { b'-' });
    let abs = u64::from(east_secs.unsigned_abs());
    let (hour, min, sec) = (abs / 3600, abs / 60 % 60, abs % 60);
    put_padded(out, hour, 2);
    if sec != 0 || min != 0 {
        out.put_u8(b':');
        put_padded(out, min, 2);
    }
    if sec != 0 {
        out.put_u8(b':');
        put_padded(out, sec, 2);
    }
}

/// A timestamp in microseconds since 1970 (`i64::MAX`/`MIN` are ±infinity); with a zone,
/// rendered as local time plus offset, like timestamptz.
pub fn put_timestamp(out: &mut BytesMut, unix_usecs: i64, tz: Option<&SessionTz>) {
    if unix_usecs == i64::MAX {
        out.put_slice(b"infinity");
        return;
    }
    if unix_usecs == i64::MIN {
        out.put_slice(b"-infinity");
        return;
    }
    let offset = tz.map(|z| z.offset_at_utc(unix_usecs.div_euclid(USECS_PER_SEC)));
    let local = unix_usecs.saturating_add(i64::from(offset.unwrap_or(0)) * USECS_PER_SEC);
    let days = local.div_euclid(USECS_PER_DAY);
    let time = local.rem_euclid(USECS_PER_DAY) as u64;
    let (y, m, d) = j2date(days + UNIX_EPOCH_JDATE);
    put_ymd(out, y, m, d);
    out.put_u8(b' ');
    let secs = time / 1_000_000;
    put_hms(
        out,
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        time % 1_000_000,
    );
    if let Some(off) = offset {
        put_offset(out, off);
    }
    if y <= 0 {
        out.put_slice(b" BC");
    }
}

/// Interval fields as PostgreSQL splits them (all truncating toward zero).
struct IntervalParts {
    year: i64,
    mon: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    fsec: i64,
}

impl IntervalParts {
    fn new(months: i64, days: i64, usecs: i64) -> Self {
        let hour = usecs / 3_600_000_000;
        let rest = usecs - hour * 3_600_000_000;
        let min = rest / 60_000_000;
        let rest = rest - min * 60_000_000;
        IntervalParts {
            year: months / 12,
            mon: months % 12,
            day: days,
            hour,
            min,
            sec: rest / 1_000_000,
            fsec: rest % 1_000_000,
        }
    }
}

/// The interval output styles of the `IntervalStyle` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalStyle {
    Postgres,
    PostgresVerbose,
    SqlStandard,
    Iso8601,
}

impl IntervalStyle {
    pub fn parse(s: &str) -> IntervalStyle {
        match s.to_ascii_lowercase().as_str() {
            "iso_8601" => IntervalStyle::Iso8601,
            "sql_standard" => IntervalStyle::SqlStandard,
            "postgres_verbose" => IntervalStyle::PostgresVerbose,
            _ => IntervalStyle::Postgres,
        }
    }
}

fn put_int(out: &mut BytesMut, v: i64) {
    out.put_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// An interval in the given style (PostgreSQL's EncodeInterval).
pub fn put_interval(out: &mut BytesMut, months: i64, days: i64, usecs: i64, style: IntervalStyle) {
    let p = IntervalParts::new(months, days, usecs);
    match style {
        IntervalStyle::Postgres => put_interval_postgres(out, &p),
        IntervalStyle::Iso8601 => put_interval_iso(out, &p),
        IntervalStyle::SqlStandard => put_interval_sql(out, &p),
        IntervalStyle::PostgresVerbose => put_interval_verbose(out, &p),
    }
}

fn put_interval_postgres(out: &mut BytesMut, p: &IntervalParts) {
    let mut is_zero = true;
    let mut is_before = false;
    for (value, unit) in [(p.year, "year"), (p.mon, "mon"), (p.day, "day")] {
        if value == 0 {
            continue;
        }
        if !is_zero {
            out.put_u8(b' ');
        }
        if is_before && value > 0 {
            out.put_u8(b'+');
        }
        put_int(out, value);
        out.put_u8(b' ');
        out.put_slice(unit.as_bytes());
        if value != 1 {
            out.put_u8(b's');
        }
        is_before = value < 0;
        is_zero = false;
    }
    if is_zero || p.hour != 0 || p.min != 0 || p.sec != 0 || p.fsec != 0 {
        let minus = p.hour < 0 || p.min < 0 || p.sec < 0 || p.fsec < 0;
        if !is_zero {
            out.put_u8(b' ');
        }
        if minus {
            out.put_u8(b'-');
        } else if is_before {
            out.put_u8(b'+');
        }
        put_hms(
            out,
            p.hour.unsigned_abs(),
            p.min.unsigned_abs(),
            p.sec.unsigned_abs(),
            p.fsec.unsigned_abs(),
        );
    }
}

fn put_interval_verbose(out: &mut BytesMut, p: &IntervalParts) {
    out.put_u8(b'@');
    let mut is_zero = true;
    let mut is_before = false;
    // AddVerboseIntPart: the first non-zero field sets "ago"; later ones are shown relative
    // to it.
    for (value, unit) in [
        (p.year, "year"),
        (p.mon, "mon"),
        (p.day, "day"),
        (p.hour, "hour"),
        (p.min, "min"),
    ] {
        if value == 0 {
            continue;
        }
        let shown = if is_zero {
            is_before = value < 0;
            value.abs()
        } else if is_before {
            -value
        } else {
            value
        };
        out.put_u8(b' ');
        put_int(out, shown);
        out.put_u8(b' ');
        out.put_slice(unit.as_bytes());
        if shown != 1 {
            out.put_u8(b's');
        }
        is_zero = false;
    }
    if p.sec != 0 || p.fsec != 0 {
        out.put_u8(b' ');
        if p.sec < 0 || (p.sec == 0 && p.fsec < 0) {
            if is_zero {
                is_before = true;
            } else if !is_before {
                out.put_u8(b'-');
            }
        } else if is_before {
            out.put_u8(b'-');
        }
        put_int(out, p.sec.abs());
        put_fraction(out, p.fsec.unsigned_abs());
        out.put_slice(if p.sec.abs() != 1 || p.fsec != 0 {
            b" secs"
        } else {
            b" sec"
        });
        is_zero = false;
    }
    if is_zero {
        out.put_slice(b" 0");
    }
    if is_before {
        out.put_slice(b" ago");
    }
}

fn put_fraction(out: &mut BytesMut, usec: u64) {
    if usec == 0 {
        return;
    }
    let mut tmp = BytesMut::new();
    put_seconds(&mut tmp, 0, usec);
    out.put_slice(&tmp[2..]);
}

fn put_interval_iso(out: &mut BytesMut, p: &IntervalParts) {
    if p.year == 0
        && p.mon == 0
        && p.day == 0
        && p.hour == 0
        && p.min == 0
        && p.sec == 0
        && p.fsec == 0
    {
        out.put_slice(b"PT0S");
        return;
    }
    out.put_u8(b'P');
    for (v, c) in [(p.year, b'Y'), (p.mon, b'M'), (p.day, b'D')] {
        if v != 0 {
            put_int(out, v);
            out.put_u8(c);
        }
    }
    if p.hour != 0 || p.min != 0 || p.sec != 0 || p.fsec != 0 {
        out.put_u8(b'T');
    }
    for (v, c) in [(p.hour, b'H'), (p.min, b'M')] {
        if v != 0 {
            put_int(out, v);
            out.put_u8(c);
        }
    }
    if p.sec != 0 || p.fsec != 0 {
        if p.sec < 0 || p.fsec < 0 {
            out.put_u8(b'-');
        }
        put_int(out, p.sec.abs());
        put_fraction(out, p.fsec.unsigned_abs());
        out.put_u8(b'S');
    }
}

fn put_interval_sql(out: &mut BytesMut, p: &IntervalParts) {
    let has_neg =
        p.year < 0 || p.mon < 0 || p.day < 0 || p.hour < 0 || p.min < 0 || p.sec < 0 || p.fsec < 0;
    let has_pos =
        p.year > 0 || p.mon > 0 || p.day > 0 || p.hour > 0 || p.min > 0 || p.sec > 0 || p.fsec > 0;
    let has_ym = p.year != 0 || p.mon != 0;
    let has_day_time = p.day != 0 || p.hour != 0 || p.min != 0 || p.sec != 0 || p.fsec != 0;
    let has_day = p.day != 0;
    let sql_standard_value = !(has_neg && has_pos || has_ym && has_day_time);
    let time_part = |out: &mut BytesMut, force_sign: bool| {
        let neg = p.hour < 0 || p.min < 0 || p.sec < 0 || p.fsec < 0;
        if neg {
            out.put_u8(b'-');
        } else if force_sign {
            out.put_u8(b'+');
        }
        put_int(out, p.hour.abs());
        out.put_u8(b':');
        put_padded(out, p.min.unsigned_abs(), 2);
        out.put_u8(b':');
        put_seconds(out, p.sec.unsigned_abs(), p.fsec.unsigned_abs());
    };
    if !has_neg && !has_pos {
        out.put_u8(b'0');
    } else if !sql_standard_value {
        let year_sign = if p.year < 0 || p.mon < 0 { b'-' } else { b'+' };
        let day_sign = if p.day < 0 { b'-' } else { b'+' };
        out.put_u8(year_sign);
        put_int(out, p.year.abs());
        out.put_u8(b'-');
        put_int(out, p.mon.abs());
        out.put_u8(b' ');
        out.put_u8(day_sign);
        put_int(out, p.day.abs());
        out.put_u8(b' ');
        time_part(out, true);
    } else if has_ym {
        if has_neg {
            out.put_u8(b'-');
        }
        put_int(out, p.year.abs());
        out.put_u8(b'-');
        put_int(out, p.mon.abs());
    } else if has_day {
        if has_neg {
            out.put_u8(b'-');
        }
        put_int(out, p.day.abs());
        out.put_u8(b' ');
        put_int(out, p.hour.abs());
        out.put_u8(b':');
        put_padded(out, p.min.unsigned_abs(), 2);
        out.put_u8(b':');
        put_seconds(out, p.sec.unsigned_abs(), p.fsec.unsigned_abs());
    } else {
        time_part(out, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn julian_round_trip() {
        for jd in [0, 1, 2_440_588, 2_451_545, 1_721_425, 1_721_426, 5_373_484] {
            let (y, m, d) = j2date(jd);
            assert_eq!(date2j(y, i64::from(m), i64::from(d)), jd);
        }
        assert_eq!(j2date(2_451_545), (2000, 1, 1));
        assert_eq!(date2j(1970, 1, 1), UNIX_EPOCH_JDATE);
    }
}
