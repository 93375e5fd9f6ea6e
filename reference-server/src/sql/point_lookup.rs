//! Fast path for point lookups: `SELECT <columns | *> FROM <table> WHERE <key> = <value>
//! [AND ...]` where the equalities cover the table's unique lookup key exactly is answered from
//! the table's key index ([`crate::storage::Table::lookup`]) without DataFusion planning.
//!
//! The answer is an [`Outcome::Rows`] with the schema DataFusion's plan would have (the table's
//! fields, as its scan exposes them), so RowDescription, text/binary encoding and the command
//! tag come from the same code as the general path. Anything that does not fit exactly declines
//! (`Ok(None)`) and the statement takes the general path: other expressions, casts, a value
//! PostgreSQL would coerce or reject (the general path raises that error), the session's own
//! buffered writes to the table, a name that is not a storage table.

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::physical_plan::memory::MemoryStream;
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, Ident, ObjectName, Query, Select, SelectFlavor, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, Statement, TableFactor, UnaryOperator, Value,
    WildcardAdditionalOptions,
};

use super::{Outcome, SqlError};
use crate::catalog::{SessionCatalog, split_name};
use crate::session::Session;
use crate::storage::{Lookup, key_columns};

/// A recognised point-lookup statement (names as written, normalized; not yet resolved).
#[derive(Debug, Clone)]
pub struct PointQuery {
    table: ObjectName,
    /// Selected columns in order; `None` = `*`.
    columns: Vec<Option<String>>,
    /// `column = value` conjuncts.
    filters: Vec<(String, Arg)>,
}

impl PointQuery {
    /// `SELECT columns FROM table WHERE key = value`, names already folded (see
    /// [`super::point_text`]).
    pub fn by_int_key(table: String, columns: Vec<String>, key: String, value: i64) -> Self {
        PointQuery {
            table: ObjectName::from(vec![Ident::new(table)]),
            columns: columns.into_iter().map(Some).collect(),
            filters: vec![(key, Arg::Int(value))],
        }
    }
}

/// The value side of a key equality.
#[derive(Debug, Clone)]
enum Arg {
    /// An integer literal (`5`, `-5`).
    Int(i64),
    /// A string literal (`'5'`, `'abc'`), typed by the column it is compared with.
    Str(String),
    /// `$n` (1-based).
    Param(usize),
}

/// Identifier as DataFusion (and PostgreSQL) resolve it: unquoted folds to lower case.
fn norm(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_ascii_lowercase(),
    }
}

/// The point-lookup shape of `stmt`, if it has it.
pub fn recognise(stmt: &Statement) -> Option<PointQuery> {
    let Statement::Query(q) = stmt else {
        return None;
    };
    let SetExpr::Select(select) = plain_query(q)? else {
        return None;
    };
    let select = plain_select(select)?;
    let [from] = select.from.as_slice() else {
        return None;
    };
    if !from.joins.is_empty() {
        return None;
    }
    let TableFactor::Table {
        name,
        alias,
        args: None,
        with_hints,
        version: None,
        with_ordinality: false,
        partitions,
        json_path: None,
        sample: None,
        index_hints,
    } = &from.relation
    else {
        return None;
    };
    if !(with_hints.is_empty() && partitions.is_empty() && index_hints.is_empty()) {
        return None;
    }
    let (_, table_name) = split_name(name);
    // pg_catalog comes first on PostgreSQL's search path: leave system names alone.
    if table_name.starts_with("pg_") || name.0.len() > 2 {
        return None;
    }
    // What column references may be qualified with: the alias, else the table name.
    let qualifier = match alias {
        Some(a) if a.columns.is_empty() => norm(&a.name),
        Some(_) => return None,
        None => table_name,
    };
    let column = |e: &Expr| -> Option<String> {
        match e {
            Expr::Identifier(i) => Some(norm(i)),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] if norm(q) == qualifier => Some(norm(c)),
                _ => None,
            },
            _ => None,
        }
    };
    let mut columns = Vec::with_capacity(select.projection.len());
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                columns.push(Some(column(e)?));
            }
            SelectItem::Wildcard(opts) if plain_wildcard(opts) => columns.push(None),
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), opts)
                if plain_wildcard(opts)
                    && matches!(n.0.as_slice(), [p] if p.as_ident().map(norm) == Some(qualifier.clone())) =>
            {
                columns.push(None)
            }
            _ => return None,
        }
    }
    let mut filters = Vec::new();
    conjuncts(select.selection.as_ref()?, &column, &mut filters)?;
    Some(PointQuery {
        table: name.clone(),
        columns,
        filters,
    })
}

/// The body of a query without WITH, ORDER BY, LIMIT, FOR UPDATE...
fn plain_query(q: &Query) -> Option<&SetExpr> {
    let plain = q.with.is_none()
        && q.order_by.is_none()
        && q.limit_clause.is_none()
        && q.fetch.is_none()
        && q.locks.is_empty()
        && q.for_clause.is_none()
        && q.settings.is_none()
        && q.format_clause.is_none()
        && q.pipe_operators.is_empty();
    plain.then_some(q.body.as_ref())
}

/// A SELECT with nothing but a projection, one FROM item and a WHERE clause.
fn plain_select(s: &Select) -> Option<&Select> {
    let no_grouping =
        matches!(&s.group_by, GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty());
    let plain = s.optimizer_hints.is_empty()
        && s.distinct.is_none()
        && s.select_modifiers.is_none()
        && s.top.is_none()
        && s.exclude.is_none()
        && s.into.is_none()
        && s.lateral_views.is_empty()
        && s.prewhere.is_none()
        && s.connect_by.is_empty()
        && no_grouping
        && s.cluster_by.is_empty()
        && s.distribute_by.is_empty()
        && s.sort_by.is_empty()
        && s.having.is_none()
        && s.named_window.is_empty()
        && s.qualify.is_none()
        && s.value_table_mode.is_none()
        && matches!(s.flavor, SelectFlavor::Standard);
    plain.then_some(s)
}

fn plain_wildcard(o: &WildcardAdditionalOptions) -> bool {
    o.opt_ilike.is_none()
        && o.opt_exclude.is_none()
        && o.opt_except.is_none()
        && o.opt_replace.is_none()
        && o.opt_rename.is_none()
}

/// Collects `column = value` from an AND tree; `None` for anything else.
fn conjuncts(
    e: &Expr,
    column: &impl Fn(&Expr) -> Option<String>,
    out: &mut Vec<(String, Arg)>,
) -> Option<()> {
    match e {
        Expr::Nested(inner) => conjuncts(inner, column, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts(left, column, out)?;
            conjuncts(right, column, out)
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => {
            let (c, v) = match (column(left), column(right)) {
                (Some(c), None) => (c, right),
                (None, Some(c)) => (c, left),
                _ => return None,
            };
            out.push((c, arg(v)?));
            Some(())
        }
        _ => None,
    }
}

fn arg(e: &Expr) -> Option<Arg> {
    match e {
        Expr::Nested(inner) => arg(inner),
        Expr::Value(v) => match &v.value {
            Value::Number(n, false) => n.parse::<i64>().ok().map(Arg::Int),
            Value::SingleQuotedString(s) => Some(Arg::Str(s.clone())),
            Value::Placeholder(p) => p
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n >= 1)
                .map(Arg::Param),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match arg(expr)? {
            Arg::Int(i) => i.checked_neg().map(Arg::Int),
            _ => None,
        },
        _ => None,
    }
}

/// The key value of column type `ty` PostgreSQL would compare with, when it is exactly
/// representable; `None` when the general path must decide (coercion, error, NULL).
fn key_value(ty: &DataType, arg: &Arg, params: &[ScalarValue]) -> Option<ScalarValue> {
    let int = match arg {
        Arg::Int(i) => Some(*i),
        Arg::Str(s) => match ty {
            DataType::Utf8 => return Some(ScalarValue::Utf8(Some(s.clone()))),
            _ => strict_int(s),
        },
        Arg::Param(n) => match params.get(n.checked_sub(1)?)? {
            ScalarValue::Int16(Some(v)) => Some(i64::from(*v)),
            ScalarValue::Int32(Some(v)) => Some(i64::from(*v)),
            ScalarValue::Int64(Some(v)) => Some(*v),
            ScalarValue::Utf8(Some(s)) if *ty == DataType::Utf8 => {
                return Some(ScalarValue::Utf8(Some(s.clone())));
            }
            _ => None,
        },
    }?;
    match ty {
        DataType::Int16 => i16::try_from(int).ok().map(|v| ScalarValue::Int16(Some(v))),
        DataType::Int32 => i32::try_from(int).ok().map(|v| ScalarValue::Int32(Some(v))),
        DataType::Int64 => Some(ScalarValue::Int64(Some(int))),
        _ => None,
    }
}

/// `[+-]digits` only: anything else (spaces, underscores, overflow) is left to the general
/// path so its errors are the ones PostgreSQL raises.
fn strict_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Session {
    /// Answers a recognised point lookup from the key index; `Ok(None)` = take the general
    /// path. `params` are the bound values of `$1..$n` (extended protocol).
    pub async fn point_lookup(
        &self,
        q: &PointQuery,
        params: &[ScalarValue],
    ) -> Result<Option<Outcome>, SqlError> {
        let (schema, name) = split_name(&q.table);
        let Some(catalog) = SessionCatalog::of(&self.ctx) else {
            return Ok(None);
        };
        let Some(table) = catalog.lookup(schema.as_deref(), &name).map(|t| t.table) else {
            return Ok(None);
        };
        // DataFusion resolves `public.t` like `t` (a temporary `t` shadows it): answer only
        // where both agree on the table.
        if schema.is_some()
            && !catalog
                .lookup(None, &name)
                .is_some_and(|t| Arc::ptr_eq(&t.table, &table))
        {
            return Ok(None);
        }
        let def = table.def();
        let Some(key) = key_columns(def) else {
            return Ok(None);
        };
        if q.filters.len() != key.len() {
            return Ok(None);
        }
        let mut values = Vec::with_capacity(key.len());
        for k in &key {
            let mut matching = q
                .filters
                .iter()
                .filter(|(c, _)| def.schema.index_of(c).ok() == Some(*k));
            let (Some((_, a)), None) = (matching.next(), matching.next()) else {
                return Ok(None);
            };
            let Some(field) = def.schema.fields().get(*k) else {
                return Ok(None);
            };
            let Some(v) = key_value(field.data_type(), a, params) else {
                return Ok(None);
            };
            values.push(v);
        }
        let mut indices = Vec::new();
        for c in &q.columns {
            match c {
                None => indices.extend(0..def.schema.fields().len()),
                Some(name) => match def.schema.index_of(name) {
                    Ok(i) => indices.push(i),
                    Err(_) => return Ok(None),
                },
            }
        }
        // The session's own uncommitted writes to the table are only in its overlay.
        if !self.tx_writes().ops_for(table.id).is_empty() {
            return Ok(None);
        }
        let row = match table.lookup(&values).await? {
            Lookup::Found(row) => row,
            Lookup::Unavailable => return Ok(None),
        };
        let schema = Arc::new(table.loose.project(&indices).map_err(internal)?);
        let batches = match row {
            Some(row) => vec![
                RecordBatch::try_new(schema.clone(), row.columns(&indices)).map_err(internal)?,
            ],
            None => Vec::new(),
        };
        let stream = MemoryStream::try_new(batches, schema.clone(), None)?;
        Ok(Some(Outcome::Rows {
            schema,
            stream: Box::pin(stream),
        }))
    }
}

fn internal(e: impl std::fmt::Display) -> SqlError {
    SqlError::new("XX000", e.to_string())
}
