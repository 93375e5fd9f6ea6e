//! A scanner for the one query text simple-protocol benchmarks send over and over,
//! `SELECT a, b FROM t WHERE k = 42`, recognised without sqlparser so the point lookup
//! ([`super::point_lookup`]) skips tokenizing, parsing and classifying.
//!
//! It accepts only a strict subset whose meaning cannot differ from the full parser's:
//! unquoted lower- or upper-case identifiers that are no keyword of any kind and name no
//! system relation, one integer literal, single spaces or more between words, an optional
//! trailing `;`. Anything else (quotes, comments, casts, qualified names...) is left to the
//! full path, which also handles every error.

use datafusion::sql::sqlparser::keywords::ALL_KEYWORDS;

use super::point_lookup::PointQuery;
use crate::catalog::system::is_pg_catalog_relation;

/// `NAMEDATALEN - 1`: longer names are truncated (with a NOTICE) by the full path.
const MAX_IDENT: usize = 63;

/// The point lookup `sql` is, if it has the strict shape described above.
pub fn recognise(sql: &str) -> Option<PointQuery> {
    let mut s = Scanner {
        rest: sql.as_bytes(),
    };
    s.space();
    s.keyword("select")?;
    let mut columns = vec![s.ident()?];
    while s.punct(b',') {
        columns.push(s.ident()?);
    }
    s.keyword("from")?;
    let table = s.ident()?;
    if table.starts_with("pg_") || is_pg_catalog_relation(&table) {
        return None;
    }
    s.keyword("where")?;
    let key = s.ident()?;
    if !s.punct(b'=') {
        return None;
    }
    let value = s.int()?;
    s.punct(b';');
    s.rest
        .is_empty()
        .then(|| PointQuery::by_int_key(table, columns, key, value))
}

struct Scanner<'a> {
    rest: &'a [u8],
}

impl Scanner<'_> {
    fn space(&mut self) {
        let n = self
            .rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        self.rest = self.rest.get(n..).unwrap_or_default();
    }

    /// A word of letters, digits and `_` not starting with a digit, then spaces.
    fn word(&mut self) -> Option<&str> {
        let n = self
            .rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let (word, rest) = self.rest.split_at_checked(n)?;
        if word.first().is_none_or(u8::is_ascii_digit) {
            return None;
        }
        self.rest = rest;
        self.space();
        std::str::from_utf8(word).ok()
    }

    fn keyword(&mut self, expected: &str) -> Option<()> {
        self.word()
            .filter(|w| w.eq_ignore_ascii_case(expected))
            .map(|_| ())
    }

    /// An identifier folded to lower case; keywords (even non-reserved ones, whose meaning
    /// depends on where they stand) and names PostgreSQL would truncate are declined.
    fn ident(&mut self) -> Option<String> {
        let word = self.word()?.to_ascii_lowercase();
        if word.len() > MAX_IDENT {
            return None;
        }
        let upper = word.to_ascii_uppercase();
        ALL_KEYWORDS
            .binary_search(&upper.as_str())
            .is_err()
            .then_some(word)
    }

    fn punct(&mut self, c: u8) -> bool {
        match self.rest.split_first() {
            Some((b, rest)) if *b == c => {
                self.rest = rest;
                self.space();
                true
            }
            _ => false,
        }
    }

    /// `-?digits` fitting an i64, then spaces.
    fn int(&mut self) -> Option<i64> {
        let neg = self.rest.first() == Some(&b'-');
        let digits = self.rest.get(usize::from(neg)..).unwrap_or_default();
        let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        let (text, rest) = digits.split_at_checked(n)?;
        // `1e5`, `1.5`, `1_000`, `1abc`: not an integer literal.
        if n == 0
            || rest
                .first()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b"._".contains(b))
        {
            return None;
        }
        let v: i64 = std::str::from_utf8(text).ok()?.parse().ok()?;
        self.rest = rest;
        self.space();
        Some(if neg { -v } else { v })
    }
}

#[cfg(test)]
mod tests {
    use super::recognise;

    #[test]
    fn only_the_strict_shape_is_recognised() {
        for sql in [
            "SELECT abalance FROM pgbench_accounts WHERE aid = 42;",
            "select a,b , c from t where k=-7",
            "  SELECT x FROM t WHERE k = 0 ;  ",
        ] {
            assert!(recognise(sql).is_some(), "{sql}");
        }
        for sql in [
            "SELECT * FROM t WHERE k = 1",
            "SELECT a FROM t WHERE k = 1 AND j = 2",
            "SELECT a FROM t WHERE k = 1.5",
            "SELECT a FROM t WHERE k = 1e3",
            "SELECT a FROM t WHERE k = '1'",
            "SELECT a FROM t WHERE k = 99999999999999999999",
            "SELECT a FROM t WHERE k = - 1",
            "SELECT a FROM t WHERE k = 1; SELECT 1",
            "SELECT a FROM t WHERE k = 1 -- c",
            "SELECT a FROM s.t WHERE k = 1",
            "SELECT a FROM \"T\" WHERE k = 1",
            "SELECT a FROM pg_class WHERE oid = 1",
            "SELECT name FROM t WHERE k = 1",
            "SELECT a FROM t WHERE user = 1",
            "SELECT a FROM t WHERE k = 1::int",
            "SELECT a FROM t WHERE k = 1 ORDER BY a",
            "SELECT a FROM t x WHERE k = 1",
            "SELECT 1a FROM t WHERE k = 1",
            "SELECT é FROM t WHERE k = 1",
        ] {
            assert!(recognise(sql).is_none(), "{sql}");
        }
    }
}
