//! interval in IntervalStyle `postgres`, as `EncodeInterval` prints it:
//! `1 year 2 mons -3 days +04:05:06.789`.

use std::fmt::Write as _;

use super::datetime::{USECS_PER_SEC, push_seconds};
use super::{RenderContext, RenderError, Reader};

pub(crate) fn render(r: &mut Reader<'_>, ctx: &RenderContext) -> Result<String, RenderError> {
    let usecs = r.i64()?;
    let days = r.i32()?;
    let months = r.i32()?;
    if !ctx.interval_style.trim().eq_ignore_ascii_case("postgres") {
        return Err(RenderError::Unsupported(format!(
            "IntervalStyle {}",
            ctx.interval_style
        )));
    }
    // interval2itm: C division truncates toward zero, so every field shares its source's sign.
    let year = i64::from(months / 12);
    let mon = i64::from(months % 12);
    let hour = usecs / (3600 * USECS_PER_SEC);
    let min = usecs / (60 * USECS_PER_SEC) % 60;
    let sec = usecs / USECS_PER_SEC % 60;
    let fsec = usecs % USECS_PER_SEC;

    let mut out = String::new();
    let mut is_zero = true;
    let mut is_before = false;
    for (value, unit) in [(year, "year"), (mon, "mon"), (i64::from(days), "day")] {
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
    if is_zero || usecs != 0 {
        let minus = usecs < 0;
        let _ = write!(
            out,
            "{}{}{:02}:{:02}:",
            if is_zero { "" } else { " " },
            if minus { "-" } else if is_before { "+" } else { "" },
            hour.unsigned_abs(),
            min.unsigned_abs(),
        );
        push_seconds(&mut out, sec, fsec);
    }
    Ok(out)
}
