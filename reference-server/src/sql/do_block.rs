//! `DO [LANGUAGE lang] 'code'`: sqlparser has no DO statement, so the tokens are rewritten
//! to a CALL of an internal procedure name carrying the code and language as string
//! arguments, and [`recognise`] turns that CALL back into the block for the interpreter
//! (`super::plpgsql`).

use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Statement, Value,
};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Word};

/// The internal procedure name a DO statement becomes (`pg_catalog."$do"`): `$` cannot
/// start an unquoted identifier, so no ordinary CALL is mistaken for a DO.
const DO_NAME: &str = "$do";

/// A DO statement's code and language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoBlock {
    pub code: String,
    pub language: String,
}

/// Rewrites every `DO ...` statement of a token stream into the internal CALL form.
/// Statements that are not a well-formed DO are left for the parser to reject.
pub fn rewrite_tokens(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut rest = tokens.as_slice();
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|t| t.token == Token::SemiColon)
            .map_or(rest.len(), |i| i + 1);
        let (stmt, tail) = rest.split_at(end);
        match do_statement(stmt) {
            Some((block, span)) => out.extend(call_tokens(&block, span)),
            None => out.extend_from_slice(stmt),
        }
        rest = tail;
    }
    out
}

/// The block of one statement's tokens (up to and including its `;`), if it is a DO.
fn do_statement(
    stmt: &[TokenWithSpan],
) -> Option<(DoBlock, datafusion::sql::sqlparser::tokenizer::Span)> {
    let mut words = stmt
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::SemiColon));
    let first = words.next()?;
    if !matches!(&first.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("do"))
    {
        return None;
    }
    let mut code = None;
    let mut language = None;
    while let Some(t) = words.next() {
        match &t.token {
            Token::DollarQuotedString(s) if code.is_none() => code = Some(s.value.clone()),
            Token::SingleQuotedString(s) if code.is_none() => code = Some(s.clone()),
            Token::Word(w)
                if w.quote_style.is_none()
                    && w.value.eq_ignore_ascii_case("language")
                    && language.is_none() =>
            {
                language = match &words.next()?.token {
                    Token::Word(l) if l.quote_style.is_none() => Some(l.value.to_lowercase()),
                    Token::Word(l) => Some(l.value.clone()),
                    Token::SingleQuotedString(l) => Some(l.clone()),
                    _ => return None,
                };
            }
            _ => return None,
        }
    }
    let block = DoBlock {
        code: code?,
        language: language.unwrap_or_else(|| "plpgsql".to_owned()),
    };
    Some((block, first.span))
}

fn call_tokens(
    block: &DoBlock,
    span: datafusion::sql::sqlparser::tokenizer::Span,
) -> Vec<TokenWithSpan> {
    let word = |value: &str, quote_style, keyword| {
        Token::Word(Word {
            value: value.to_owned(),
            quote_style,
            keyword,
        })
    };
    [
        word("CALL", None, Keyword::CALL),
        Token::Whitespace(datafusion::sql::sqlparser::tokenizer::Whitespace::Space),
        word("pg_catalog", None, Keyword::NoKeyword),
        Token::Period,
        word(DO_NAME, Some('"'), Keyword::NoKeyword),
        Token::LParen,
        Token::SingleQuotedString(block.code.clone()),
        Token::Comma,
        Token::SingleQuotedString(block.language.clone()),
        Token::RParen,
        Token::SemiColon,
    ]
    .into_iter()
    .map(|token| TokenWithSpan::new(token, span))
    .collect()
}

/// The DO block a parsed statement stands for, if it is the internal CALL.
pub fn recognise(stmt: &Statement) -> Option<DoBlock> {
    let Statement::Call(f) = stmt else {
        return None;
    };
    let [schema, name] = f.name.0.as_slice() else {
        return None;
    };
    let (schema, name) = (schema.as_ident()?, name.as_ident()?);
    if schema.value != "pg_catalog" || name.value != DO_NAME || name.quote_style != Some('"') {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let text = |arg: &FunctionArg| match arg {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v))) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    };
    let [code, language] = list.args.as_slice() else {
        return None;
    };
    Some(DoBlock {
        code: text(code)?,
        language: text(language)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn do_statements_round_trip_through_the_parser() {
        let stmts = crate::sql::parse::parse(
            "SET a = 1; DO $$ BEGIN RAISE NOTICE 'it''s'; END $$; DO LANGUAGE sql 'x'",
        )
        .unwrap_or_default();
        let blocks: Vec<_> = stmts.iter().map(recognise).collect();
        assert_eq!(
            blocks,
            vec![
                None,
                Some(DoBlock {
                    code: " BEGIN RAISE NOTICE 'it''s'; END ".into(),
                    language: "plpgsql".into()
                }),
                Some(DoBlock {
                    code: "x".into(),
                    language: "sql".into()
                }),
            ]
        );
    }

    #[test]
    fn malformed_do_is_a_syntax_error() {
        assert!(crate::sql::parse::parse("DO 1").is_err());
        assert!(crate::sql::parse::parse("DO").is_err());
    }
}
