//! Session settings that change how values are rendered as text (PostgreSQL GUCs).

use chrono_tz::Tz;

/// The GUCs that affect text output and input. Field values use PostgreSQL's spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSettings {
    /// `DateStyle`, e.g. `"ISO, MDY"` (only the ISO output style is implemented).
    pub date_style: String,
    /// `IntervalStyle`: `postgres` (default), `iso_8601`, `sql_standard` or `postgres_verbose`.
    pub interval_style: String,
    /// `TimeZone`: an IANA name (`Europe/Paris`), `UTC`, or a fixed offset (`+02:00`, `-8`).
    pub time_zone: String,
    /// `extra_float_digits`: 1 (default) and above give shortest round-trip output.
    pub extra_float_digits: i32,
    /// `bytea_output`: `hex` (default) or `escape`.
    pub bytea_output: String,
}

impl Default for FormatSettings {
    fn default() -> Self {
        FormatSettings {
            date_style: "ISO, MDY".to_string(),
            interval_style: "postgres".to_string(),
            time_zone: "UTC".to_string(),
            extra_float_digits: 1,
            bytea_output: "hex".to_string(),
        }
    }
}

/// A parsed `TimeZone`: named zones follow their DST rules, offsets are fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTz {
    /// A zone from the IANA database.
    Named(Tz),
    /// Seconds east of UTC.
    Fixed(i32),
}

impl SessionTz {
    /// Parses a `TimeZone` value; `None` when PostgreSQL would reject it.
    pub fn parse(name: &str) -> Option<SessionTz> {
        let trimmed = name.trim();
        let lower = trimmed.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "utc" | "gmt" | "z" | "zulu" | "etc/utc" | "etc/gmt"
        ) {
            return Some(SessionTz::Fixed(0));
        }
        if let Some(secs) = parse_offset(trimmed) {
            return Some(SessionTz::Fixed(secs));
        }
        if let Ok(tz) = trimmed.parse::<Tz>() {
            return Some(SessionTz::Named(tz));
        }
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(trimmed))
            .map(|tz| SessionTz::Named(*tz))
    }

    /// UTC offset in seconds east of Greenwich at the UTC instant `unix_secs`.
    pub fn offset_at_utc(&self, unix_secs: i64) -> i32 {
        use chrono::{Offset, TimeZone};
        match self {
            SessionTz::Fixed(s) => *s,
            SessionTz::Named(tz) => {
                // Outside chrono's range, clamp: the zone's rules at the edge apply there.
                let clamped = unix_secs.clamp(-8_210_298_412_800, 8_210_298_412_799);
                match chrono::DateTime::from_timestamp(clamped, 0) {
                    Some(dt) => tz
                        .offset_from_utc_datetime(&dt.naive_utc())
                        .fix()
                        .local_minus_utc(),
                    None => 0,
                }
            }
        }
    }

    /// UTC offset for a local wall-clock time (seconds since the Unix epoch, read as if UTC).
    /// Like PostgreSQL, a time in a DST gap takes the offset from before the transition and
    /// an ambiguous time the offset from after it.
    pub fn offset_for_local(&self, local_secs: i64) -> i32 {
        let before = self.offset_at_utc(local_secs - 86_400);
        let after = self.offset_at_utc(local_secs + 86_400);
        if before == after {
            return before;
        }
        let fits = |o: i32| self.offset_at_utc(local_secs - i64::from(o)) == o;
        match (fits(before), fits(after)) {
            (_, true) => after,
            (true, false) => before,
            (false, false) => before,
        }
    }
}

/// `+02`, `-08:00`, `+0530`, `-8`: ISO sign convention (east positive), as `SET TIME ZONE`
/// with a numeric offset uses.
fn parse_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        b'0'..=b'9' => (1, s),
        _ => return None,
    };
    let mut parts = rest.split(':');
    let h_part = parts.next()?;
    let (h, m) = if rest.contains(':') {
        let m: i32 = parts.next()?.parse().ok()?;
        (h_part.parse::<i32>().ok()?, m)
    } else if h_part.len() == 4 {
        (h_part[..2].parse().ok()?, h_part[2..].parse().ok()?)
    } else {
        (h_part.parse().ok()?, 0)
    };
    if parts.next().is_some() || !(0..=15).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_zones() {
        assert_eq!(SessionTz::parse("UTC"), Some(SessionTz::Fixed(0)));
        assert_eq!(SessionTz::parse("+05:30"), Some(SessionTz::Fixed(19800)));
        assert_eq!(SessionTz::parse("-8"), Some(SessionTz::Fixed(-28800)));
        assert!(matches!(
            SessionTz::parse("europe/paris"),
            Some(SessionTz::Named(_))
        ));
        assert_eq!(SessionTz::parse("Nowhere/Special"), None);
    }
}
