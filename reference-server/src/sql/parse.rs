//! Parsing query strings with sqlparser's PostgreSQL dialect, with PostgreSQL-style
//! syntax error messages and positions.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{Statement, visit_relations};
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
    let tokens = super::fetch_syntax::normalize_fetch(normalize_maintenance(tokens));
    let tokens = super::do_block::rewrite_tokens(tokens);
    let tokens = super::pg_predicates::rewrite_tokens(tokens);
    let tokens = super::collate_tokens::rewrite_tokens(tokens);
    let mut statements = Vec::new();
    for piece in super::copy_split::split_after_copy_stdin(tokens) {
        statements.extend(
            Parser::new(&dialect)
                .with_recursion_limit(RECURSION_LIMIT)
                .with_tokens_with_locations(piece)
                .parse_statements()
                .map_err(|e| syntax_error(sql, &e))?,
        );
    }
    for stmt in &statements {
        reject_reserved_relations(sql, stmt)?;
    }
    Ok(statements)
}

/// Whether `word` (lower case) is one of PostgreSQL's reserved keywords, which cannot name a
/// relation unless quoted (and which `quote_ident` therefore quotes).
pub fn is_reserved_keyword(word: &str) -> bool {
    RESERVED.contains(&word)
}

/// PostgreSQL's reserved keywords (its RESERVED_KEYWORD list).
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

/// sqlparser reads `SELECT FROM WHERE` as a scan of a table named `WHERE`; PostgreSQL
/// reports a syntax error at the keyword.
fn reject_reserved_relations(sql: &str, stmt: &Statement) -> Result<(), SqlError> {
    let found =
        visit_relations(stmt, |name| {
            match name.0.iter().filter_map(|p| p.as_ident()).find(|i| {
                i.quote_style.is_none() && is_reserved_keyword(&i.value.to_ascii_lowercase())
            }) {
                Some(i) => ControlFlow::Break(i.clone()),
                None => ControlFlow::Continue(()),
            }
        });
    let ControlFlow::Break(ident) = found else {
        return Ok(());
    };
    let loc = ident.span.start;
    let position = (loc.line >= 1 && loc.column >= 1).then(|| {
        let before: usize = sql
            .split('\n')
            .take(loc.line as usize - 1)
            .map(|l| l.chars().count() + 1)
            .sum();
        before + loc.column as usize
    });
    Err(
        SqlError::syntax(format!("syntax error at or near \"{}\"", ident.value))
            .with_position(position),
    )
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

/// PostgreSQL's `VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [(options)] [table [(cols)], ...]`
/// and `ANALYZE [VERBOSE] [(options)] [table [(cols)], ...]` reduced to the `VACUUM [table]` /
/// `ANALYZE [table]` sqlparser reads: the options change nothing in this server (no dead
/// rows, no planner statistics), and only the first table is looked at.
fn normalize_maintenance(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut drop = vec![false; tokens.len()];
    let next = |from: usize| {
        (from..tokens.len()).find(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
    };
    let word = |i: usize, words: &[&str]| match &tokens[i].token {
        Token::Word(w) if w.quote_style.is_none() => {
            words.iter().any(|x| w.value.eq_ignore_ascii_case(x))
        }
        _ => false,
    };
    let mut start = next(0);
    while let Some(first) = start {
        let end = (first..tokens.len())
            .find(|&i| tokens[i].token == Token::SemiColon)
            .unwrap_or(tokens.len());
        let options: &[&str] = if word(first, &["vacuum"]) {
            &["full", "freeze", "verbose", "analyze", "analyse"]
        } else if word(first, &["analyze", "analyse"]) {
            &["verbose"]
        } else {
            &[]
        };
        if !options.is_empty() {
            let mut i = next(first + 1).filter(|&i| i < end);
            while let Some(at) = i {
                if tokens[at].token == Token::LParen {
                    let mut depth = 0usize;
                    let mut j = at;
                    while j < end {
                        match tokens[j].token {
                            Token::LParen => depth += 1,
                            Token::RParen => depth = depth.saturating_sub(1),
                            _ => {}
                        }
                        drop[j] = true;
                        j += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    i = next(j).filter(|&i| i < end);
                } else if word(at, options) {
                    drop[at] = true;
                    i = next(at + 1).filter(|&i| i < end);
                } else {
                    break;
                }
            }
            // Keep `name[.name...]`; drop a column list and further tables.
            if let Some(mut at) = i {
                while at < end && matches!(tokens[at].token, Token::Word(_) | Token::Period) {
                    at += 1;
                }
                for d in drop.iter_mut().take(end).skip(at) {
                    *d = true;
                }
            }
        }
        start = next(end + 1);
    }
    tokens
        .into_iter()
        .zip(drop)
        .filter_map(|(t, d)| (!d).then_some(t))
        .collect()
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
    fn reserved_word_as_table_is_a_syntax_error() {
        let e = parse("SELECT FROM WHERE").err();
        assert_eq!(e.map(|e| (e.code, e.position())), Some(("42601", Some(13))));
        assert!(parse("SELECT 1 FROM \"where\"").is_ok());
    }

    #[test]
    fn multiple_statements() {
        assert_eq!(parse("select 1; ; select 2;").map(|v| v.len()), Ok(2));
    }

    #[test]
    fn postgres_vacuum_and_analyze_forms_parse() {
        let one = |sql: &str| parse(sql).map(|v| v.iter().map(|s| s.to_string()).collect());
        for (sql, want) in [
            ("vacuum analyze pgbench_branches", "VACUUM pgbench_branches"),
            ("VACUUM FULL FREEZE VERBOSE ANALYZE t", "VACUUM t"),
            (
                "VACUUM (VERBOSE, ANALYZE) public.t (a, b), u",
                "VACUUM public.t",
            ),
            ("VACUUM ANALYZE", "VACUUM"),
        ] {
            assert_eq!(one(sql), Ok(vec![want.to_owned()]), "{sql}");
        }
        assert_eq!(
            parse("ANALYZE VERBOSE t; VACUUM; SELECT 1").map(|v| v.len()),
            Ok(3)
        );
    }
}
