//! UTC offsets and abbreviations for the session `TimeZone`, read from the same IANA
//! database (the system's `/usr/share/zoneinfo`) that Debian's PostgreSQL uses, through `jiff`.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::RenderError;

/// Seconds in 400 Gregorian years: time-zone rules repeat with this period, which lets instants
/// beyond `jiff`'s year range ±9999 (PostgreSQL goes to 4713 BC and 294276 AD) borrow the
/// offset of an equivalent instant inside it.
const CYCLE_SECS: i64 = 146_097 * 86_400;
/// Stand-ins for quoted POSIX abbreviations (see [`resolve`]).
const PLACEHOLDERS: [&str; 2] = ["ZZA", "ZZB"];

/// A resolved session time zone.
pub(crate) struct Zone {
    tz: TimeZone,
    /// The original `<...>` abbreviations of a POSIX spec, indexed like [`PLACEHOLDERS`].
    quoted: Vec<String>,
}

/// Resolves the `TimeZone` setting as PostgreSQL does: a zone name first, else a POSIX spec
/// (`<+02>-02`, `UTC+5`; POSIX signs are west-positive). PostgreSQL reports numeric zones as
/// `<-03:30>+03:30`, whose `:` jiff's POSIX parser rejects, so quoted abbreviations are swapped
/// for placeholders (they never change the offset) and swapped back when printed.
pub(crate) fn resolve(name: &str) -> Result<Zone, RenderError> {
    let name = name.trim();
    if let Ok(tz) = TimeZone::get(name) {
        return Ok(Zone {
            tz,
            quoted: Vec::new(),
        });
    }
    let mut spec = String::with_capacity(name.len());
    let mut quoted = Vec::new();
    let mut rest = name;
    while let Some((before, after)) = rest.split_once('<') {
        let (Some((abbrev, tail)), Some(placeholder)) =
            (after.split_once('>'), PLACEHOLDERS.get(quoted.len()))
        else {
            break;
        };
        spec.push_str(before);
        spec.push('<');
        spec.push_str(placeholder);
        spec.push('>');
        quoted.push(abbrev.to_string());
        rest = tail;
    }
    spec.push_str(rest);
    TimeZone::posix(&spec)
        .map(|tz| Zone { tz, quoted })
        .map_err(|e| RenderError::Unsupported(format!("time zone {name:?}: {e}")))
}

impl Zone {
    /// The offset (seconds east of UTC) and abbreviation in force at `unix_secs`.
    pub(crate) fn at(&self, unix_secs: i64) -> (i32, String) {
        let min = Timestamp::MIN.as_second();
        let max = Timestamp::MAX.as_second();
        let mut t = unix_secs;
        if t < min {
            t += (min - t)
                .div_euclid(CYCLE_SECS)
                .saturating_add(1)
                .saturating_mul(CYCLE_SECS);
        } else if t > max {
            t -= (t - max)
                .div_euclid(CYCLE_SECS)
                .saturating_add(1)
                .saturating_mul(CYCLE_SECS);
        }
        let ts = Timestamp::from_second(t.clamp(min, max)).unwrap_or(Timestamp::UNIX_EPOCH);
        let info = self.tz.to_offset_info(ts);
        let abbrev = info.abbreviation();
        let abbrev = PLACEHOLDERS
            .iter()
            .position(|p| *p == abbrev)
            .and_then(|i| self.quoted.get(i))
            .map_or(abbrev, String::as_str);
        (info.offset().seconds(), abbrev.to_string())
    }
}
