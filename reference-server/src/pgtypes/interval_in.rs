//! interval_in: PostgreSQL's verbose (`1 year 2 mons 3 days 04:05:06`, `2 hours ago`),
//! SQL-standard (`1-2`, `3 4:05:06`) and ISO 8601 (`P1Y2M3DT4H5M6S`) input forms.

use super::PgTypeError;

/// Accumulated interval fields; fractions of larger units spill into smaller ones as
/// PostgreSQL does (a month is 30 days, a day 24 hours).
#[derive(Default)]
struct Acc {
    months: f64,
    days: f64,
    usecs: f64,
}

impl Acc {
    fn add(&mut self, value: f64, unit: Unit) {
        match unit {
            Unit::Micro => self.usecs += value,
            Unit::Milli => self.usecs += value * 1e3,
            Unit::Second => self.usecs += value * 1e6,
            Unit::Minute => self.usecs += value * 60e6,
            Unit::Hour => self.usecs += value * 3600e6,
            Unit::Day => self.add_days(value),
            Unit::Week => self.add_days(value * 7.0),
            Unit::Month => self.add_months(value),
            Unit::Year => self.add_years(value, 1.0),
            Unit::Decade => self.add_years(value, 10.0),
            Unit::Century => self.add_years(value, 100.0),
            Unit::Millennium => self.add_years(value, 1000.0),
        }
    }

    fn add_days(&mut self, v: f64) {
        let whole = v.trunc();
        self.days += whole;
        self.usecs += (v - whole) * 86_400e6;
    }

    fn add_months(&mut self, v: f64) {
        let whole = v.trunc();
        self.months += whole;
        self.add_days((v - whole) * 30.0);
    }

    fn add_years(&mut self, v: f64, per: f64) {
        let whole = v.trunc();
        self.months += whole * 12.0 * per;
        self.months += ((v - whole) * 12.0 * per).round_ties_even();
    }
}

#[derive(Clone, Copy)]
enum Unit {
    Micro,
    Milli,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
    Millennium,
}

fn unit_of(word: &str) -> Option<Unit> {
    Some(match word {
        "microsecond" | "microseconds" | "usec" | "usecs" | "us" | "microsecon" => Unit::Micro,
        "millisecond" | "milliseconds" | "msec" | "msecs" | "ms" | "millisecon" => Unit::Milli,
        "second" | "seconds" | "sec" | "secs" | "s" => Unit::Second,
        "minute" | "minutes" | "min" | "mins" | "m" => Unit::Minute,
        "hour" | "hours" | "hr" | "hrs" | "h" => Unit::Hour,
        "day" | "days" | "d" => Unit::Day,
        "week" | "weeks" | "w" => Unit::Week,
        "month" | "months" | "mon" | "mons" => Unit::Month,
        "year" | "years" | "yr" | "yrs" | "y" => Unit::Year,
        "decade" | "decades" | "dec" | "decs" => Unit::Decade,
        "century" | "centuries" | "cent" | "c" => Unit::Century,
        "millennium" | "millennia" | "mil" | "mils" => Unit::Millennium,
        _ => return None,
    })
}

/// `[-]H:MM[:SS[.f]]` → microseconds.
fn parse_clock(tok: &str) -> Option<f64> {
    let (neg, body) = match tok.as_bytes().first()? {
        b'-' => (true, &tok[1..]),
        b'+' => (false, &tok[1..]),
        _ => (false, tok),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let num = |p: &str| -> Option<f64> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        p.parse().ok()
    };
    let us = match parts.as_slice() {
        [h, m] => num(h)? * 3600e6 + num(m)? * 60e6,
        [h, m, s] => num(h)? * 3600e6 + num(m)? * 60e6 + num(s)? * 1e6,
        _ => return None,
    };
    Some(if neg { -us } else { us })
}

fn parse_iso(s: &str) -> Option<Acc> {
    let mut acc = Acc::default();
    let body = s.strip_prefix(['P', 'p'])?;
    let mut in_time = false;
    let mut rest = body;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(['T', 't']) {
            in_time = true;
            rest = r;
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..end].parse().ok()?;
        let unit = rest[end..].chars().next()?.to_ascii_uppercase();
        let u = match (unit, in_time) {
            ('Y', false) => Unit::Year,
            ('M', false) => Unit::Month,
            ('W', false) => Unit::Week,
            ('D', false) => Unit::Day,
            ('H', true) => Unit::Hour,
            ('M', true) => Unit::Minute,
            ('S', true) => Unit::Second,
            _ => return None,
        };
        acc.add(value, u);
        rest = &rest[end + 1..];
    }
    Some(acc)
}

/// Parses interval text → (months, days, microseconds).
pub fn parse_interval(s: &str) -> Result<(i32, i32, i64), PgTypeError> {
    let bad = || PgTypeError::invalid("interval", s);
    let lower = s.trim().to_ascii_lowercase();
    let acc = if lower.starts_with('p') {
        parse_iso(&lower).ok_or_else(bad)?
    } else {
        parse_verbose(&lower).ok_or_else(bad)?
    };
    finish(acc, s)
}

/// Splits `2hours` into `2` and `hours`, so attached units work as in PostgreSQL.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in s.split(|c: char| c.is_whitespace() || c == ',') {
        if word.is_empty() {
            continue;
        }
        let split = word
            .find(|c: char| c.is_ascii_alphabetic())
            .filter(|&i| i > 0 && !word.contains(':'));
        match split {
            Some(i) => {
                out.push(word[..i].to_string());
                out.push(word[i..].to_string());
            }
            None => out.push(word.to_string()),
        }
    }
    out
}

fn parse_verbose(s: &str) -> Option<Acc> {
    let mut acc = Acc::default();
    let toks = tokens(s);
    let mut i = 0;
    let mut ago = false;
    let mut any = false;
    while i < toks.len() {
        let t = toks[i].as_str();
        if t == "@" {
            i += 1;
            continue;
        }
        if t == "ago" {
            if i + 1 != toks.len() || ago {
                return None;
            }
            ago = true;
            i += 1;
            continue;
        }
        if t.contains(':') {
            acc.usecs += parse_clock(t)?;
            any = true;
            i += 1;
            continue;
        }
        // SQL-standard year-month: 1-2 or -1-2
        let unsigned = t.trim_start_matches(['+', '-']);
        if let Some((y, m)) = unsigned.split_once('-') {
            let neg = t.starts_with('-');
            let y: f64 = y.parse().ok()?;
            let m: f64 = m.parse().ok()?;
            let months = y * 12.0 + m;
            acc.months += if neg { -months } else { months };
            any = true;
            i += 1;
            continue;
        }
        let value: f64 = t.parse().ok()?;
        if !value.is_finite() || t.contains(['i', 'n']) {
            return None;
        }
        match toks.get(i + 1).and_then(|u| unit_of(u)) {
            Some(unit) => {
                acc.add(value, unit);
                i += 2;
            }
            None => {
                // A bare number before a time field is days (SQL standard), else seconds.
                let next_is_clock = toks.get(i + 1).is_some_and(|n| n.contains(':'));
                if toks
                    .get(i + 1)
                    .is_some_and(|n| n != "ago" && !n.contains(':'))
                {
                    return None;
                }
                acc.add(
                    value,
                    if next_is_clock {
                        Unit::Day
                    } else {
                        Unit::Second
                    },
                );
                i += 1;
            }
        }
        any = true;
    }
    if !any {
        return None;
    }
    if ago {
        acc.months = -acc.months;
        acc.days = -acc.days;
        acc.usecs = -acc.usecs;
    }
    Some(acc)
}

fn finish(acc: Acc, s: &str) -> Result<(i32, i32, i64), PgTypeError> {
    let range = || PgTypeError::DateTimeValueOutOfRange {
        what: "interval",
        value: s.to_string(),
    };
    let months = acc.months.round_ties_even();
    let days = acc.days.round_ties_even();
    let usecs = acc.usecs.round_ties_even();
    if !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&months)
        || !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&days)
        || !(-9.2e18..=9.2e18).contains(&usecs)
    {
        return Err(range());
    }
    Ok((months as i32, days as i32, usecs as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            parse_interval("1 day 02:00:00").ok(),
            Some((0, 1, 7_200_000_000))
        );
        assert_eq!(parse_interval("2 hours").ok(), Some((0, 0, 7_200_000_000)));
        assert_eq!(
            parse_interval("1 year 2 mons 3 days 04:05:06").ok(),
            Some((14, 3, 14_706_000_000))
        );
        assert_eq!(
            parse_interval("1.5 days").ok(),
            Some((0, 1, 43_200_000_000))
        );
        assert_eq!(
            parse_interval("2 hours ago").ok(),
            Some((0, 0, -7_200_000_000))
        );
        assert_eq!(
            parse_interval("P1Y2M3DT4H5M6S").ok(),
            Some((14, 3, 14_706_000_000))
        );
        assert!(parse_interval("bogus").is_err());
    }
}
