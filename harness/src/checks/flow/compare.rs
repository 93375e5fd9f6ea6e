//! What a case compares: recorded lines hold every field, and a comparison first projects
//! both sides onto the parts the case's `compare` options select.

use super::lex::{Token, Value, quote, tokens};

/// Parameters whose values differ between servers for no protocol reason (version, login
/// user, the cluster's time zone). Their names are still compared.
const VARYING_PARAMS: &[&str] = &[
    "server_version",
    "session_authorization",
    "TimeZone",
    "is_superuser",
];

/// The `compare` options. Each is turned on with `+name` (or `name`) and off with `-name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compare {
    /// CommandComplete tags in full (off: only the command word).
    pub tags: bool,
    /// RowDescription columns: name, type, typmod, format (off: only the column count).
    pub rowdesc: bool,
    /// RowDescription table OID (zero or not) and column number.
    pub table_oids: bool,
    /// DataRow values (off: only the value count).
    pub values: bool,
    /// Error/notice message, detail, hint and position.
    pub messages: bool,
    /// Which error/notice fields are present.
    pub error_fields: bool,
    /// ReadyForQuery transaction status.
    pub status: bool,
    /// ParameterStatus messages at all.
    pub params: bool,
    /// ParameterStatus values that legitimately vary (server_version, TimeZone, ...).
    pub param_values: bool,
    /// NoticeResponse messages at all.
    pub notices: bool,
    /// Message order within a receive step (off: compared as sorted multisets).
    pub order: bool,
    /// Where PostgreSQL sends a FATAL error and closes, a plain close also passes.
    pub close_ok: bool,
}

impl Default for Compare {
    fn default() -> Self {
        Compare {
            tags: true,
            rowdesc: true,
            table_oids: false,
            values: true,
            messages: false,
            error_fields: false,
            status: true,
            params: true,
            param_values: false,
            notices: true,
            order: true,
            close_ok: false,
        }
    }
}

impl Compare {
    /// Applies `+messages -values ...`.
    pub fn apply(&mut self, options: &str) -> Result<(), String> {
        for opt in options.split_whitespace() {
            let (on, name) = match opt.strip_prefix('-') {
                Some(n) => (false, n),
                None => (true, opt.strip_prefix('+').unwrap_or(opt)),
            };
            let slot = match name {
                "tags" => &mut self.tags,
                "rowdesc" => &mut self.rowdesc,
                "table_oids" => &mut self.table_oids,
                "values" => &mut self.values,
                "messages" => &mut self.messages,
                "error_fields" => &mut self.error_fields,
                "status" => &mut self.status,
                "params" => &mut self.params,
                "param_values" => &mut self.param_values,
                "notices" => &mut self.notices,
                "order" => &mut self.order,
                "close_ok" => &mut self.close_ok,
                other => return Err(format!("unknown compare option `{other}`")),
            };
            *slot = on;
        }
        Ok(())
    }

    /// The lines of one receive step as this case compares them.
    pub fn project(&self, lines: &[String]) -> Vec<String> {
        let mut out: Vec<String> = lines.iter().filter_map(|l| self.line(l)).collect();
        sort_param_runs(&mut out);
        if !self.order {
            out.sort();
        }
        out
    }

    fn line(&self, line: &str) -> Option<String> {
        if line.starts_with('<') {
            return Some(line.to_owned());
        }
        let Ok(mut toks) = tokens(line) else {
            return Some(line.to_owned());
        };
        let name = match toks.first() {
            Some(Token::Word(w)) => w.clone(),
            _ => return Some(line.to_owned()),
        };
        let args = toks.split_off(1);
        let kept: Vec<Token> = match name.as_str() {
            "ParameterStatus" if !self.params => return None,
            "ParameterStatus" if !self.param_values => args
                .into_iter()
                .map(|t| match t {
                    Token::Pair(k, _) if VARYING_PARAMS.contains(&k.as_str()) => {
                        Token::Pair(k, Value::Word("*".into()))
                    }
                    t => t,
                })
                .collect(),
            "RowDescription" if !self.rowdesc => {
                let cols = if args.is_empty() {
                    0
                } else {
                    count_word(&args, "|") + 1
                };
                vec![count(cols)]
            }
            "RowDescription" if !self.table_oids => drop_keys(args, &["table", "col"]),
            "DataRow" if !self.values => vec![count(args.len())],
            "CommandComplete" if !self.tags => args
                .into_iter()
                .map(|t| match t {
                    Token::Pair(k, Value::Bytes(b)) if k.is_empty() => {
                        let word = b.split(|c| *c == b' ').next().unwrap_or_default().to_vec();
                        Token::Pair(k, Value::Bytes(word))
                    }
                    t => t,
                })
                .collect(),
            "NoticeResponse" if !self.notices => return None,
            "ErrorResponse" | "NoticeResponse" => {
                let mut drop: Vec<&str> = Vec::new();
                if !self.messages {
                    drop.extend(["message", "detail", "hint", "position"]);
                }
                if !self.error_fields {
                    drop.push("fields");
                }
                drop_keys(args, &drop)
            }
            "ReadyForQuery" if !self.status => Vec::new(),
            _ => args,
        };
        let mut out = name;
        for t in &kept {
            out.push(' ');
            out.push_str(&show(t));
        }
        Some(out)
    }

    /// True when `actual` matches `expected` for this case: equal projections, or (with
    /// `close_ok`) the target closed where PostgreSQL sent a FATAL error and closed.
    pub fn matches(&self, expected: &[String], actual: &[String]) -> bool {
        if expected == actual {
            return true;
        }
        if !self.close_ok || actual.last().map(String::as_str) != Some("<closed>") {
            return false;
        }
        let fatal = |l: &String| l.starts_with("ErrorResponse FATAL");
        let Some(k) = expected.iter().position(fatal) else {
            return false;
        };
        if !expected
            .get(k + 1..)
            .is_some_and(|rest| rest.iter().all(|l| l == "<closed>"))
        {
            return false;
        }
        let mut body = actual.get(..actual.len() - 1).unwrap_or_default();
        if body.last().is_some_and(fatal) {
            body = body.get(..body.len() - 1).unwrap_or_default();
        }
        expected.get(..k) == Some(body)
    }
}

fn count(n: usize) -> Token {
    Token::Pair("count".into(), Value::Word(n.to_string()))
}

fn count_word(toks: &[Token], word: &str) -> usize {
    toks.iter()
        .filter(|t| matches!(t, Token::Word(w) if w == word))
        .count()
}

fn drop_keys(toks: Vec<Token>, keys: &[&str]) -> Vec<Token> {
    toks.into_iter()
        .filter(|t| !matches!(t, Token::Pair(k, _) if keys.contains(&k.as_str())))
        .collect()
}

fn show(t: &Token) -> String {
    match t {
        Token::Word(w) => w.clone(),
        Token::Pair(k, v) if k.is_empty() => show_value(v),
        Token::Pair(k, v) => format!("{k}={}", show_value(v)),
    }
}

fn show_value(v: &Value) -> String {
    match v {
        Value::Word(w) => w.clone(),
        Value::Bytes(b) => quote(b),
        Value::Null => "NULL".into(),
        Value::List(items) => {
            let shown: Vec<String> = items.iter().map(show_value).collect();
            format!("[{}]", shown.join(","))
        }
    }
}

/// A server may send its ParameterStatus messages in any order: sort each consecutive run.
fn sort_param_runs(lines: &mut [String]) {
    let mut start = 0;
    while start < lines.len() {
        let is_param = |l: &String| l.starts_with("ParameterStatus ");
        if !lines.get(start).is_some_and(is_param) {
            start += 1;
            continue;
        }
        let mut end = start;
        while lines.get(end).is_some_and(is_param) {
            end += 1;
        }
        if let Some(run) = lines.get_mut(start..end) {
            run.sort();
        }
        start = end;
    }
}
