//! PostgreSQL's `FETCH [direction] [FROM | IN] cursor` in the form sqlparser reads, which
//! needs both the direction and `FROM`/`IN`: `FETCH c` → `FETCH NEXT FROM c`, `FETCH 5 c` →
//! `FETCH 5 FROM c`, `FETCH FORWARD FROM c` → `FETCH NEXT FROM c` (psql and drivers send the
//! short forms).

use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace};

fn is_word(t: &Token, w: &str) -> bool {
    matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

fn keyword(w: &str) -> TokenWithSpan {
    TokenWithSpan::wrap(Token::make_keyword(w))
}

fn space() -> TokenWithSpan {
    TokenWithSpan::wrap(Token::Whitespace(Whitespace::Space))
}

/// Rewrites every FETCH statement of the token list (other statements pass unchanged).
pub(super) fn normalize_fetch(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out = Vec::with_capacity(tokens.len() + 4);
    let mut statement: Vec<TokenWithSpan> = Vec::new();
    for t in tokens {
        let end = t.token == Token::SemiColon;
        statement.push(t);
        if end {
            out.extend(fetch_statement(std::mem::take(&mut statement)));
        }
    }
    out.extend(fetch_statement(statement));
    out
}

fn fetch_statement(mut st: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let significant: Vec<usize> = (0..st.len())
        .filter(|&i| !matches!(st[i].token, Token::Whitespace(_) | Token::SemiColon))
        .collect();
    let Some((&first, rest)) = significant.split_first() else {
        return st;
    };
    // FETCH, then an optional direction, an optional FROM/IN, and the cursor name.
    let Some((&name, middle)) = rest.split_last() else {
        return st;
    };
    if !is_word(&st[first].token, "fetch") || !matches!(st[name].token, Token::Word(_)) {
        return st;
    }
    let has_from = middle
        .last()
        .is_some_and(|&i| is_word(&st[i].token, "from") || is_word(&st[i].token, "in"));
    let direction = if has_from {
        &middle[..middle.len() - 1]
    } else {
        middle
    };
    let bare = match direction {
        [] => Some("NEXT"),
        [d] if is_word(&st[*d].token, "forward") => Some("NEXT"),
        [d] if is_word(&st[*d].token, "backward") => Some("PRIOR"),
        _ => None,
    };
    let mut insert: Vec<TokenWithSpan> = Vec::new();
    if let Some(d) = bare {
        if let [only] = direction {
            st[*only] = keyword(d);
        } else {
            insert.extend([space(), keyword(d)]);
        }
    }
    if !has_from {
        insert.extend([space(), keyword("FROM")]);
    }
    if insert.is_empty() {
        return st;
    }
    insert.push(space());
    // Before the name (or before FROM/IN when only a direction is added).
    let at = if has_from {
        middle[middle.len() - 1]
    } else {
        name
    };
    st.splice(at..at, insert);
    st
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::tokenizer::Tokenizer;

    use super::*;

    fn normalized(sql: &str) -> String {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap_or_default();
        normalize_fetch(tokens)
            .iter()
            .map(|t| t.token.to_string())
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn short_forms_get_direction_and_from() {
        assert_eq!(normalized("FETCH c"), "FETCH NEXT FROM c");
        assert_eq!(normalized("fetch 5 c"), "fetch 5 FROM c");
        assert_eq!(normalized("FETCH FROM c"), "FETCH NEXT FROM c");
        assert_eq!(normalized("FETCH FORWARD IN c;"), "FETCH NEXT IN c;");
        assert_eq!(
            normalized("FETCH ALL c; SELECT 1"),
            "FETCH ALL FROM c; SELECT 1"
        );
    }

    #[test]
    fn full_forms_and_other_statements_pass_unchanged() {
        assert_eq!(
            normalized("FETCH FORWARD 2 FROM c"),
            "FETCH FORWARD 2 FROM c"
        );
        assert_eq!(normalized("SELECT a FROM c"), "SELECT a FROM c");
        assert_eq!(normalized("FETCH"), "FETCH");
    }
}
