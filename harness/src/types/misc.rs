//! Small scalar types: bool, text-like, jsonb, "char", bytea, bit strings, uuid, money.

use std::fmt::Write as _;

use super::reader::malformed;
use super::{Reader, RenderContext, RenderError};

pub(crate) fn bool(r: &mut Reader<'_>) -> Result<String, RenderError> {
    // boolrecv treats any non-zero byte as true.
    Ok(if r.u8()? != 0 { "t" } else { "f" }.to_string())
}

/// Text-like types travel as their text (the client encoding, UTF-8 here).
pub(crate) fn text(type_name: &str, raw: &[u8]) -> Result<String, RenderError> {
    std::str::from_utf8(raw)
        .map(str::to_string)
        .map_err(|e| malformed(type_name, format!("invalid UTF-8: {e}")))
}

/// jsonb's binary form is a version byte (1) followed by the already-normalised text.
pub(crate) fn jsonb(raw: &[u8]) -> Result<String, RenderError> {
    match raw.split_first() {
        Some((1, body)) => text("jsonb", body),
        Some((v, _)) => Err(malformed("jsonb", format!("unsupported version {v}"))),
        None => Err(malformed("jsonb", "empty value")),
    }
}

/// The one-byte `"char"`: high-bit bytes print as `\ooo` (PostgreSQL 15 `charout`), NUL as "".
pub(crate) fn char(r: &mut Reader<'_>) -> Result<String, RenderError> {
    let b = r.u8()?;
    Ok(match b {
        0 => String::new(),
        0x80.. => format!("\\{b:03o}"),
        _ => char::from(b).to_string(),
    })
}

pub(crate) fn bytea(raw: &[u8], ctx: &RenderContext) -> Result<String, RenderError> {
    match ctx.bytea_output.trim().to_ascii_lowercase().as_str() {
        "hex" => {
            let mut out = String::with_capacity(2 + raw.len() * 2);
            out.push_str("\\x");
            for b in raw {
                let _ = write!(out, "{b:02x}");
            }
            Ok(out)
        }
        "escape" => {
            let mut out = String::with_capacity(raw.len());
            for &b in raw {
                match b {
                    b'\\' => out.push_str("\\\\"),
                    0x20..=0x7e => out.push(char::from(b)),
                    _ => {
                        let _ = write!(out, "\\{b:03o}");
                    }
                }
            }
            Ok(out)
        }
        other => Err(RenderError::Unsupported(format!("bytea_output {other}"))),
    }
}

/// bit / varbit: a bit count, then the bits packed MSB-first.
pub(crate) fn bit(type_name: &'static str, raw: &[u8]) -> Result<String, RenderError> {
    let mut r = Reader::new(type_name, raw);
    let len = r.i32()?;
    let len = usize::try_from(len).map_err(|_| r.error(format!("negative bit length {len}")))?;
    let bytes = r.take(len.div_ceil(8))?;
    r.finish()?;
    Ok((0..len)
        .map(|i| {
            let byte = bytes.get(i / 8).copied().unwrap_or(0);
            if byte & (0x80 >> (i % 8)) != 0 {
                '1'
            } else {
                '0'
            }
        })
        .collect())
}

pub(crate) fn uuid(r: &mut Reader<'_>) -> Result<String, RenderError> {
    let bytes = r.take(16)?;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        let _ = write!(out, "{b:02x}");
    }
    Ok(out)
}

/// money in cents, printed as `cash_out` does under `lc_monetary = C`: `$1,234.56`,
/// `-$1.00`.
pub(crate) fn money(cents: i64) -> String {
    let mut value = cents.unsigned_abs();
    // Built right to left: digits, '.', and ',' every three digits left of the point.
    let mut rev = Vec::with_capacity(32);
    let mut digit_pos: i32 = 2;
    loop {
        if digit_pos == 0 {
            rev.push(b'.');
        } else if digit_pos < 0 && digit_pos % 3 == 0 {
            rev.push(b',');
        }
        // `value % 10` is below 10, so the cast cannot truncate.
        rev.push(b'0' + (value % 10) as u8);
        value /= 10;
        digit_pos -= 1;
        if value == 0 && digit_pos < 0 {
            break;
        }
    }
    rev.reverse();
    let digits = String::from_utf8_lossy(&rev);
    if cents < 0 {
        format!("-${digits}")
    } else {
        format!("${digits}")
    }
}
