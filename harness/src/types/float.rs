//! float4/float8 output as PostgreSQL's `float4out`/`float8out` produce it.
//!
//! With `extra_float_digits >= 1` (the default) PostgreSQL prints the shortest decimal that
//! round-trips (Ryu), switching to exponent form outside `1e-4 <= |x| < 1e15` (`1e6` for
//! float4); otherwise it uses `printf("%.*g", DIG + extra_float_digits)`.

/// float8out.
pub(crate) fn float8(v: f64, extra_float_digits: i32) -> String {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v.is_sign_negative()) {
        return s;
    }
    if extra_float_digits > 0 {
        shortest(&format!("{v:e}"), 15)
    } else {
        let precision = 15 + extra_float_digits;
        printf_g(precision, |p| format!("{v:.p$e}"), |p| format!("{v:.p$}"))
    }
}

/// float4out.
pub(crate) fn float4(v: f32, extra_float_digits: i32) -> String {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v.is_sign_negative()) {
        return s;
    }
    if extra_float_digits > 0 {
        shortest(&format!("{v:e}"), 6)
    } else {
        let precision = 6 + extra_float_digits;
        printf_g(precision, |p| format!("{v:.p$e}"), |p| format!("{v:.p$}"))
    }
}

fn special(nan: bool, infinite: bool, negative: bool) -> Option<String> {
    if nan {
        Some("NaN".to_string())
    } else if infinite {
        Some(if negative { "-Infinity" } else { "Infinity" }.to_string())
    } else {
        None
    }
}

/// Splits Rust's `{:e}` output ("-1.25e-7") into sign, significant digits and exponent.
fn split_exp(s: &str) -> (bool, String, i32) {
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (negative, digits, exp.parse().unwrap_or(0))
}

/// Lays out Ryu-style shortest digits the way PostgreSQL's `d2s.c`/`f2s.c` do: fixed notation
/// for exponents in `-4..fixed_limit`, else `d.ddde+XX`.
fn shortest(sci: &str, fixed_limit: i32) -> String {
    let (negative, digits, exp) = split_exp(sci);
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if (-4..fixed_limit).contains(&exp) {
        out.push_str(&fixed(digits, exp));
    } else {
        out.push_str(&scientific(digits, exp));
    }
    out
}

/// `digits` × 10^(exp - len + 1) in plain notation.
fn fixed(digits: &str, exp: i32) -> String {
    let n = digits.len();
    if exp < 0 {
        let zeros = usize::try_from(-exp - 1).unwrap_or(0);
        format!("0.{}{digits}", "0".repeat(zeros))
    } else {
        let int_len = usize::try_from(exp).unwrap_or(0) + 1;
        if n <= int_len {
            format!("{digits}{}", "0".repeat(int_len - n))
        } else {
            let (int, frac) = digits.split_at(int_len);
            format!("{int}.{frac}")
        }
    }
}

/// `d.ddde±XX` with at least two exponent digits, as C's printf writes it.
fn scientific(digits: &str, exp: i32) -> String {
    let (first, rest) = digits.split_at(digits.len().min(1));
    let sign = if exp < 0 { '-' } else { '+' };
    if rest.is_empty() {
        format!("{first}e{sign}{:02}", exp.unsigned_abs())
    } else {
        format!("{first}.{rest}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// C's `%.*g`: `sci(p)` formats with `p` fraction digits in exponent form, `fix(p)` with `p`
/// fraction digits in plain form (both correctly rounded, like glibc).
fn printf_g(
    precision: i32,
    sci: impl Fn(usize) -> String,
    fix: impl Fn(usize) -> String,
) -> String {
    let p = precision.max(1);
    let sci_text = sci(usize::try_from(p - 1).unwrap_or(0));
    let (negative, digits, exp) = split_exp(&sci_text);
    if exp < p && exp >= -4 {
        let decimals = usize::try_from(p - 1 - exp).unwrap_or(0);
        let text = fix(decimals);
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    } else {
        let digits = digits.trim_end_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        let body = scientific(digits, exp);
        if negative { format!("-{body}") } else { body }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        assert_eq!(float8(1e100, 1), "1e+100");
        assert_eq!(float8(1e14, 1), "100000000000000");
        assert_eq!(float8(-0.0, 1), "-0");
        assert_eq!(float8(1.5e-7, 1), "1.5e-07");
        assert_eq!(float4(1e6, 1), "1e+06");
        assert_eq!(float8(0.1, 0), "0.1");
        assert_eq!(float8(-0.0, 0), "-0");
    }
}
