//! numeric: base-10000 digits, weight, sign and display scale, printed like `get_str_from_var`.

use super::{Reader, RenderError};

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;
/// The largest display scale PostgreSQL accepts (`NUMERIC_DSCALE_MASK`).
const MAX_DSCALE: u16 = 0x3FFF;

pub(crate) fn render(raw: &[u8]) -> Result<String, RenderError> {
    let mut r = Reader::new("numeric", raw);
    let ndigits = r.i16()?;
    let weight = i32::from(r.i16()?);
    let sign = r.u16()?;
    let dscale = r.u16()?;
    let ndigits = usize::try_from(ndigits).map_err(|_| r.error("negative digit count"))?;
    let mut digits = Vec::with_capacity(ndigits.min(r.remaining() / 2));
    for _ in 0..ndigits {
        let d = r.i16()?;
        if !(0..10000).contains(&d) {
            return Err(r.error(format!("digit {d} out of range")));
        }
        digits.push(d);
    }
    r.finish()?;
    let special = match sign {
        NUMERIC_NAN => Some("NaN"),
        NUMERIC_PINF => Some("Infinity"),
        NUMERIC_NINF => Some("-Infinity"),
        NUMERIC_POS | NUMERIC_NEG => None,
        other => {
            return Err(super::reader::malformed(
                "numeric",
                format!("bad sign 0x{other:04x}"),
            ));
        }
    };
    if let Some(s) = special {
        return Ok(s.to_string());
    }
    if dscale > MAX_DSCALE {
        return Err(super::reader::malformed(
            "numeric",
            format!("display scale {dscale} too large"),
        ));
    }
    let digit = |i: i32| -> i16 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i))
            .copied()
            .unwrap_or(0)
    };
    let mut out = String::new();
    if sign == NUMERIC_NEG {
        out.push('-');
    }
    let mut d: i32;
    if weight < 0 {
        d = weight + 1;
        out.push('0');
    } else {
        d = 0;
        while d <= weight {
            let dig = digit(d);
            if d == 0 {
                out.push_str(&dig.to_string());
            } else {
                out.push_str(&format!("{dig:04}"));
            }
            d += 1;
        }
    }
    if dscale > 0 {
        out.push('.');
        let start = out.len();
        let scale = usize::from(dscale);
        while out.len() - start < scale {
            out.push_str(&format!("{:04}", digit(d)));
            d += 1;
        }
        out.truncate(start + scale);
    }
    Ok(out)
}
