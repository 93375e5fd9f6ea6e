//! UTC offsets for the session `TimeZone`, read from the same IANA database (the system's
//! `/usr/share/zoneinfo`) that Debian's PostgreSQL uses, through `jiff`.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::RenderError;

/// Seconds in 400 Gregorian years: time-zone rules repeat with this period, which lets instants
/// beyond `jiff`'s year range ±9999 (PostgreSQL goes to 4713 BC and 294276 AD) borrow the
/// offset of an equivalent instant inside it.
const CYCLE_SECS: i64 = 146_097 * 86_400;

/// Resolves the `TimeZone` setting as PostgreSQL does: a zone name first, else a POSIX spec
/// (`<+02>-02`, `UTC+5`; POSIX signs are west-positive).
pub(crate) fn resolve(name: &str) -> Result<TimeZone, RenderError> {
    let name = name.trim();
    TimeZone::get(name)
        .or_else(|_| TimeZone::posix(name))
        .map_err(|e| RenderError::Unsupported(format!("time zone {name:?}: {e}")))
}

/// The zone's UTC offset (seconds east) at `unix_secs`.
pub(crate) fn offset_at(zone: &TimeZone, unix_secs: i64) -> i32 {
    let min = Timestamp::MIN.as_second();
    let max = Timestamp::MAX.as_second();
    let mut t = unix_secs;
    if t < min {
        t += (min - t).div_euclid(CYCLE_SECS).saturating_add(1).saturating_mul(CYCLE_SECS);
    } else if t > max {
        t -= (t - max).div_euclid(CYCLE_SECS).saturating_add(1).saturating_mul(CYCLE_SECS);
    }
    Timestamp::from_second(t.clamp(min, max))
        .map(|ts| zone.to_offset(ts).seconds())
        .unwrap_or(0)
}
