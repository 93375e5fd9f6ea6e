//! SQL errors with PostgreSQL SQLSTATEs, and the mapping from DataFusion's errors.

use datafusion::arrow::error::ArrowError;
use datafusion::common::{DataFusionError, SchemaError};
use pgwire::error::{ErrorInfo, PgWireError};

/// An error to report to the client as `ErrorResponse` (severity ERROR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub code: &'static str,
    pub message: String,
    /// Rarely used fields, boxed to keep `Result<_, SqlError>` small.
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Extra {
    detail: Option<String>,
    /// 1-based character offset into the query, like PostgreSQL's `position` field.
    position: Option<usize>,
    /// PostgreSQL's CONTEXT line (e.g. `COPY t, line 3`).
    context: Option<String>,
    hint: Option<String>,
    /// A SQLSTATE chosen at run time (`RAISE ... USING ERRCODE`), overriding `code`.
    sqlstate: Option<String>,
    /// The object the error is about (PostgreSQL's s, t, c, n, d fields).
    object: ErrorObject,
}

/// The schema / table / column / constraint / data type an error names, as PostgreSQL
/// reports them for constraint violations so clients can tell which rule failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorObject {
    pub schema: Option<String>,
    pub table: Option<String>,
    pub column: Option<String>,
    pub constraint: Option<String>,
    pub datatype: Option<String>,
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for SqlError {}

impl SqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            extra: None,
        }
    }

    fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Default::default)
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.extra().detail = Some(detail.into());
        self
    }

    pub fn with_position(mut self, position: Option<usize>) -> Self {
        self.extra().position = position;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.extra().hint = Some(hint.into());
        self
    }

    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.extra().context = Some(context.into());
        self
    }

    /// Report `sqlstate` (any five characters) instead of `code`.
    pub fn with_sqlstate(mut self, sqlstate: impl Into<String>) -> Self {
        self.extra().sqlstate = Some(sqlstate.into());
        self
    }

    pub fn with_object(mut self, object: ErrorObject) -> Self {
        self.extra().object = object;
        self
    }

    /// The SQLSTATE sent to the client.
    pub fn sqlstate(&self) -> &str {
        self.extra
            .as_ref()
            .and_then(|e| e.sqlstate.as_deref())
            .unwrap_or(self.code)
    }

    pub fn position(&self) -> Option<usize> {
        self.extra.as_ref().and_then(|e| e.position)
    }

    pub fn syntax(message: impl Into<String>) -> Self {
        Self::new("42601", message)
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new("0A000", message)
    }

    pub fn canceled() -> Self {
        Self::new("57014", "canceling statement due to user request")
    }

    pub fn timeout() -> Self {
        Self::new("57014", "canceling statement due to statement timeout")
    }

    pub fn in_failed_transaction() -> Self {
        Self::new(
            "25P02",
            "current transaction is aborted, commands ignored until end of transaction block",
        )
    }

    pub fn into_error_info(self) -> ErrorInfo {
        let mut info = ErrorInfo::new("ERROR".to_owned(), self.code.to_owned(), self.message);
        info.severity_nonlocalized = Some("ERROR".to_owned());
        if let Some(extra) = self.extra {
            if let Some(code) = extra.sqlstate {
                info.code = code;
            }
            info.schema = extra.object.schema;
            info.table = extra.object.table;
            info.column = extra.object.column;
            info.constraint = extra.object.constraint;
            info.datatype = extra.object.datatype;
            info.detail = extra.detail;
            info.hint = extra.hint;
            info.position = extra.position.map(|p| p.to_string());
            info.where_context = extra.context;
        }
        info
    }
}

impl From<SqlError> for PgWireError {
    fn from(e: SqlError) -> Self {
        e.into_wire()
    }
}

impl SqlError {
    /// As a pgwire error (named, because generic handlers' `From` bounds shadow the impl).
    pub fn into_wire(self) -> PgWireError {
        PgWireError::UserError(Box::new(self.into_error_info()))
    }
}

/// A codec error (bad input text, out of range) as PostgreSQL reports it.
impl From<crate::pgtypes::PgTypeError> for SqlError {
    fn from(e: crate::pgtypes::PgTypeError) -> Self {
        SqlError::new(e.sqlstate(), e.to_string())
    }
}

impl From<DataFusionError> for SqlError {
    fn from(e: DataFusionError) -> Self {
        from_datafusion(&e)
    }
}

impl SqlError {
    pub fn from_datafusion_ref(e: &DataFusionError) -> Self {
        from_datafusion(e)
    }
}

/// Map a DataFusion error to the SQLSTATE PostgreSQL would report for the same mistake.
fn from_datafusion(e: &DataFusionError) -> SqlError {
    match e {
        DataFusionError::Context(_, inner) | DataFusionError::Diagnostic(_, inner) => {
            from_datafusion(inner)
        }
        DataFusionError::Shared(inner) => from_datafusion(inner),
        DataFusionError::Collection(all) => all
            .first()
            .map(from_datafusion)
            .unwrap_or_else(|| SqlError::new("XX000", "unknown error")),
        DataFusionError::SQL(p, _) => SqlError::syntax(clean(&p.to_string())),
        DataFusionError::ArrowError(a, _) => from_arrow(a),
        DataFusionError::SchemaError(s, _) => from_schema(s),
        DataFusionError::NotImplemented(m) => SqlError::unsupported(clean(m)),
        DataFusionError::External(inner) => {
            if let Some(sql) = inner.downcast_ref::<SqlError>() {
                sql.clone()
            } else if let Some(df) = inner.downcast_ref::<DataFusionError>() {
                from_datafusion(df)
            } else if let Some(a) = inner.downcast_ref::<ArrowError>() {
                from_arrow(a)
            } else {
                from_message(&inner.to_string())
            }
        }
        DataFusionError::ResourcesExhausted(m) => SqlError::new("53200", clean(m)),
        DataFusionError::ExecutionJoin(j) if j.is_cancelled() => SqlError::canceled(),
        other => from_message(&other.message()),
    }
}

fn from_arrow(a: &ArrowError) -> SqlError {
    match a {
        ArrowError::DivideByZero => SqlError::new("22012", "division by zero"),
        ArrowError::CastError(m) | ArrowError::ParseError(m) => {
            super::error_text::cast_error(&clean(m))
                .unwrap_or_else(|| SqlError::new("22P02", clean(m)))
        }
        ArrowError::ArithmeticOverflow(m) => SqlError::new("22003", clean(m)),
        ArrowError::ExternalError(inner) => {
            if let Some(df) = inner.downcast_ref::<DataFusionError>() {
                from_datafusion(df)
            } else if let Some(sql) = inner.downcast_ref::<SqlError>() {
                sql.clone()
            } else {
                from_message(&inner.to_string())
            }
        }
        other => from_message(&other.to_string()),
    }
}

fn from_schema(s: &SchemaError) -> SqlError {
    match s {
        SchemaError::FieldNotFound {
            field,
            valid_fields,
        } => match &field.relation {
            // A qualifier naming no relation in scope is PostgreSQL's 42P01.
            Some(r)
                if !valid_fields
                    .iter()
                    .any(|f| f.relation.as_ref().is_some_and(|v| v.table() == r.table())) =>
            {
                SqlError::new(
                    "42P01",
                    format!("missing FROM-clause entry for table \"{}\"", r.table()),
                )
            }
            _ => SqlError::new("42703", format!("column \"{}\" does not exist", field.name)),
        },
        SchemaError::AmbiguousReference { field } => SqlError::new(
            "42702",
            format!("column reference \"{}\" is ambiguous", field.name),
        ),
        SchemaError::DuplicateQualifiedField { name, .. }
        | SchemaError::DuplicateUnqualifiedField { name } => SqlError::new(
            "42701",
            format!("column \"{name}\" specified more than once"),
        ),
    }
}

/// Classify by message text where DataFusion only gives a string.
fn from_message(raw: &str) -> SqlError {
    let m = clean(raw);
    if let Some(e) = super::error_text::known(&m) {
        return e;
    }
    let lower = m.to_ascii_lowercase();
    let code = if lower.contains("divide by zero") || lower.contains("division by zero") {
        return SqlError::new("22012", "division by zero");
    } else if let Some(t) = quoted_after(&m, "table '").filter(|_| lower.contains("not found")) {
        return SqlError::new("42P01", format!("relation \"{}\" does not exist", bare(&t)));
    } else if lower.contains("already exists") {
        if let Some(t) = quoted_after(&m, "table '") {
            return SqlError::new("42P07", format!("relation \"{}\" already exists", bare(&t)));
        }
        "42P07"
    } else if lower.contains("invalid function")
        || lower.contains("no function matches")
        || lower.contains("function not found")
        || lower.contains("unknown function")
    {
        "42883"
    } else if lower.contains("no field named") || lower.contains("column not found") {
        "42703"
    } else if lower.contains("non-nullable") || lower.contains("null value in column") {
        "23502"
    } else if lower.contains("error parsing timestamp") || lower.contains("error parsing date") {
        "22007"
    } else if lower.contains("overflow") {
        "22003"
    } else if lower.contains("cannot cast") || lower.contains("cast error") {
        "22P02"
    } else if lower.contains("failed to coerce")
        || lower.contains("cannot infer common")
        || lower.contains("type mismatch")
        || lower.contains("does not support") && lower.contains("type")
    {
        "42804"
    } else if lower.contains("more than one row") || lower.contains("scalar subquery") {
        "21000"
    } else if lower.contains("unsupported") || lower.contains("not supported") {
        "0A000"
    } else if lower.contains("sql error") || lower.contains("expected") && lower.contains("found") {
        "42601"
    } else {
        "XX000"
    };
    SqlError::new(code, m)
}

fn quoted_after(m: &str, prefix: &str) -> Option<String> {
    let lower = m.to_ascii_lowercase();
    let start = lower.find(prefix)? + prefix.len();
    let rest = m.get(start..)?;
    let end = rest.find('\'')?;
    Some(rest[..end].to_owned())
}

/// `postgres.public.t` → `t`: PostgreSQL names the relation as the user wrote it.
fn bare(t: &str) -> &str {
    t.rsplit('.').next().unwrap_or(t)
}

/// Strip DataFusion's internal prefixes and backtraces from a message.
pub fn clean(m: &str) -> String {
    const PREFIXES: &[&str] = &[
        "Error during planning: ",
        "Execution error: ",
        "Arrow error: ",
        "Schema error: ",
        "This feature is not implemented: ",
        "Optimizer rule",
        "External error: ",
        "SQL error: ",
        "Invalid argument error: ",
        "Cast error: ",
        "Parser error: ",
        "Compute error: ",
        "ParserError(\"",
        "Internal error: ",
    ];
    let mut s = m.trim();
    if let Some(i) = s.find("\n\nbacktrace") {
        s = &s[..i];
    }
    loop {
        let before = s;
        for p in PREFIXES {
            if let Some(rest) = s.strip_prefix(p) {
                s = rest;
            }
        }
        if before == s {
            break;
        }
    }
    s.trim_end_matches("\")").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_stripped() {
        assert_eq!(
            clean("Error during planning: Execution error: boom"),
            "boom"
        );
    }

    #[test]
    fn table_not_found_is_42p01() {
        let e = from_message("Error during planning: table 'postgres.public.nope' not found");
        assert_eq!(e.code, "42P01");
        assert_eq!(e.message, "relation \"nope\" does not exist");
    }
}
