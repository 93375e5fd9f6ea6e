//! `COPY … FROM STDIN;` followed by more statements in one query string. sqlparser reads
//! whatever follows such a COPY as its inline tab-separated data (psql's script form), but
//! over the wire the data comes in CopyData messages and PostgreSQL runs the statements
//! after the COPY as statements. So the token stream is cut after each such COPY and every
//! piece is parsed on its own.

use datafusion::sql::sqlparser::tokenizer::{Token, TokenWithSpan};

/// The token stream split after every top-level `COPY … FROM STDIN` (its `;` dropped, so the
/// parser sees no inline data). Without such a COPY, one piece: the whole stream.
pub fn split_after_copy_stdin(tokens: Vec<TokenWithSpan>) -> Vec<Vec<TokenWithSpan>> {
    let mut pieces = Vec::new();
    let mut current: Vec<TokenWithSpan> = Vec::new();
    // Whether the statement being read starts with COPY (`None` before its first word)
    // and has named STDIN so far.
    let mut starts_with_copy: Option<bool> = None;
    let mut stdin = false;
    let mut depth = 0usize;
    for t in tokens {
        match &t.token {
            Token::Whitespace(_) => {}
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::SemiColon if depth == 0 => {
                let cut = starts_with_copy == Some(true) && stdin;
                starts_with_copy = None;
                stdin = false;
                if cut {
                    pieces.push(std::mem::take(&mut current));
                    continue;
                }
            }
            Token::Word(w) => {
                let first = starts_with_copy.is_none();
                if first {
                    starts_with_copy = Some(w.value.eq_ignore_ascii_case("copy"));
                }
                if !first && depth == 0 && w.value.eq_ignore_ascii_case("stdin") {
                    stdin = true;
                }
            }
            _ => {
                starts_with_copy.get_or_insert(false);
            }
        }
        current.push(t);
    }
    pieces.push(current);
    pieces
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::tokenizer::Tokenizer;

    use super::*;

    fn pieces(sql: &str) -> Vec<String> {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap_or_default();
        split_after_copy_stdin(tokens)
            .iter()
            .map(|p| p.iter().map(|t| t.token.to_string()).collect::<String>())
            .collect()
    }

    #[test]
    fn cuts_after_copy_from_stdin_only() {
        assert_eq!(
            pieces("CREATE TABLE t(a int); COPY t FROM STDIN; SELECT 1"),
            ["CREATE TABLE t(a int); COPY t FROM STDIN", " SELECT 1"]
        );
        assert_eq!(pieces("SELECT 1; SELECT 2"), ["SELECT 1; SELECT 2"]);
        assert_eq!(
            pieces("COPY (SELECT 1) TO STDOUT; SELECT 2"),
            ["COPY (SELECT 1) TO STDOUT; SELECT 2"]
        );
    }
}
