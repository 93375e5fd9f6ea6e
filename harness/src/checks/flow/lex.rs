//! Tokens of one script line: bare words, `key=value` pairs, quoted byte strings and lists.

use super::FlowError;

/// One value on a `send` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An unquoted word (`s1`, `23`, `3.2`).
    Word(String),
    /// A quoted string, as bytes: escapes may produce invalid UTF-8 on purpose.
    Bytes(Vec<u8>),
    /// `NULL` inside a list.
    Null,
    List(Vec<Value>),
}

/// A token: a positional word, or `key=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(String),
    Pair(String, Value),
}

/// Splits a line after its keyword. Quoted strings take `\n \r \t \0 \\ \" \xNN` escapes.
pub fn tokens(line: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let (key, after) = rest.split_at(key_end);
        if let Some(after) = after.strip_prefix('=') {
            let (value, tail) = value(after)?;
            out.push(Token::Pair(key.to_owned(), value));
            rest = tail.trim_start();
        } else if key.starts_with('"') {
            let (bytes, tail) = quoted(rest)?;
            out.push(Token::Pair(String::new(), Value::Bytes(bytes)));
            rest = tail.trim_start();
        } else {
            out.push(Token::Word(key.to_owned()));
            rest = after.trim_start();
        }
    }
    Ok(out)
}

fn value(s: &str) -> Result<(Value, &str), String> {
    if s.starts_with('"') {
        let (bytes, tail) = quoted(s)?;
        return Ok((Value::Bytes(bytes), tail));
    }
    if let Some(mut rest) = s.strip_prefix('[') {
        let mut items = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(tail) = rest.strip_prefix(']') {
                return Ok((Value::List(items), tail));
            }
            let (item, tail) = value(rest)?;
            items.push(item);
            rest = tail.trim_start();
            if let Some(tail) = rest.strip_prefix(',') {
                rest = tail;
            } else if !rest.starts_with(']') {
                return Err("a list needs `,` between items and a closing `]`".into());
            }
        }
    }
    let end = s
        .find(|c: char| c.is_whitespace() || c == ',' || c == ']')
        .unwrap_or(s.len());
    let (word, tail) = s.split_at(end);
    let value = if word == "NULL" {
        Value::Null
    } else {
        Value::Word(word.to_owned())
    };
    Ok((value, tail))
}

/// Reads a `"..."` string at the start of `s`; returns its bytes and what follows.
fn quoted(s: &str) -> Result<(Vec<u8>, &str), String> {
    let body = s.strip_prefix('"').ok_or("expected a quoted string")?;
    let mut out = Vec::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, body.get(i + 1..).unwrap_or_default())),
            '\\' => {
                let (_, esc) = chars.next().ok_or("a string ends in `\\`")?;
                match esc {
                    'n' => out.push(b'\n'),
                    'r' => out.push(b'\r'),
                    't' => out.push(b'\t'),
                    '0' => out.push(0),
                    '\\' => out.push(b'\\'),
                    '"' => out.push(b'"'),
                    'x' => {
                        let hi = chars.next().map(|(_, c)| c);
                        let lo = chars.next().map(|(_, c)| c);
                        let byte = hi
                            .zip(lo)
                            .and_then(|(h, l)| Some(h.to_digit(16)? * 16 + l.to_digit(16)?))
                            .and_then(|b| u8::try_from(b).ok())
                            .ok_or("`\\x` needs two hex digits")?;
                        out.push(byte);
                    }
                    other => return Err(format!("unknown escape `\\{other}`")),
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Err("unterminated string".into())
}

/// Writes bytes back in the quoted form [`tokens`] reads.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    let mut rest = bytes;
    while !rest.is_empty() {
        let valid = match std::str::from_utf8(rest) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(rest.get(..e.valid_up_to()).unwrap_or_default())
                .unwrap_or_default(),
        };
        for c in valid.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c => out.push(c),
            }
        }
        rest = rest.get(valid.len()..).unwrap_or_default();
        if let Some((&b, tail)) = rest.split_first() {
            out.push_str(&format!("\\x{b:02x}"));
            rest = tail;
        }
    }
    out.push('"');
    out
}

/// Typed access to the `key=value` tokens of one line.
pub struct Fields {
    pairs: Vec<(String, Value)>,
}

impl Fields {
    pub fn new(tokens: Vec<Token>) -> Result<Self, String> {
        let mut pairs = Vec::new();
        for t in tokens {
            match t {
                Token::Pair(k, v) if !k.is_empty() => pairs.push((k, v)),
                Token::Pair(_, _) => return Err("a quoted string needs a `key=` before it".into()),
                Token::Word(w) => return Err(format!("`{w}` needs a value (`{w}=...`)")),
            }
        }
        Ok(Fields { pairs })
    }

    /// Takes a field out; what is left at the end is reported as unknown.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        let at = self.pairs.iter().position(|(k, _)| k == key)?;
        Some(self.pairs.remove(at).1)
    }

    pub fn bytes(&mut self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.take(key).map(|v| as_bytes(key, v)).transpose()
    }

    pub fn text(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.bytes(key)? {
            Some(b) => String::from_utf8(b)
                .map(Some)
                .map_err(|_| format!("`{key}` must be UTF-8 (use `send Raw` for other bytes)")),
            None => Ok(None),
        }
    }

    pub fn int<T: std::str::FromStr>(&mut self, key: &str) -> Result<Option<T>, String> {
        match self.take(key) {
            Some(Value::Word(w)) => w
                .parse()
                .map(Some)
                .map_err(|_| format!("`{key}={w}` is not a valid number")),
            Some(_) => Err(format!("`{key}` must be a bare number")),
            None => Ok(None),
        }
    }

    pub fn ints<T: std::str::FromStr>(&mut self, key: &str) -> Result<Vec<T>, String> {
        match self.take(key) {
            Some(Value::List(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::Word(w) => w
                        .parse()
                        .map_err(|_| format!("`{key}`: `{w}` is not a number")),
                    _ => Err(format!("`{key}` must list bare numbers")),
                })
                .collect(),
            Some(_) => Err(format!("`{key}` must be a list like [1,2]")),
            None => Ok(Vec::new()),
        }
    }

    /// A list of quoted strings or NULLs (parameter values).
    pub fn values(&mut self, key: &str) -> Result<Vec<Option<Vec<u8>>>, String> {
        match self.take(key) {
            Some(Value::List(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::Null => Ok(None),
                    other => as_bytes(key, other).map(Some),
                })
                .collect(),
            Some(_) => Err(format!("`{key}` must be a list like [\"1\", NULL]")),
            None => Ok(Vec::new()),
        }
    }

    /// The remaining pairs, in order (startup parameters).
    pub fn rest(self) -> Vec<(String, Value)> {
        self.pairs
    }

    pub fn finish(self) -> Result<(), String> {
        match self.pairs.first() {
            Some((k, _)) => Err(format!("unknown field `{k}`")),
            None => Ok(()),
        }
    }
}

pub fn as_bytes(key: &str, v: Value) -> Result<Vec<u8>, String> {
    match v {
        Value::Bytes(b) => Ok(b),
        Value::Word(w) => Ok(w.into_bytes()),
        _ => Err(format!("`{key}` must be a string")),
    }
}

/// Wraps a line's parse error with where it happened.
pub fn at(path: &std::path::Path, line: usize, why: impl Into<String>) -> FlowError {
    FlowError::Parse {
        path: path.to_path_buf(),
        line,
        why: why.into(),
    }
}
