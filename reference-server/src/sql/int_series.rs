//! `generate_series` over integers as PostgreSQL types and runs it. DataFusion's series is
//! always bigint; PostgreSQL's `generate_series(int4, int4)` is int4. In the select list
//! PostgreSQL's set-returning call yields rows (`SELECT generate_series(1, 3) AS x` is three
//! rows), where DataFusion's scalar `generate_series` returns one array: it is unnested.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Query, SelectItem, SetExpr,
    Statement, TableFactor, UnaryOperator, Value, VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// Rewrite every integer `generate_series` of a statement (run after the aliasing of
/// [`super::rewrite`], which names an aliased series' column).
pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut Series);
}

struct Series;

impl VisitorMut for Series {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let SetExpr::Select(select) = query.body.as_mut() {
            for item in &mut select.projection {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                {
                    unnest_series(e);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        widen_bounds(factor);
        if let TableFactor::Table {
            name,
            args: Some(args),
            alias: Some(alias),
            ..
        } = factor
            && is_series(name.0.last().and_then(|p| p.as_ident()).map(|i| &i.value))
            && let [column] = alias.columns.as_slice()
            && int4_args(&args.args)
        {
            let call = format!(
                "generate_series({})",
                args.args
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            // The alias prints its own `AS` when it was written with one.
            let mut alias = alias.clone();
            alias.explicit = false;
            let sql = format!(
                "SELECT * FROM (SELECT CAST(value AS INTEGER) AS {} FROM {call}) AS {alias}",
                column.name
            );
            if let Some(derived) = parse_factor(&sql) {
                *factor = derived;
            }
        }
        ControlFlow::Continue(())
    }
}

/// `generate_series(1, array_upper(a, 1))` (pgjdbc's getTypeInfo): DataFusion's series
/// takes bigint bounds only, so the int4 expressions of an integer series (one whose first
/// bound is an integer constant) are cast to bigint.
fn widen_bounds(factor: &mut TableFactor) {
    let TableFactor::Table {
        name,
        args: Some(args),
        ..
    } = factor
    else {
        return;
    };
    if !is_series(name.0.last().and_then(|p| p.as_ident()).map(|i| &i.value))
        || args.args.first().and_then(integer_arg).is_none()
    {
        return;
    }
    for a in &mut args.args {
        if integer_arg(a).is_none()
            && let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a
        {
            let inner = std::mem::replace(e, Expr::value(Value::Null));
            *e = Expr::Cast {
                kind: datafusion::sql::sqlparser::ast::CastKind::Cast,
                expr: Box::new(inner),
                data_type: DataType::BigInt(None),
                array: false,
                format: None,
            };
        }
    }
}

fn is_series(name: Option<&String>) -> bool {
    name.is_some_and(|n| n.eq_ignore_ascii_case("generate_series"))
}

/// `generate_series(a, b [, step])` in the select list → `unnest(...)`, as int4 when every
/// argument is an int4 constant.
fn unnest_series(e: &mut Expr) {
    let Expr::Function(f) = e else { return };
    if !is_series(f.name.0.last().and_then(|p| p.as_ident()).map(|i| &i.value)) || f.over.is_some()
    {
        return;
    }
    let FunctionArguments::List(list) = &f.args else {
        return;
    };
    if list.args.len() < 2 || !list.args.iter().all(|a| integer_arg(a).is_some()) {
        return;
    }
    let int4 = int4_args(&list.args);
    let series = std::mem::replace(e, Expr::value(Value::Null));
    let unnested = super::rewrite::call("unnest", vec![series]);
    *e = if int4 {
        Expr::Cast {
            kind: datafusion::sql::sqlparser::ast::CastKind::Cast,
            expr: Box::new(unnested),
            data_type: DataType::Integer(None),
            array: false,
            format: None,
        }
    } else {
        unnested
    };
}

/// Whether every argument is an integer constant that fits int4.
fn int4_args(args: &[FunctionArg]) -> bool {
    !args.is_empty()
        && args
            .iter()
            .all(|a| integer_arg(a).is_some_and(|v| i32::try_from(v).is_ok()))
}

/// An argument that is an integer constant (`5`, `-5`), as its value.
fn integer_arg(a: &FunctionArg) -> Option<i64> {
    let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a else {
        return None;
    };
    let (negative, e) = match e {
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => (true, expr.as_ref()),
        other => (false, other),
    };
    let Expr::Value(v) = e else { return None };
    let Value::Number(n, _) = &v.value else {
        return None;
    };
    let v: i64 = n.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// The FROM item of a `SELECT * FROM <item>` statement.
fn parse_factor(sql: &str) -> Option<TableFactor> {
    let mut stmts = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
    let Some(Statement::Query(q)) = stmts.pop() else {
        return None;
    };
    let SetExpr::Select(select) = *q.body else {
        return None;
    };
    select.from.into_iter().next().map(|t| t.relation)
}
