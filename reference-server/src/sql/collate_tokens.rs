//! `x::text COLLATE "C"`: sqlparser reads `COLLATE` only right after an operand, never after a
//! `::` cast, and fails with "No infix parser for token COLLATE". PostgreSQL binds `::`
//! tighter than `COLLATE`, so the clause applies to the cast's result; the server keeps no
//! collation per value (every comparison is bytewise, as under "C"), so the clause moves in
//! front of the cast chain, where sqlparser reads it and the analysis still checks the name.

use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace};

pub fn rewrite_tokens(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut from = 0;
    while let Some(at) = (from..tokens.len()).find(|&i| is_collate(&tokens[i].token)) {
        from = at + 1;
        let Some(cast) = cast_chain_start(&tokens, at) else {
            continue;
        };
        let end = name_end(&tokens, at + 1);
        let span = tokens[at].span;
        let clause: Vec<TokenWithSpan> = tokens.drain(at..end).collect();
        let moved = std::iter::once(TokenWithSpan {
            token: Token::Whitespace(Whitespace::Space),
            span,
        })
        .chain(clause);
        tokens.splice(cast..cast, moved);
        from = end + 1;
    }
    tokens
}

fn is_collate(t: &Token) -> bool {
    matches!(t, Token::Word(w) if w.keyword == Keyword::COLLATE)
}

fn is_space(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

/// Where the collation name after `COLLATE` ends: `name` or `schema.name`.
fn name_end(tokens: &[TokenWithSpan], mut i: usize) -> usize {
    while tokens.get(i).is_some_and(|t| is_space(&t.token)) {
        i += 1;
    }
    if !matches!(tokens.get(i).map(|t| &t.token), Some(Token::Word(_))) {
        return i;
    }
    i += 1;
    while matches!(tokens.get(i).map(|t| &t.token), Some(Token::Period))
        && matches!(tokens.get(i + 1).map(|t| &t.token), Some(Token::Word(_)))
    {
        i += 2;
    }
    i
}

/// The `::` that starts the cast chain ending right before `tokens[end]`, if one does.
fn cast_chain_start(tokens: &[TokenWithSpan], end: usize) -> Option<usize> {
    let mut start = type_cast_before(tokens, end)?;
    while let Some(earlier) = type_cast_before(tokens, start) {
        start = earlier;
    }
    Some(start)
}

/// The `::` of a `:: type` group that ends right before `tokens[end]`: between them only a
/// type name's tokens (words, `.`, `[]`, and a parenthesized modifier list).
fn type_cast_before(tokens: &[TokenWithSpan], end: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut seen_type = false;
    for i in (0..end).rev() {
        match &tokens.get(i)?.token {
            Token::DoubleColon if depth == 0 => return seen_type.then_some(i),
            Token::Whitespace(_) => {}
            Token::Word(_) | Token::Period | Token::LBracket | Token::RBracket => {
                seen_type = true;
            }
            Token::RParen => depth += 1,
            Token::LParen => depth = depth.checked_sub(1)?,
            Token::Number(..) | Token::Comma if depth > 0 => {}
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::tokenizer::Tokenizer;

    use super::*;

    fn moved(sql: &str) -> String {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap_or_default();
        rewrite_tokens(tokens)
            .iter()
            .map(|t| t.token.to_string())
            .collect()
    }

    #[test]
    fn collate_moves_before_the_cast_chain() {
        assert_eq!(
            moved(r#"SELECT 'a'::text COLLATE "C""#),
            r#"SELECT 'a' COLLATE "C"::text "#
        );
        assert_eq!(
            moved("SELECT x::varchar(3)::text COLLATE pg_catalog.default, 1"),
            "SELECT x COLLATE pg_catalog.default::varchar(3)::text , 1"
        );
        assert_eq!(
            moved(r#"SELECT a::int, b COLLATE "C""#),
            r#"SELECT a::int, b COLLATE "C""#
        );
    }
}
