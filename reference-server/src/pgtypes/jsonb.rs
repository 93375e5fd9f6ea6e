//! jsonb's canonical text: PostgreSQL stores jsonb parsed, so its output normalises spacing
//! (`{"a": 1, "b": [1, 2]}`), orders object keys by length then bytes, keeps the last of
//! duplicate keys and prints numbers as `numeric` does.

use bytes::BytesMut;

use super::PgTypeError;
use super::numeric::parse_numeric_text;

enum Value {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Deepest nesting accepted, so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 200;

struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

fn invalid() -> PgTypeError {
    PgTypeError::Other {
        code: "22P02",
        message: "invalid input syntax for type json".into(),
    }
}

impl Parser<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Value, PgTypeError> {
        self.ws();
        let c = *self.b.get(self.pos).ok_or_else(invalid)?;
        match c {
            b'{' => {
                self.enter()?;
                self.pos += 1;
                let mut members: Vec<(String, Value)> = Vec::new();
                self.ws();
                if self.b.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::Object(members));
                }
                loop {
                    self.ws();
                    if self.b.get(self.pos) != Some(&b'"') {
                        return Err(invalid());
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.pos) != Some(&b':') {
                        return Err(invalid());
                    }
                    self.pos += 1;
                    let v = self.value()?;
                    members.retain(|(existing, _)| *existing != k);
                    members.push((k, v));
                    self.ws();
                    match self.b.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(invalid()),
                    }
                }
                members.sort_by(|a, b| {
                    a.0.len()
                        .cmp(&b.0.len())
                        .then_with(|| a.0.as_bytes().cmp(b.0.as_bytes()))
                });
                self.depth -= 1;
                Ok(Value::Object(members))
            }
            b'[' => {
                self.enter()?;
                self.pos += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    match self.b.get(self.pos) {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(invalid()),
                    }
                }
                self.depth -= 1;
                Ok(Value::Array(items))
            }
            b'"' => Ok(Value::Str(self.string()?)),
            b't' => self.word(b"true", Value::Bool(true)),
            b'f' => self.word(b"false", Value::Bool(false)),
            b'n' => self.word(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(invalid()),
        }
    }

    fn enter(&mut self) -> Result<(), PgTypeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(PgTypeError::Other {
                code: "54001",
                message: "stack depth limit exceeded".into(),
            });
        }
        Ok(())
    }

    fn word(&mut self, w: &[u8], v: Value) -> Result<Value, PgTypeError> {
        if self.b[self.pos..].starts_with(w) {
            self.pos += w.len();
            Ok(v)
        } else {
            Err(invalid())
        }
    }

    fn number(&mut self) -> Result<Value, PgTypeError> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.b.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - s
        };
        if self.b.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 || (n > 1 && self.b[int_start] == b'0') {
            return Err(invalid());
        }
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(invalid());
            }
        }
        if matches!(self.b.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.b.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(invalid());
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.pos]).map_err(|_| invalid())?;
        let dec = parse_numeric_text(text)?;
        let mut out = BytesMut::new();
        dec.put_text(&mut out);
        Ok(Value::Number(String::from_utf8_lossy(&out).into_owned()))
    }

    fn hex4(&mut self) -> Result<u32, PgTypeError> {
        let h = self.b.get(self.pos..self.pos + 4).ok_or_else(invalid)?;
        let s = std::str::from_utf8(h).map_err(|_| invalid())?;
        let v = u32::from_str_radix(s, 16).map_err(|_| invalid())?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, PgTypeError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&c) = self.b.get(self.pos) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(std::str::from_utf8(&self.b[start..self.pos]).map_err(|_| invalid())?);
            match self.b.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let e = *self.b.get(self.pos).ok_or_else(invalid)?;
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) {
                                if self.b.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(invalid());
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(invalid());
                                }
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                            }
                            if cp == 0 {
                                return Err(PgTypeError::Other {
                                    code: "22P05",
                                    message: "unsupported Unicode escape sequence".into(),
                                });
                            }
                            out.push(char::from_u32(cp).ok_or_else(invalid)?);
                        }
                        _ => return Err(invalid()),
                    }
                }
                _ => return Err(invalid()),
            }
        }
    }
}

fn put_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn put_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::Str(s) => put_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                put_value(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                put_string(out, k);
                out.push_str(": ");
                put_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Parses JSON text and returns jsonb's output form of it.
pub fn normalize(s: &str) -> Result<String, PgTypeError> {
    let mut p = Parser {
        b: s.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.pos != p.b.len() {
        return Err(invalid());
    }
    let mut out = String::with_capacity(s.len());
    put_value(&mut out, &v);
    Ok(out)
}

/// A key of the `->` / `->>` operators: an object member's name or an array position
/// (negative positions count from the end).
pub enum JsonKey<'a> {
    Member(&'a str),
    Index(i64),
}

/// `json -> key` (`as_text` false: the member as jsonb text) and `json ->> key` (`as_text`
/// true: strings unquoted, JSON null as SQL NULL). `None` when there is no such member.
pub fn get(s: &str, key: JsonKey<'_>, as_text: bool) -> Result<Option<String>, PgTypeError> {
    let mut p = Parser {
        b: s.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let v = p.value()?;
    let found = match (&v, key) {
        (Value::Object(members), JsonKey::Member(k)) => {
            members.iter().find(|(name, _)| name == k).map(|(_, v)| v)
        }
        (Value::Array(items), JsonKey::Index(i)) => {
            let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let at = if i < 0 { i.checked_add(len) } else { Some(i) };
            at.and_then(|i| usize::try_from(i).ok())
                .and_then(|i| items.get(i))
        }
        _ => None,
    };
    Ok(match found {
        None => None,
        Some(Value::Null) if as_text => None,
        Some(Value::Str(text)) if as_text => Some(text.clone()),
        Some(v) => {
            let mut out = String::new();
            put_value(&mut out, v);
            Some(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(
            normalize(r#"{"bb":1,"a":[1,2.50,1e2],"a":true}"#)
                .ok()
                .as_deref(),
            Some(r#"{"a": true, "bb": 1}"#)
        );
        assert!(normalize("{").is_err());
        assert!(normalize(&"[".repeat(5000)).is_err());
    }
}
