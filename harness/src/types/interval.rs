//! interval in each IntervalStyle, as `EncodeInterval` prints it: `postgres`
//! (`1 year 2 mons -3 days +04:05:06.789`), `postgres_verbose` (`@ 1 year 2 mons ago`),
//! `sql_standard` (`+1-2 -3 +4:05:06.789`) and `iso_8601` (`P1Y2M-3DT4H5M6.789S`).

use std::fmt::Write as _;

use super::datetime::USECS_PER_SEC;
use super::{Reader, RenderContext, RenderError};

/// `interval2itm`'s fields. C division truncates toward zero, so each field has its source's
/// sign.
struct Fields {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    fsec: i64,
}

pub(crate) fn render(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    let usecs = r.i64()?;
    let days = r.i32()?;
    let months = r.i32()?;
    let f = Fields {
        year: i64::from(months / 12),
        mon: i64::from(months % 12),
        mday: i64::from(days),
        hour: usecs / (3600 * USECS_PER_SEC),
        min: usecs / (60 * USECS_PER_SEC) % 60,
        sec: usecs / USECS_PER_SEC % 60,
        fsec: usecs % USECS_PER_SEC,
    };
    match ctx.interval_style.trim().to_ascii_lowercase().as_str() {
        "postgres" => Ok(postgres(&f)),
        "postgres_verbose" => Ok(verbose(&f)),
        "sql_standard" => Ok(sql_standard(f)),
        "iso_8601" => Ok(iso_8601(&f)),
        other => Err(RenderError::Unsupported(format!("IntervalStyle {other}"))),
    }
}

/// `AppendSeconds`: |sec| (two digits if `fill`), then `.ffffff` without trailing zeros.
fn push_seconds(out: &mut String, sec: i64, fsec: i64, fill: bool) {
    if fill {
        let _ = write!(out, "{:02}", sec.unsigned_abs());
    } else {
        let _ = write!(out, "{}", sec.unsigned_abs());
    }
    if fsec != 0 {
        let frac = format!("{:06}", fsec.unsigned_abs());
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
}

fn postgres(f: &Fields) -> String {
    let mut out = String::new();
    let mut is_zero = true;
    let mut is_before = false;
    for (value, unit) in [(f.year, "year"), (f.mon, "mon"), (f.mday, "day")] {
        if value == 0 {
            continue;
        }
        let _ = write!(
            out,
            "{}{}{value} {unit}{}",
            if is_zero { "" } else { " " },
            if is_before && value > 0 { "+" } else { "" },
            if value != 1 { "s" } else { "" },
        );
        // As in PostgreSQL, each nonzero field decides the "+" of the next one only.
        is_before = value < 0;
        is_zero = false;
    }
    if is_zero || f.hour != 0 || f.min != 0 || f.sec != 0 || f.fsec != 0 {
        let minus = f.hour < 0 || f.min < 0 || f.sec < 0 || f.fsec < 0;
        let _ = write!(
            out,
            "{}{}{:02}:{:02}:",
            if is_zero { "" } else { " " },
            if minus {
                "-"
            } else if is_before {
                "+"
            } else {
                ""
            },
            f.hour.unsigned_abs(),
            f.min.unsigned_abs(),
        );
        push_seconds(&mut out, f.sec, f.fsec, true);
    }
    out
}

fn verbose(f: &Fields) -> String {
    let mut out = String::from("@");
    let mut is_zero = true;
    let mut is_before = false;
    for (value, unit) in [
        (f.year, "year"),
        (f.mon, "mon"),
        (f.mday, "day"),
        (f.hour, "hour"),
        (f.min, "min"),
    ] {
        if value == 0 {
            continue;
        }
        // The first nonzero field decides "ago"; later ones print relative to it.
        let shown = if is_zero {
            is_before = value < 0;
            value.abs()
        } else if is_before {
            -value
        } else {
            value
        };
        let _ = write!(out, " {shown} {unit}{}", if shown == 1 { "" } else { "s" });
        is_zero = false;
    }
    if f.sec != 0 || f.fsec != 0 {
        out.push(' ');
        if f.sec < 0 || (f.sec == 0 && f.fsec < 0) {
            if is_zero {
                is_before = true;
            } else if !is_before {
                out.push('-');
            }
        } else if is_before {
            out.push('-');
        }
        push_seconds(&mut out, f.sec, f.fsec, false);
        let plural = f.sec.abs() != 1 || f.fsec != 0;
        let _ = write!(out, " sec{}", if plural { "s" } else { "" });
        is_zero = false;
    }
    if is_zero {
        out.push_str(" 0");
    }
    if is_before {
        out.push_str(" ago");
    }
    out
}

fn sql_standard(mut f: Fields) -> String {
    let parts = [f.year, f.mon, f.mday, f.hour, f.min, f.sec, f.fsec];
    let has_negative = parts.iter().any(|v| *v < 0);
    let has_positive = parts.iter().any(|v| *v > 0);
    let has_year_month = f.year != 0 || f.mon != 0;
    let has_day_time = f.mday != 0 || f.hour != 0 || f.min != 0 || f.sec != 0 || f.fsec != 0;
    let standard = !(has_negative && has_positive) && !(has_year_month && has_day_time);
    let mut out = String::new();
    if has_negative && standard {
        out.push('-');
        f = Fields {
            year: -f.year,
            mon: -f.mon,
            mday: -f.mday,
            hour: -f.hour,
            min: -f.min,
            sec: -f.sec,
            fsec: -f.fsec,
        };
    }
    if !has_negative && !has_positive {
        out.push('0');
    } else if !standard {
        let year_sign = if f.year < 0 || f.mon < 0 { '-' } else { '+' };
        let day_sign = if f.mday < 0 { '-' } else { '+' };
        let sec_sign = if f.hour < 0 || f.min < 0 || f.sec < 0 || f.fsec < 0 {
            '-'
        } else {
            '+'
        };
        let _ = write!(
            out,
            "{year_sign}{}-{} {day_sign}{} {sec_sign}{}:{:02}:",
            f.year.unsigned_abs(),
            f.mon.unsigned_abs(),
            f.mday.unsigned_abs(),
            f.hour.unsigned_abs(),
            f.min.unsigned_abs(),
        );
        push_seconds(&mut out, f.sec, f.fsec, true);
    } else if has_year_month {
        let _ = write!(out, "{}-{}", f.year, f.mon);
    } else {
        if f.mday != 0 {
            let _ = write!(out, "{} ", f.mday);
        }
        let _ = write!(out, "{}:{:02}:", f.hour, f.min);
        push_seconds(&mut out, f.sec, f.fsec, true);
    }
    out
}

fn iso_8601(f: &Fields) -> String {
    let time_zero = f.hour == 0 && f.min == 0 && f.sec == 0 && f.fsec == 0;
    if f.year == 0 && f.mon == 0 && f.mday == 0 && time_zero {
        return "PT0S".to_string();
    }
    let mut out = String::from("P");
    let part = |out: &mut String, value: i64, unit: char| {
        if value != 0 {
            let _ = write!(out, "{value}{unit}");
        }
    };
    part(&mut out, f.year, 'Y');
    part(&mut out, f.mon, 'M');
    part(&mut out, f.mday, 'D');
    if !time_zero {
        out.push('T');
    }
    part(&mut out, f.hour, 'H');
    part(&mut out, f.min, 'M');
    if f.sec != 0 || f.fsec != 0 {
        if f.sec < 0 || f.fsec < 0 {
            out.push('-');
        }
        push_seconds(&mut out, f.sec, f.fsec, false);
        out.push('S');
    }
    out
}
