//! A small interpreter for anonymous PL/pgSQL blocks (`DO $$ BEGIN ... END $$`): the
//! statements clients use DO for in scripts and migrations, `RAISE` (messages at every level,
//! `%` placeholders, `USING` options, custom SQLSTATEs) and `NULL`. Anything else is refused
//! with SQLSTATE 0A000 before any statement runs, never half-executed.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};
use pgwire::error::ErrorInfo;

use super::SqlError;
use super::do_block::DoBlock;
use super::error::ErrorObject;
use crate::session::Session;

/// A RAISE level, in client_min_messages order (INFO is always sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Debug,
    Log,
    Info,
    Notice,
    Warning,
    Exception,
}

impl Level {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "debug" => Self::Debug,
            "log" => Self::Log,
            "info" => Self::Info,
            "notice" => Self::Notice,
            "warning" => Self::Warning,
            "exception" => Self::Exception,
            _ => return None,
        })
    }

    fn severity(self) -> &'static str {
        match self {
            Self::Debug => "DEBUG",
            Self::Log => "LOG",
            Self::Info => "INFO",
            Self::Notice => "NOTICE",
            Self::Warning => "WARNING",
            Self::Exception => "ERROR",
        }
    }

    /// Whether a message of this level reaches a client with this client_min_messages.
    fn sent_with(self, min: &str) -> bool {
        let rank = |l: &str| match l {
            "debug5" => 0,
            "debug4" => 1,
            "debug3" => 2,
            "debug2" => 3,
            "debug1" | "debug" => 4,
            "log" => 5,
            "notice" => 6,
            "warning" => 7,
            _ => 8,
        };
        match self {
            Self::Info | Self::Exception => true,
            Self::Debug => rank(min) <= 4,
            Self::Log => rank(min) <= 5,
            Self::Notice => rank(min) <= 6,
            Self::Warning => rank(min) <= 7,
        }
    }
}

/// One `RAISE` statement as written (expressions kept as SQL text, evaluated when it runs).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Raise {
    level: Level,
    format: Option<String>,
    args: Vec<String>,
    /// A condition name or `SQLSTATE 'xxxxx'` given instead of a format.
    condition: Option<Condition>,
    /// `USING name = expr`, name upper-cased.
    options: Vec<(String, String)>,
    /// Line of the statement in the block, for the CONTEXT field.
    line: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    Name(String),
    SqlState(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stmt {
    Raise(Raise),
    Null,
}

impl Session {
    /// Runs a DO block: notices are queued on the session, RAISE EXCEPTION is the error.
    pub async fn run_do(&self, block: &DoBlock) -> Result<(), SqlError> {
        if block.language != "plpgsql" {
            return Err(SqlError::unsupported(format!(
                "DO blocks in language \"{}\" are not supported",
                block.language
            )));
        }
        for stmt in parse_block(&block.code)? {
            if let Stmt::Raise(r) = stmt {
                self.raise(&r).await?;
            }
        }
        Ok(())
    }

    async fn raise(&self, r: &Raise) -> Result<(), SqlError> {
        let context = format!(
            "PL/pgSQL function inline_code_block line {} at RAISE",
            r.line
        );
        let mut args = Vec::with_capacity(r.args.len());
        for a in &r.args {
            args.push(self.eval_text(a).await?);
        }
        let mut message = r.format.as_deref().map(|f| format_message(f, &args));
        let mut sqlstate = match &r.condition {
            Some(Condition::SqlState(s)) => Some(s.clone()),
            Some(Condition::Name(n)) => Some(condition_sqlstate(n)?.to_owned()),
            None => None,
        };
        let (mut detail, mut hint) = (None, None);
        let mut object = ErrorObject::default();
        for (name, expr) in &r.options {
            let value = self.eval_text(expr).await?.unwrap_or_default();
            match name.as_str() {
                "MESSAGE" => message = Some(value),
                "DETAIL" => detail = Some(value),
                "HINT" => hint = Some(value),
                "ERRCODE" => sqlstate = Some(errcode(&value)?),
                "COLUMN" => object.column = Some(value),
                "CONSTRAINT" => object.constraint = Some(value),
                "DATATYPE" => object.datatype = Some(value),
                "TABLE" => object.table = Some(value),
                "SCHEMA" => object.schema = Some(value),
                other => {
                    return Err(SqlError::syntax(format!(
                        "unrecognized RAISE statement option \"{}\"",
                        other.to_lowercase()
                    )));
                }
            }
        }
        // Without a message PostgreSQL reports the condition (name or SQLSTATE).
        let message = message.unwrap_or_else(|| match &r.condition {
            Some(Condition::Name(n)) => n.to_lowercase(),
            _ => sqlstate.clone().unwrap_or_else(|| "P0001".to_owned()),
        });
        if r.level == Level::Exception {
            let mut e = SqlError::new("P0001", message)
                .with_context(context)
                .with_object(object)
                .with_sqlstate(sqlstate.unwrap_or_else(|| "P0001".to_owned()));
            if let Some(d) = detail {
                e = e.with_detail(d);
            }
            if let Some(h) = hint {
                e = e.with_hint(h);
            }
            return Err(e);
        }
        let min = self
            .settings()
            .get("client_min_messages")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !r.level.sent_with(&min) {
            return Ok(());
        }
        let default_code = if r.level == Level::Warning {
            "01000"
        } else {
            "00000"
        };
        let severity = r.level.severity().to_owned();
        let mut info = ErrorInfo::new(
            severity.clone(),
            sqlstate.unwrap_or_else(|| default_code.to_owned()),
            message,
        );
        info.severity_nonlocalized = Some(severity);
        info.detail = detail;
        info.hint = hint;
        info.where_context = Some(context);
        info.schema = object.schema;
        info.table = object.table;
        info.column = object.column;
        info.constraint = object.constraint;
        info.datatype = object.datatype;
        self.notice(info);
        Ok(())
    }

    /// An expression's value as text (`None` for NULL); plain string literals need no query.
    async fn eval_text(&self, expr: &str) -> Result<Option<String>, SqlError> {
        if let Some(s) = plain_string(expr) {
            return Ok(Some(s));
        }
        let batches = self
            .ctx
            .sql(&format!("SELECT CAST(({expr}) AS TEXT)"))
            .await?
            .collect()
            .await?;
        let Some(col) = batches
            .iter()
            .find(|b| b.num_rows() > 0)
            .and_then(|b| b.columns().first().cloned())
        else {
            return Ok(None);
        };
        let col = datafusion::arrow::compute::cast(&col, &DataType::Utf8)
            .map_err(|e| SqlError::new("XX000", e.to_string()))?;
        let strings = col.as_string::<i32>();
        Ok((!strings.is_null(0)).then(|| strings.value(0).to_owned()))
    }
}

/// `'text'` alone (with `''` escapes) → its value.
fn plain_string(expr: &str) -> Option<String> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, expr)
        .tokenize()
        .ok()?;
    match tokens.as_slice() {
        [Token::SingleQuotedString(s)] => Some(s.clone()),
        _ => None,
    }
}

/// Replaces each `%` with the next argument (`<NULL>` for NULL); `%%` is a literal `%`.
/// The counts were checked when the block was parsed.
fn format_message(format: &str, args: &[Option<String>]) -> String {
    let mut out = String::with_capacity(format.len());
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
        } else if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
        } else {
            match args.next() {
                Some(Some(v)) => out.push_str(v),
                Some(None) => out.push_str("<NULL>"),
                None => out.push('%'),
            }
        }
    }
    out
}

/// The placeholders of a RAISE format.
fn placeholders(format: &str) -> usize {
    let mut n = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' {
            if chars.peek() == Some(&'%') {
                chars.next();
            } else {
                n += 1;
            }
        }
    }
    n
}

/// `ERRCODE = '22012'` or `ERRCODE = 'division_by_zero'`.
fn errcode(value: &str) -> Result<String, SqlError> {
    let is_sqlstate = value.len() == 5
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
    if is_sqlstate {
        return Ok(value.to_owned());
    }
    condition_sqlstate(value).map(str::to_owned)
}

/// PostgreSQL's condition names (the ones scripts raise; see errcodes.txt).
fn condition_sqlstate(name: &str) -> Result<&'static str, SqlError> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "successful_completion" => "00000",
        "warning" => "01000",
        "no_data" => "02000",
        "feature_not_supported" => "0A000",
        "cardinality_violation" => "21000",
        "data_exception" => "22000",
        "string_data_right_truncation" => "22001",
        "numeric_value_out_of_range" => "22003",
        "null_value_not_allowed" => "22004",
        "invalid_datetime_format" => "22007",
        "datetime_field_overflow" => "22008",
        "division_by_zero" => "22012",
        "invalid_parameter_value" => "22023",
        "invalid_text_representation" => "22P02",
        "integrity_constraint_violation" => "23000",
        "not_null_violation" => "23502",
        "foreign_key_violation" => "23503",
        "unique_violation" => "23505",
        "check_violation" => "23514",
        "invalid_transaction_state" => "25000",
        "serialization_failure" => "40001",
        "deadlock_detected" => "40P01",
        "insufficient_privilege" => "42501",
        "syntax_error" => "42601",
        "undefined_column" => "42703",
        "undefined_function" => "42883",
        "undefined_table" => "42P01",
        "undefined_object" => "42704",
        "duplicate_table" => "42P07",
        "duplicate_object" => "42710",
        "query_canceled" => "57014",
        "raise_exception" => "P0001",
        "no_data_found" => "P0002",
        "too_many_rows" => "P0003",
        "assert_failure" => "P0004",
        "internal_error" => "XX000",
        _ => {
            return Err(SqlError::new(
                "42704",
                format!("unrecognized exception condition \"{name}\""),
            ));
        }
    })
}

/// Parses `[DECLARE ...] BEGIN stmt; ... END [;]`, refusing what the interpreter cannot run.
fn parse_block(code: &str) -> Result<Vec<Stmt>, SqlError> {
    let tokens: Vec<TokenWithSpan> = Tokenizer::new(&PostgreSqlDialect {}, code)
        .tokenize_with_location()
        .map_err(|e| SqlError::syntax(e.to_string()))?
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let word = |t: Option<&TokenWithSpan>, w: &str| matches!(t.map(|t| &t.token), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    if word(tokens.first(), "declare") {
        return Err(SqlError::unsupported(
            "DECLARE sections in DO blocks are not supported",
        ));
    }
    if !word(tokens.first(), "begin") {
        return Err(near(tokens.first()));
    }
    // The body ends at the last END (optionally followed by `;`).
    let mut end = tokens.len();
    if matches!(tokens.last().map(|t| &t.token), Some(Token::SemiColon)) {
        end -= 1;
    }
    if end < 2 || !word(tokens.get(end - 1), "end") {
        return Err(SqlError::syntax("syntax error at end of input"));
    }
    let body = tokens.get(1..end - 1).unwrap_or_default();
    let mut stmts = Vec::new();
    for part in body.split(|t| t.token == Token::SemiColon) {
        let Some(first) = part.first() else { continue };
        if word(Some(first), "raise") {
            stmts.push(Stmt::Raise(parse_raise(part)?));
        } else if word(Some(first), "null") && part.len() == 1 {
            stmts.push(Stmt::Null);
        } else if word(Some(first), "exception") {
            return Err(SqlError::unsupported(
                "EXCEPTION handlers in DO blocks are not supported",
            ));
        } else {
            return Err(SqlError::unsupported(format!(
                "PL/pgSQL statement \"{}\" in DO blocks is not supported (only RAISE and NULL)",
                first.token
            )));
        }
    }
    Ok(stmts)
}

fn near(t: Option<&TokenWithSpan>) -> SqlError {
    match t {
        Some(t) => SqlError::syntax(format!("syntax error at or near \"{}\"", t.token)),
        None => SqlError::syntax("syntax error at end of input"),
    }
}

/// `RAISE [level] 'format' [, expr ...] [USING opt = expr, ...]`,
/// `RAISE [level] condition | SQLSTATE 'xxxxx' [USING ...]`, `RAISE [level] USING ...`.
fn parse_raise(part: &[TokenWithSpan]) -> Result<Raise, SqlError> {
    let line = part.first().map_or(1, |t| t.span.start.line);
    let mut rest = part.get(1..).unwrap_or_default();
    let word_of = |t: Option<&TokenWithSpan>| match t.map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
        _ => None,
    };
    let mut level = Level::Exception;
    if let Some(l) = word_of(rest.first()).as_deref().and_then(Level::parse) {
        level = l;
        rest = rest.get(1..).unwrap_or_default();
    }
    let using_at = rest
        .iter()
        .position(|t| word_of(Some(t)).as_deref() == Some("using"));
    let (head, using) = match using_at {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            Some(rest.get(i + 1..).unwrap_or_default()),
        ),
        None => (rest, None),
    };
    let mut raise = Raise {
        level,
        format: None,
        args: Vec::new(),
        condition: None,
        options: Vec::new(),
        line,
    };
    match head.first().map(|t| &t.token) {
        None if using.is_none() => {
            return Err(SqlError::new(
                "0Z002",
                "RAISE without parameters cannot be used outside an exception handler",
            ));
        }
        None => {}
        Some(Token::SingleQuotedString(f)) => {
            let mut items = split_commas(head.get(1..).unwrap_or_default())?.into_iter();
            if let Some(first) = items.next()
                && !first.is_empty()
            {
                return Err(near(first.first()));
            }
            raise.args = items.map(|e| tokens_sql(&e)).collect();
            let wanted = placeholders(f);
            if wanted > raise.args.len() {
                return Err(SqlError::syntax("too few parameters specified for RAISE"));
            }
            if wanted < raise.args.len() {
                return Err(SqlError::syntax("too many parameters specified for RAISE"));
            }
            raise.format = Some(f.clone());
        }
        Some(Token::Word(w))
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("sqlstate") =>
        {
            match head.get(1..).unwrap_or_default() {
                [
                    TokenWithSpan {
                        token: Token::SingleQuotedString(s),
                        ..
                    },
                ] => raise.condition = Some(Condition::SqlState(errcode_literal(s)?)),
                other => return Err(near(other.first())),
            }
        }
        Some(Token::Word(w)) if head.len() == 1 => {
            condition_sqlstate(&w.value)?;
            raise.condition = Some(Condition::Name(w.value.clone()));
        }
        Some(_) => return Err(near(head.first())),
    }
    for option in split_commas(using.unwrap_or_default())? {
        let (name, value) = match option.as_slice() {
            [
                TokenWithSpan {
                    token: Token::Word(n),
                    ..
                },
                TokenWithSpan {
                    token: Token::Eq | Token::Assignment,
                    ..
                },
                value @ ..,
            ] if !value.is_empty() => (n.value.to_ascii_uppercase(), tokens_sql(value)),
            other => return Err(near(other.first())),
        };
        if raise.options.iter().any(|(n, _)| *n == name)
            || (name == "MESSAGE" && raise.format.is_some())
            || (name == "ERRCODE" && raise.condition.is_some())
        {
            return Err(SqlError::syntax(format!(
                "RAISE option already specified: {name}"
            )));
        }
        raise.options.push((name, value));
    }
    Ok(raise)
}

/// `SQLSTATE '22012'`: five digits or upper-case letters.
fn errcode_literal(s: &str) -> Result<String, SqlError> {
    if s.len() == 5
        && s.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        Ok(s.to_owned())
    } else {
        Err(SqlError::syntax(format!("invalid SQLSTATE code \"{s}\"")))
    }
}

/// Splits at commas outside parentheses / brackets.
fn split_commas(tokens: &[TokenWithSpan]) -> Result<Vec<Vec<TokenWithSpan>>, SqlError> {
    let mut parts = vec![Vec::new()];
    let mut depth = 0usize;
    for t in tokens {
        match t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => {
                depth = depth.checked_sub(1).ok_or_else(|| near(Some(t)))?;
            }
            Token::Comma if depth == 0 => {
                parts.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = parts.last_mut() {
            last.push(t.clone());
        }
    }
    if tokens.is_empty() {
        parts.clear();
    }
    Ok(parts)
}

fn tokens_sql(tokens: &[TokenWithSpan]) -> String {
    tokens
        .iter()
        .map(|t| t.token.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raise_forms_parse() {
        let stmts = parse_block(
            " BEGIN\n RAISE NOTICE 'a % b %% %', 1 + 2, 'x' USING DETAIL = 'd', HINT := 'h';\n  NULL; RAISE division_by_zero; END ",
        );
        let Ok([Stmt::Raise(r), Stmt::Null, Stmt::Raise(z)]) = stmts.as_deref() else {
            panic!("{stmts:?}");
        };
        assert_eq!(r.level, Level::Notice);
        assert_eq!(r.line, 2);
        assert_eq!(r.args.len(), 2);
        assert_eq!(r.options.len(), 2);
        assert_eq!(z.level, Level::Exception);
        assert_eq!(
            z.condition,
            Some(Condition::Name("division_by_zero".into()))
        );
    }

    #[test]
    fn bad_blocks_are_refused() {
        for (code, sqlstate) in [
            ("BEGIN RAISE NOTICE '% %', 1; END", "42601"),
            ("BEGIN RAISE NOTICE '%', 1, 2; END", "42601"),
            ("BEGIN PERFORM 1; END", "0A000"),
            ("DECLARE x int; BEGIN NULL; END", "0A000"),
            ("BEGIN RAISE no_such_condition; END", "42704"),
            ("BEGIN RAISE; END", "0Z002"),
            ("BEGIN RAISE 'x' USING MESSAGE = 'y'; END", "42601"),
        ] {
            assert_eq!(
                parse_block(code).err().map(|e| e.code),
                Some(sqlstate),
                "{code}"
            );
        }
    }

    #[test]
    fn format_fills_placeholders() {
        assert_eq!(
            format_message("a % b %% c %", &[Some("1".into()), None]),
            "a 1 b % c <NULL>"
        );
    }
}
