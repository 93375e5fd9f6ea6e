//! `numeric` text and binary forms over Arrow decimals (an unscaled integer plus a scale).

use bytes::{BufMut, BytesMut};
use datafusion::arrow::datatypes::{DataType, i256};
use datafusion::scalar::ScalarValue;

use super::PgTypeError;

/// Arrow type of a numeric quotient whose scale PostgreSQL takes from the quotient's
/// magnitude (`avg(int)`, `int::numeric / int` over columns; see `sql::numeric_div`): 17
/// stored fractional digits, shown with [`quotient_text`]'s scale. Precision 37 tells it
/// apart from a computed Decimal128(38, 17).
pub const QUOTIENT: DataType = DataType::Decimal128(37, QUOTIENT_DIGITS as i8);

const QUOTIENT_DIGITS: u32 = 17;

/// A [`QUOTIENT`] value as PostgreSQL shows it: `select_div_scale` gives an integral
/// quotient of base-10000 weight `w` the scale `16 - 4w` (never below 0), rounded half away
/// from zero from the stored digits. Quotients below 1 show 16 digits (PostgreSQL: 20).
pub fn quotient_text(v: i128) -> DecimalText {
    let a = v.unsigned_abs();
    let int = a / 10u128.pow(QUOTIENT_DIGITS);
    let weight = if int == 0 { 0 } else { int.ilog10() / 4 };
    let shown = 16u32.saturating_sub(4 * weight);
    let drop = 10u128.pow(QUOTIENT_DIGITS - shown);
    let mut q = a / drop;
    if (a % drop) * 2 >= drop {
        q += 1;
    }
    let q = i128::try_from(q).unwrap_or(i128::MAX);
    DecimalText::from_i128(if v < 0 { -q } else { q }, shown as i8)
}

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;

/// A decimal as sign, its unscaled magnitude's ASCII digits (no leading zeros, `"0"` for
/// zero) and the number of those digits that are fractional (never negative).
pub struct DecimalText {
    pub negative: bool,
    pub digits: Vec<u8>,
    pub scale: usize,
}

impl DecimalText {
    pub fn from_i128(v: i128, scale: i8) -> Self {
        let digits = itoa::Buffer::new()
            .format(v.unsigned_abs())
            .as_bytes()
            .to_vec();
        Self::with_scale(v < 0, digits, scale)
    }

    pub fn from_i256(v: i256, scale: i8) -> Self {
        let s = v.to_string();
        let negative = s.starts_with('-');
        let digits = s.trim_start_matches('-').as_bytes().to_vec();
        Self::with_scale(negative, digits, scale)
    }

    pub fn from_i64(v: i64) -> Self {
        Self::from_i128(i128::from(v), 0)
    }

    fn with_scale(negative: bool, mut digits: Vec<u8>, scale: i8) -> Self {
        if scale < 0 {
            if digits != b"0" {
                digits.extend(std::iter::repeat_n(b'0', scale.unsigned_abs() as usize));
            }
            return DecimalText {
                negative,
                digits,
                scale: 0,
            };
        }
        DecimalText {
            negative,
            digits,
            scale: scale as usize,
        }
    }

    /// Drops trailing fractional zeros (used for unconstrained numeric, whose Arrow storage
    /// scale is not the value's own display scale).
    pub fn trim(mut self) -> Self {
        while self.scale > 0 && self.digits.len() > 1 && self.digits.last() == Some(&b'0') {
            self.digits.pop();
            self.scale -= 1;
        }
        if self.scale > 0 && self.digits == b"0" {
            self.scale = 0;
        }
        self
    }

    fn is_zero(&self) -> bool {
        self.digits.iter().all(|&d| d == b'0')
    }

    /// The text form: `-12.340`.
    pub fn put_text(&self, out: &mut BytesMut) {
        if self.negative && !self.is_zero() {
            out.put_u8(b'-');
        }
        let n = self.digits.len();
        if self.scale == 0 {
            out.put_slice(&self.digits);
        } else if n > self.scale {
            out.put_slice(&self.digits[..n - self.scale]);
            out.put_u8(b'.');
            out.put_slice(&self.digits[n - self.scale..]);
        } else {
            out.put_slice(b"0.");
            for _ in n..self.scale {
                out.put_u8(b'0');
            }
            out.put_slice(&self.digits);
        }
    }

    /// The binary (numeric_send) form: base-10000 digits with weight and display scale.
    pub fn put_binary(&self, out: &mut BytesMut) {
        let n = self.digits.len();
        let int_len = n.saturating_sub(self.scale);
        // Align to base-10000 groups: pad the integer part on the left to a multiple of 4,
        // the fraction on the right.
        let int_pad = (4 - int_len % 4) % 4;
        let frac_len = self.scale;
        let frac_pad = (4 - frac_len % 4) % 4;
        let mut all = Vec::with_capacity(int_pad + n.max(self.scale) + frac_pad + 1);
        all.extend(std::iter::repeat_n(b'0', int_pad));
        if n < self.scale {
            all.extend(std::iter::repeat_n(b'0', self.scale - n));
        }
        all.extend_from_slice(&self.digits);
        all.extend(std::iter::repeat_n(b'0', frac_pad));
        let groups: Vec<i16> = all
            .chunks(4)
            .map(|c| {
                c.iter()
                    .fold(0i16, |acc, &d| acc * 10 + i16::from(d - b'0'))
            })
            .collect();
        let int_groups = (int_pad + int_len) / 4;
        let mut weight = int_groups as i32 - 1;
        let mut first = 0;
        while first < groups.len() && groups[first] == 0 {
            first += 1;
            weight -= 1;
        }
        let mut last = groups.len();
        while last > first && groups[last - 1] == 0 {
            last -= 1;
        }
        let used = &groups[first..last];
        let (weight, sign) = if used.is_empty() {
            (0, NUMERIC_POS)
        } else if self.negative {
            (weight, NUMERIC_NEG)
        } else {
            (weight, NUMERIC_POS)
        };
        out.put_i16(used.len() as i16);
        out.put_i16(weight as i16);
        out.put_u16(sign);
        out.put_u16(self.scale as u16);
        for g in used {
            out.put_i16(*g);
        }
    }

    /// As an Arrow decimal scalar: Decimal128(38, scale), or Decimal256(76, scale) when the
    /// value needs more than 38 digits.
    pub fn to_scalar(&self, ty: &str, original: &str) -> Result<ScalarValue, PgTypeError> {
        let digits = {
            let first = self.digits.iter().position(|&d| d != b'0');
            match first {
                Some(f) => &self.digits[f..],
                None => &b"0"[..],
            }
        };
        let scale = self.scale;
        let precision_needed = digits.len().max(scale);
        if scale > 76 || precision_needed > 76 {
            return Err(PgTypeError::FeatureNotSupported(format!(
                "numeric value \"{original}\" has more than 76 digits"
            )));
        }
        let text = std::str::from_utf8(digits).map_err(|_| PgTypeError::invalid(ty, original))?;
        if precision_needed <= 38 {
            let v: i128 = text
                .parse()
                .map_err(|_| PgTypeError::invalid(ty, original))?;
            let v = if self.negative { -v } else { v };
            Ok(ScalarValue::Decimal128(Some(v), 38, scale as i8))
        } else {
            let v = i256::from_string(text).ok_or_else(|| PgTypeError::invalid(ty, original))?;
            let v = if self.negative { v.wrapping_neg() } else { v };
            Ok(ScalarValue::Decimal256(Some(v), 76, scale as i8))
        }
    }
}

/// Parses numeric text input: `  -12.5e3 `. NaN and ±Infinity are valid PostgreSQL numerics
/// but have no Arrow decimal form, so they are rejected as unsupported.
pub fn parse_numeric_text(s: &str) -> Result<DecimalText, PgTypeError> {
    let bad = || PgTypeError::invalid("numeric", s);
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let lower = t.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "nan" | "infinity" | "+infinity" | "-infinity" | "inf" | "+inf" | "-inf"
    ) {
        return Err(PgTypeError::FeatureNotSupported(format!(
            "numeric value \"{s}\" cannot be stored in a decimal column"
        )));
    }
    let (negative, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => {
            let e: i64 = body[i + 1..].parse().map_err(|_| bad())?;
            (&body[..i], e)
        }
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    if !(-1000..=1000).contains(&exp) {
        return Err(PgTypeError::NumericOutOfRange {
            ty: "numeric".into(),
            value: s.to_string(),
        });
    }
    let mut digits: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).collect();
    let mut scale = frac_part.len() as i64 - exp;
    if scale < 0 {
        digits.extend(std::iter::repeat_n(b'0', (-scale) as usize));
        scale = 0;
    }
    let lead = digits
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(digits.len());
    let keep_from = lead.min(digits.len().saturating_sub(scale as usize + 1));
    let digits = digits.split_off(keep_from.min(digits.len()));
    let digits = if digits.is_empty() {
        b"0".to_vec()
    } else {
        digits
    };
    Ok(DecimalText {
        negative,
        digits,
        scale: scale as usize,
    })
}

/// Decodes numeric_send's binary form.
pub fn parse_numeric_binary(buf: &[u8]) -> Result<DecimalText, PgTypeError> {
    let bad = |m: &str| PgTypeError::InvalidBinary(m.to_string());
    if buf.len() < 8 {
        return Err(bad("insufficient data left in message"));
    }
    let ndigits = i16::from_be_bytes([buf[0], buf[1]]);
    let weight = i16::from_be_bytes([buf[2], buf[3]]) as i64;
    let sign = u16::from_be_bytes([buf[4], buf[5]]);
    let dscale = u16::from_be_bytes([buf[6], buf[7]]);
    if ndigits < 0 || buf.len() != 8 + 2 * ndigits as usize {
        return Err(bad("insufficient data left in message"));
    }
    match sign {
        NUMERIC_POS | NUMERIC_NEG => {}
        NUMERIC_NAN | NUMERIC_PINF | NUMERIC_NINF => {
            return Err(PgTypeError::FeatureNotSupported(
                "numeric NaN and infinity cannot be stored in a decimal column".into(),
            ));
        }
        _ => return Err(bad("invalid sign in external \"numeric\" value")),
    }
    if dscale & 0xC000 != 0 || dscale > 1000 {
        return Err(bad("invalid scale in external \"numeric\" value"));
    }
    let mut groups = Vec::with_capacity(ndigits as usize);
    for c in buf[8..].chunks_exact(2) {
        let g = i16::from_be_bytes([c[0], c[1]]);
        if !(0..10000).contains(&g) {
            return Err(bad("invalid digit in external \"numeric\" value"));
        }
        groups.push(g);
    }
    // Value = Σ groups[i] × 10000^(weight - i); render as digits with 4 × (ndigits-weight-1)
    // fractional digits, then adjust to dscale.
    if weight.abs() > 2000 {
        return Err(PgTypeError::NumericOverflow);
    }
    let mut digits = Vec::new();
    let first_weight = weight;
    if first_weight < 0 {
        // leading fractional zero groups
        digits.extend(std::iter::repeat_n(
            b'0',
            (4 * (-first_weight - 1)) as usize,
        ));
    }
    for g in &groups {
        digits.extend_from_slice(format!("{g:04}").as_bytes());
    }
    let last_weight = weight - groups.len() as i64 + 1;
    if last_weight > 0 {
        digits.extend(std::iter::repeat_n(b'0', (4 * last_weight) as usize));
    }
    let mut frac_digits = (4 * (-last_weight.min(0))) as usize;
    if first_weight < 0 {
        frac_digits = digits.len();
    }
    let dscale = dscale as usize;
    while frac_digits > dscale {
        digits.pop();
        frac_digits -= 1;
    }
    while frac_digits < dscale {
        digits.push(b'0');
        frac_digits += 1;
    }
    let int_len = digits.len() - frac_digits;
    let lead = digits[..int_len]
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(int_len);
    let digits: Vec<u8> = digits[lead..].to_vec();
    let digits = if digits.is_empty() {
        b"0".to_vec()
    } else {
        digits
    };
    let negative = sign == NUMERIC_NEG;
    Ok(DecimalText {
        negative,
        digits,
        scale: dscale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(d: &DecimalText) -> String {
        let mut b = BytesMut::new();
        d.put_text(&mut b);
        String::from_utf8(b.to_vec()).unwrap_or_default()
    }

    #[test]
    fn text_forms() {
        assert_eq!(text(&DecimalText::from_i128(12345, 2)), "123.45");
        assert_eq!(text(&DecimalText::from_i128(-5, 3)), "-0.005");
        assert_eq!(text(&DecimalText::from_i128(15000000000, 10).trim()), "1.5");
        assert_eq!(text(&DecimalText::from_i128(12, -2)), "1200");
        assert_eq!(
            text(&parse_numeric_text(" 1.50e1 ").unwrap_or(DecimalText::from_i64(0))),
            "15.0"
        );
    }

    #[test]
    fn quotient_scale_follows_magnitude() {
        // 50/3, 4611686018427387904, 12345.5 and -0.5 as 17-digit quotients.
        let q = |v: i128| text(&quotient_text(v));
        assert_eq!(q(1_666_666_666_666_666_666), "16.6666666666666667");
        assert_eq!(
            q(4_611_686_018_427_387_904 * 10i128.pow(17)),
            "4611686018427387904"
        );
        assert_eq!(q(1_234_550_000_000_000_000_000), "12345.500000000000");
        assert_eq!(q(-50_000_000_000_000_000), "-0.5000000000000000");
    }

    #[test]
    fn binary_round_trip() {
        for (v, s) in [
            (12345i128, 2i8),
            (-1, 0),
            (0, 3),
            (100000000, 0),
            (1, 9),
            (-123456789, 4),
        ] {
            let d = DecimalText::from_i128(v, s);
            let mut b = BytesMut::new();
            d.put_binary(&mut b);
            let back = parse_numeric_binary(&b)
                .map(|x| text(&x))
                .unwrap_or_default();
            assert_eq!(back, text(&d), "{v} {s}");
        }
    }
}
