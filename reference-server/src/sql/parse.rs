//! Parsing query strings with sqlparser's PostgreSQL dialect, with PostgreSQL-style
//! syntax error messages and positions.

use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Word};

use super::SqlError;

/// Deeply nested input must fail cleanly, not overflow the stack.
const RECURSION_LIMIT: usize = 200;

/// Parse every statement of a query string (empty statements between `;` are skipped).
pub fn parse(sql: &str) -> Result<Vec<Statement>, SqlError> {
    let dialect = PostgreSqlDialect {};
    let mut tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| syntax_error(sql, &ParserError::TokenizerError(e.to_string())))?;
    normalize_boolean_options(&mut tokens);
    Parser::new(&dialect)
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| syntax_error(sql, &e))
}

/// PostgreSQL accepts `on`/`off` for boolean options (`COPY ... (FREEZE ON, HEADER OFF)`);
/// sqlparser only knows TRUE/FALSE there.
fn normalize_boolean_options(tokens: &mut [TokenWithSpan]) {
    let mut prev_option = false;
    for t in tokens.iter_mut() {
        let Token::Word(w) = &mut t.token else {
            if !matches!(t.token, Token::Whitespace(_)) {
                prev_option = false;
            }
            continue;
        };
        if prev_option && w.quote_style.is_none() {
            if w.value.eq_ignore_ascii_case("on") {
                *w = Word {
                    value: "TRUE".into(),
                    quote_style: None,
                    keyword: Keyword::TRUE,
                };
            } else if w.value.eq_ignore_ascii_case("off") {
                *w = Word {
                    value: "FALSE".into(),
                    quote_style: None,
                    keyword: Keyword::FALSE,
                };
            }
        }
        prev_option = matches!(w.keyword, Keyword::FREEZE | Keyword::HEADER);
    }
}

fn syntax_error(sql: &str, e: &ParserError) -> SqlError {
    let raw = match e {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => {
            return SqlError::new("54001", "stack depth limit exceeded");
        }
    };
    let (msg, position) = split_location(sql, &raw);
    let message = match msg.rsplit_once("found: ") {
        Some((_, tok)) if tok.trim() == "EOF" => "syntax error at end of input".to_owned(),
        Some((_, tok)) => format!("syntax error at or near \"{}\"", tok.trim()),
        None => format!("syntax error: {msg}"),
    };
    let position = if message.ends_with("end of input") {
        Some(sql.chars().count() + 1)
    } else {
        position
    };
    SqlError::syntax(message).with_position(position)
}

/// `"... at Line: 2, Column: 5"` → message without it, and the 1-based character offset.
fn split_location(sql: &str, raw: &str) -> (String, Option<usize>) {
    let Some(idx) = raw.rfind(" at Line: ") else {
        return (raw.to_owned(), None);
    };
    let loc = &raw[idx + " at Line: ".len()..];
    let mut parts = loc.split(", Column: ");
    let line: Option<usize> = parts.next().and_then(|l| l.trim().parse().ok());
    let col: Option<usize> = parts.next().and_then(|c| c.trim().parse().ok());
    let position = match (line, col) {
        (Some(line), Some(col)) if line >= 1 && col >= 1 => {
            let before: usize = sql
                .split('\n')
                .take(line - 1)
                .map(|l| l.chars().count() + 1)
                .sum();
            Some(before + col)
        }
        _ => None,
    };
    (raw[..idx].to_owned(), position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_look_like_postgres() {
        let e = parse("SELEC 1").err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("42601"));
        assert_eq!(
            e.map(|e| (e.position(), e.message)),
            Some((Some(1), "syntax error at or near \"SELEC\"".to_owned()))
        );
    }

    #[test]
    fn multiple_statements() {
        assert_eq!(parse("select 1; ; select 2;").map(|v| v.len()), Ok(2));
    }
}
