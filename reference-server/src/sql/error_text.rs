//! DataFusion's and Arrow's error texts → PostgreSQL's SQLSTATE and message for the same
//! mistake, and the error position PostgreSQL reports (the offending name in the query).

use super::SqlError;

const NO_FUNCTION_HINT: &str = "No function matches the given name and argument types. You might need to add explicit type casts.";

/// A DataFusion message PostgreSQL reports with a specific SQLSTATE.
pub fn known(m: &str) -> Option<SqlError> {
    let lower = m.to_ascii_lowercase();
    let has = |s: &str| lower.contains(s);
    let e = |code: &'static str, msg: &str| Some(SqlError::new(code, msg));
    if let Some(name) = quoted(m, "Invalid function '", '\'') {
        return Some(
            SqlError::new("42883", format!("function {name} does not exist"))
                .with_hint(NO_FUNCTION_HINT),
        );
    }
    if has("must appear in the group by clause") || has("must be in group by") {
        return e(
            "42803",
            "column must appear in the GROUP BY clause or be used in an aggregate function",
        );
    }
    if has("aggregate functions are not allowed in the where clause") {
        return e("42803", "aggregate functions are not allowed in WHERE");
    }
    if has("aggregate function calls cannot contain window function calls") {
        return e(
            "42803",
            "aggregate function calls cannot contain window function calls",
        );
    }
    if has("aggregate function calls cannot be nested") || has("nested aggregate") {
        return e("42803", "aggregate function calls cannot be nested");
    }
    if has("physical plan does not support logical expression windowfunction") {
        return e("42P20", "window functions are not allowed in WHERE");
    }
    if has("cannot find column with position") {
        return e(
            "42P10",
            &m.replace("Cannot find column with position", "position"),
        );
    }
    if has("select distinct on expressions must match initial order by") {
        return e(
            "42P10",
            "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
        );
    }
    if has("limit must be >= 0") {
        return e("2201W", "LIMIT must not be negative");
    }
    if has("offset must be >=0") || has("offset must be >= 0") {
        return e("2201X", "OFFSET must not be negative");
    }
    if has("regex parse error") {
        let first = m.lines().last().unwrap_or(m).trim();
        return e(
            "2201B",
            &format!(
                "invalid regular expression: {}",
                first.trim_start_matches("error: ")
            ),
        );
    }
    if has("is too large to store in a decimal") {
        return e("22003", "numeric field overflow");
    }
    if has("cannot take square root of a negative number") {
        return e("2201F", "cannot take square root of a negative number");
    }
    if let Some(rest) = m.strip_prefix("Cannot coerce arithmetic expression ") {
        return e(
            "42883",
            &format!(
                "operator does not exist: {}",
                rest.trim_end_matches(" to valid types")
            ),
        );
    }
    if has("non-boolean predicate") {
        return e("42804", "argument of WHERE must be type boolean");
    }
    if has("union queries have different number of columns") {
        return e(
            "42601",
            "each UNION query must have the same number of columns",
        );
    }
    if has("too many columns! the subquery should only return one column") {
        return e("42601", "subquery must return only one column");
    }
    if has("inconsistent data length across values list") {
        return e("42601", "VALUES lists must all be the same length");
    }
    if has("unsupported date_trunc granularity") || (has("date part") && has("not supported")) {
        return e("22023", &format!("unit not recognized: {m}"));
    }
    if has("step can't be 0") {
        return e("22023", "step size cannot equal zero");
    }
    if has("is out of range") && (has("month") || has("day") || has("year")) {
        return e("22008", "date field value out of range");
    }
    if has("invalid input syntax for type interval") || has("invalid timezone") {
        return e("22007", m);
    }
    if has("error parsing timestamp") || has("error parsing date") {
        return Some(timestamp_error(m));
    }
    if has("cannot cast") || has("can't cast") {
        return cast_error(m);
    }
    None
}

/// `'x'::int`-style failures: 22P02 for bad syntax, 22003 for out-of-range numbers,
/// 22007/22008 for dates.
pub fn cast_error(m: &str) -> Option<SqlError> {
    if let Some(value) = quoted(m, "Cannot cast string '", '\'') {
        let target = m.rsplit("value of ").next().unwrap_or("");
        let target = target.trim_end_matches(" type").trim();
        if target.starts_with("Date") || target.starts_with("Timestamp") {
            return Some(datetime_input(&value, target.starts_with("Date")));
        }
        let ty = sql_type_name(target);
        let numeric = value.trim().trim_start_matches(['-', '+']);
        if ty != "numeric" && !numeric.is_empty() && numeric.chars().all(|c| c.is_ascii_digit()) {
            return Some(SqlError::new(
                "22003",
                format!("value \"{value}\" is out of range for type {ty}"),
            ));
        }
        return Some(SqlError::new(
            "22P02",
            format!("invalid input syntax for type {ty}: \"{value}\""),
        ));
    }
    if let Some(rest) = m.strip_prefix("Can't cast value ") {
        let ty = sql_type_name(rest.rsplit("to type ").next().unwrap_or("").trim());
        return Some(SqlError::new("22003", format!("{ty} out of range")));
    }
    None
}

fn timestamp_error(m: &str) -> SqlError {
    let value = quoted(m, "from '", '\'').unwrap_or_default();
    datetime_input(&value, false)
}

/// A date/time string of only digits and separators names a field out of range (22008);
/// anything else is bad syntax (22007).
fn datetime_input(value: &str, date: bool) -> SqlError {
    let ty = if date {
        "date"
    } else {
        "timestamp without time zone"
    };
    let fields_only = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | ' ' | '.' | '+' | 'T'));
    if fields_only {
        SqlError::new(
            "22008",
            format!("date/time field value out of range: \"{value}\""),
        )
    } else {
        SqlError::new(
            "22007",
            format!("invalid input syntax for type {ty}: \"{value}\""),
        )
    }
}

/// Arrow type names in cast errors → PostgreSQL's.
fn sql_type_name(arrow: &str) -> &'static str {
    match arrow {
        "Int16" | "Int8" => "smallint",
        "Int32" => "integer",
        "Int64" => "bigint",
        "Float32" => "real",
        "Float64" => "double precision",
        "Boolean" => "boolean",
        a if a.starts_with("Decimal") => "numeric",
        a if a.starts_with("Interval") => "interval",
        _ => "text",
    }
}

fn quoted(m: &str, prefix: &str, end: char) -> Option<String> {
    let start = m.find(prefix)? + prefix.len();
    let rest = m.get(start..)?;
    Some(rest[..rest.find(end)?].to_owned())
}

impl SqlError {
    /// Fill in PostgreSQL's error position (1-based, in characters) for errors that name a
    /// relation, column or function of `sql`, when the error has none yet.
    pub fn locate(self, sql: &str) -> Self {
        if self.position().is_some() {
            return self;
        }
        // Bad input for a type points at the literal.
        if matches!(self.code, "22P02" | "22003" | "22007" | "22008")
            && let Some(value) = self.message.rsplit_once(": \"").map(|(_, v)| v)
            && let Some(value) = value.strip_suffix('"')
            && let Some(at) = sql.find(&format!("'{value}'"))
        {
            let position = sql[..at].chars().count() + 1;
            return self.with_position(Some(position));
        }
        let name = match self.code {
            "42P01" | "42703" => quoted(&self.message, "\"", '"'),
            "42883" => self
                .message
                .strip_prefix("function ")
                .and_then(|r| r.split(['(', ' ']).next())
                .map(str::to_owned),
            _ => None,
        };
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return self;
        };
        let call = self.code == "42883";
        let position = find_word(sql, &name, call);
        self.with_position(position)
    }
}

/// The 1-based character offset of the first whole-word, case-insensitive occurrence of
/// `word` outside string literals (followed by `(` when `call`).
fn find_word(sql: &str, word: &str, call: bool) -> Option<usize> {
    let chars: Vec<char> = sql.chars().collect();
    let target: Vec<char> = word.to_lowercase().chars().collect();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut in_string = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            in_string = !in_string;
        } else if !in_string
            && (i == 0 || !is_ident(chars[i - 1]))
            && chars.len() - i >= target.len()
            && chars[i..i + target.len()]
                .iter()
                .zip(&target)
                .all(|(a, b)| a.to_lowercase().eq(std::iter::once(*b)))
        {
            let after = i + target.len();
            let ends = chars.get(after).is_none_or(|c| !is_ident(*c));
            let called = chars[after..]
                .iter()
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| *c == '(');
            if ends && (!call || called) {
                return Some(i + 1);
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_point_at_the_name() {
        let e = SqlError::new("42703", "column \"nope\" does not exist")
            .locate("SELECT 'nope', nope FROM t");
        assert_eq!(e.position(), Some(16));
        let e = SqlError::new("42883", "function f(integer) does not exist")
            .locate("SELECT ff(1), f (1)");
        assert_eq!(e.position(), Some(15));
    }

    #[test]
    fn cast_errors_follow_postgres() {
        let e = cast_error("Cannot cast string '2147483648' to value of Int32 type");
        assert_eq!(e.map(|e| e.code), Some("22003"));
        let e = cast_error("Cannot cast string 'abc' to value of Int32 type");
        assert_eq!(
            e.map(|e| e.message),
            Some("invalid input syntax for type integer: \"abc\"".to_owned())
        );
        let e = cast_error("Cannot cast string '2023-02-29' to value of Date32 type");
        assert_eq!(e.map(|e| e.code), Some("22008"));
    }
}
