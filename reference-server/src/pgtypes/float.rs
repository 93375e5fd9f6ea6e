//! PostgreSQL's float4/float8 text output.
//!
//! With `extra_float_digits > 0` (the default) PostgreSQL 12+ prints the shortest decimal that
//! round-trips (Ryu), in fixed notation for decimal exponents in [-4, 15) (float8) or [-4, 6)
//! (float4) and as `d.ddde+XX` otherwise. With `extra_float_digits <= 0` it uses
//! `%.{15+extra}g` (float8) or `%.{6+extra}g` (float4).

use std::io::Write as _;

use bytes::{BufMut, BytesMut};

/// Decimal digits and exponent of a finite, non-zero float: value = 0.d1d2d3... × 10^(exp+1),
/// i.e. `exp` is the exponent of the first digit.
struct Decimal {
    digits: [u8; 40],
    len: usize,
    exp: i32,
}

/// Parses the output of `{:e}` / `{:.Ne}` (`d.ddde±x`) into digits and exponent.
fn decompose(sci: &[u8]) -> Decimal {
    let mut d = Decimal {
        digits: [0; 40],
        len: 0,
        exp: 0,
    };
    let mut iter = sci.iter();
    for &c in iter.by_ref() {
        match c {
            b'0'..=b'9' if d.len < d.digits.len() => {
                d.digits[d.len] = c;
                d.len += 1;
            }
            b'e' => break,
            _ => {}
        }
    }
    let rest: Vec<u8> = iter.copied().collect();
    d.exp = std::str::from_utf8(&rest)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    d
}

fn put_special(out: &mut BytesMut, v: f64) -> bool {
    if v.is_nan() {
        out.put_slice(b"NaN");
    } else if v.is_infinite() {
        out.put_slice(if v > 0.0 { b"Infinity" } else { b"-Infinity" });
    } else if v == 0.0 {
        out.put_slice(if v.is_sign_negative() { b"-0" } else { b"0" });
    } else {
        return false;
    }
    true
}

/// Writes digits with the decimal exponent `exp` in `%g`-like form: fixed when
/// `-4 <= exp < fixed_limit`, scientific otherwise (two-digit minimum exponent).
fn put_digits(out: &mut BytesMut, negative: bool, d: &Decimal, fixed_limit: i32) {
    // Trailing zeros never print (both Ryu and %g drop them).
    let mut len = d.len;
    while len > 1 && d.digits[len - 1] == b'0' {
        len -= 1;
    }
    let digits = &d.digits[..len];
    if negative {
        out.put_u8(b'-');
    }
    let exp = d.exp;
    if (-4..fixed_limit).contains(&exp) {
        if exp < 0 {
            out.put_slice(b"0.");
            for _ in 0..(-exp - 1) {
                out.put_u8(b'0');
            }
            out.put_slice(digits);
        } else {
            let int_len = (exp + 1) as usize;
            if digits.len() <= int_len {
                out.put_slice(digits);
                for _ in digits.len()..int_len {
                    out.put_u8(b'0');
                }
            } else {
                out.put_slice(&digits[..int_len]);
                out.put_u8(b'.');
                out.put_slice(&digits[int_len..]);
            }
        }
    } else {
        out.put_u8(digits[0]);
        if digits.len() > 1 {
            out.put_u8(b'.');
            out.put_slice(&digits[1..]);
        }
        out.put_u8(b'e');
        out.put_u8(if exp < 0 { b'-' } else { b'+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.put_u8(b'0');
        }
        out.put_slice(itoa::Buffer::new().format(e).as_bytes());
    }
}

fn scientific(buf: &mut [u8; 64], args: std::fmt::Arguments<'_>) -> usize {
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    // 64 bytes hold any `{:e}` rendering of an f64 (at most 17 digits + sign + exponent).
    if cursor.write_fmt(args).is_err() {
        return 0;
    }
    cursor.position() as usize
}

/// float8 text output.
pub fn put_f64(out: &mut BytesMut, v: f64, extra_float_digits: i32) {
    if put_special(out, v) {
        return;
    }
    let mut buf = [0u8; 64];
    let a = v.abs();
    let (n, limit) = if extra_float_digits > 0 {
        (scientific(&mut buf, format_args!("{a:e}")), 15)
    } else {
        let precision = (15 + extra_float_digits).max(1);
        let p = (precision - 1) as usize;
        (scientific(&mut buf, format_args!("{a:.p$e}")), precision)
    };
    put_digits(out, v < 0.0, &decompose(&buf[..n]), limit);
}

/// float4 text output.
pub fn put_f32(out: &mut BytesMut, v: f32, extra_float_digits: i32) {
    if put_special(out, f64::from(v)) {
        return;
    }
    let mut buf = [0u8; 64];
    let a = v.abs();
    let (n, limit) = if extra_float_digits > 0 {
        (scientific(&mut buf, format_args!("{a:e}")), 6)
    } else {
        let precision = (6 + extra_float_digits).max(1);
        let p = (precision - 1) as usize;
        (scientific(&mut buf, format_args!("{a:.p$e}")), precision)
    };
    put_digits(out, v < 0.0, &decompose(&buf[..n]), limit);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f8(v: f64) -> String {
        let mut b = BytesMut::new();
        put_f64(&mut b, v, 1);
        String::from_utf8(b.to_vec()).unwrap_or_default()
    }

    #[test]
    fn shortest_forms() {
        assert_eq!(f8(1e100), "1e+100");
        assert_eq!(f8(0.1), "0.1");
        assert_eq!(f8(-0.0), "-0");
        assert_eq!(f8(123456789012345.0), "123456789012345");
        assert_eq!(f8(1234567890123456.0), "1.234567890123456e+15");
        assert_eq!(f8(0.0001), "0.0001");
        assert_eq!(f8(0.00001), "1e-05");
    }
}
