//! Errors PostgreSQL's parse analysis raises before planning, that DataFusion either
//! accepts or reports with another SQLSTATE: a table name used twice in one FROM list
//! (42712), `ORDER BY`/`GROUP BY` positions past the select list (42P10), window functions
//! in WHERE / GROUP BY / HAVING / JOIN conditions (42P20), a recursive CTE that refers to
//! itself in its non-recursive term (42P19), an unknown collation (42704) and row locking
//! with DISTINCT / GROUP BY / HAVING / set operations / window functions (0A000).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, GroupByExpr, Ident, JoinConstraint, JoinOperator, LockClause, ObjectName, OrderByKind,
    Query, Select, SetExpr, SetOperator, Statement, TableFactor, TableWithJoins, UnaryOperator,
    Value, Visit, Visitor,
};

use super::SqlError;

/// Check a statement as PostgreSQL's analyser does; the first violation is the error.
pub fn check(stmt: &Statement) -> Result<(), SqlError> {
    match stmt.visit(&mut Analysis) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct Analysis;

impl Visitor for Analysis {
    type Break = SqlError;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<SqlError> {
        to_flow(check_query(query))
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<SqlError> {
        if let Expr::Collate { collation, .. } = expr {
            return to_flow(check_collation(collation));
        }
        ControlFlow::Continue(())
    }
}

fn to_flow(r: Result<(), SqlError>) -> ControlFlow<SqlError> {
    match r {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => ControlFlow::Break(e),
    }
}

/// One query level: its WITH, its SELECTs (nested queries are visited on their own), its
/// ORDER BY and its locking clause.
fn check_query(query: &Query) -> Result<(), SqlError> {
    if let Some(with) = query.with.as_ref().filter(|w| w.recursive) {
        for cte in &with.cte_tables {
            check_recursive(&cte.alias.name, &cte.query)?;
        }
    }
    for_each_select(&query.body, &mut check_select)?;
    if let Some(order) = &query.order_by
        && let OrderByKind::Expressions(items) = &order.kind
        && let Some(width) = output_width(&query.body)
    {
        for item in items {
            check_position("ORDER BY", &item.expr, width)?;
        }
    }
    if let Some(lock) = query.locks.first() {
        check_locking(lock, &query.body)?;
    }
    Ok(())
}

/// Call `f` on every SELECT of a (possibly set-operation) body, not entering subqueries.
fn for_each_select(
    body: &SetExpr,
    f: &mut impl FnMut(&Select) -> Result<(), SqlError>,
) -> Result<(), SqlError> {
    match body {
        SetExpr::Select(s) => f(s),
        SetExpr::SetOperation { left, right, .. } => {
            for_each_select(left, f)?;
            for_each_select(right, f)
        }
        _ => Ok(()),
    }
}

fn check_select(select: &Select) -> Result<(), SqlError> {
    check_from_names(&select.from)?;
    if let Some(e) = &select.selection {
        no_window_function(e, "WHERE")?;
    }
    if let Some(e) = &select.having {
        no_window_function(e, "HAVING")?;
    }
    if let GroupByExpr::Expressions(exprs, _) = &select.group_by {
        let width = select_width(select);
        for e in exprs {
            no_window_function(e, "GROUP BY")?;
            if let Some(width) = width {
                check_position("GROUP BY", e, width)?;
            }
        }
    }
    for twj in &select.from {
        for join in &twj.joins {
            if let Some(JoinConstraint::On(e)) = join_constraint(&join.join_operator) {
                no_window_function(e, "JOIN conditions")?;
            }
        }
    }
    Ok(())
}

fn join_constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c) => Some(c),
        _ => None,
    }
}

/// The number of output columns, when the select list has no `*` to expand.
fn output_width(body: &SetExpr) -> Option<usize> {
    match body {
        SetExpr::Select(s) => select_width(s),
        SetExpr::SetOperation { left, .. } => output_width(left),
        SetExpr::Query(q) => output_width(&q.body),
        SetExpr::Values(v) => v.rows.first().map(|r| r.len()),
        _ => None,
    }
}

fn select_width(select: &Select) -> Option<usize> {
    use datafusion::sql::sqlparser::ast::SelectItem;
    let starred = select.projection.iter().any(|i| {
        matches!(
            i,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
        )
    });
    (!starred).then_some(select.projection.len())
}

/// `ORDER BY 3` / `GROUP BY 3` name the third output column, which must exist.
fn check_position(clause: &str, e: &Expr, width: usize) -> Result<(), SqlError> {
    let position = match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse::<i64>().ok(),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => n.parse::<i64>().ok().map(|n| -n),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    match position {
        Some(p) if p < 1 || usize::try_from(p).is_ok_and(|p| p > width) => Err(SqlError::new(
            "42P10",
            format!("{clause} position {p} is not in select list"),
        )),
        _ => Ok(()),
    }
}

/// The names a FROM list exposes must be unique (PostgreSQL's checkNameSpaceConflicts):
/// two unaliased tables may share a name only when they are different tables.
fn check_from_names(from: &[TableWithJoins]) -> Result<(), SqlError> {
    let mut names: Vec<RefName> = Vec::new();
    for twj in from {
        exposed_names(&twj.relation, &mut names);
        for join in &twj.joins {
            exposed_names(&join.relation, &mut names);
        }
    }
    for (i, a) in names.iter().enumerate() {
        for b in names.iter().skip(i + 1) {
            let different_tables = matches!((&a.table, &b.table), (Some(x), Some(y)) if x != y);
            if a.name == b.name && !different_tables {
                return Err(SqlError::new(
                    "42712",
                    format!("table name \"{}\" specified more than once", a.name),
                ));
            }
        }
    }
    Ok(())
}

/// A name a FROM item exposes; `table` is the full table name of an unaliased table.
struct RefName {
    name: String,
    table: Option<String>,
}

fn exposed_names(factor: &TableFactor, out: &mut Vec<RefName>) {
    let aliased = |a: &Ident| RefName {
        name: fold(a),
        table: None,
    };
    match factor {
        TableFactor::Table { alias: Some(a), .. }
        | TableFactor::Derived { alias: Some(a), .. }
        | TableFactor::UNNEST { alias: Some(a), .. }
        | TableFactor::Function { alias: Some(a), .. }
        | TableFactor::NestedJoin { alias: Some(a), .. } => out.push(aliased(&a.name)),
        TableFactor::Table { name, args, .. } => {
            if let Some(last) = name.0.last().and_then(|p| p.as_ident()) {
                out.push(RefName {
                    name: fold(last),
                    table: args.is_none().then(|| full_name(name)),
                });
            }
        }
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            exposed_names(&table_with_joins.relation, out);
            for join in &table_with_joins.joins {
                exposed_names(&join.relation, out);
            }
        }
        _ => {}
    }
}

/// An identifier as PostgreSQL stores it: unquoted names fold to lower case.
fn fold(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

fn full_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .filter_map(|p| p.as_ident())
        .map(fold)
        .collect::<Vec<_>>()
        .join(".")
}

/// A window function directly in `clause` (not in a subquery there) is an error.
fn no_window_function(e: &Expr, clause: &str) -> Result<(), SqlError> {
    struct Find {
        depth: usize,
    }
    impl Visitor for Find {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth = self.depth.saturating_sub(1);
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::Function(f) if self.depth == 0 && f.over.is_some() => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    match e.visit(&mut Find { depth: 0 }) {
        ControlFlow::Break(()) => Err(SqlError::new(
            "42P20",
            format!("window functions are not allowed in {clause}"),
        )),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// `WITH RECURSIVE r AS (non-recursive UNION [ALL] recursive)`: `r` may appear only in the
/// recursive term, and a self-referencing CTE must have that form.
fn check_recursive(name: &Ident, query: &Query) -> Result<(), SqlError> {
    let name = fold(name);
    if !refers_to(&query.body, &name) {
        return Ok(());
    }
    match query.body.as_ref() {
        SetExpr::SetOperation {
            op: SetOperator::Union,
            left,
            ..
        } => {
            if refers_to(left, &name) {
                return Err(SqlError::new(
                    "42P19",
                    format!(
                        "recursive reference to query \"{name}\" must not appear within its non-recursive term"
                    ),
                ));
            }
            Ok(())
        }
        _ => Err(SqlError::new(
            "42P19",
            format!(
                "recursive query \"{name}\" does not have the form non-recursive-term UNION [ALL] recursive-term"
            ),
        )),
    }
}

/// Whether a single-part table name `name` is read anywhere in `body`.
fn refers_to(body: &SetExpr, name: &str) -> bool {
    struct Find<'a>(&'a str);
    impl Visitor for Find<'_> {
        type Break = ();
        fn pre_visit_table_factor(&mut self, f: &TableFactor) -> ControlFlow<()> {
            match f {
                TableFactor::Table {
                    name, args: None, ..
                } if name.0.len() == 1
                    && name
                        .0
                        .first()
                        .and_then(|p| p.as_ident())
                        .map(fold)
                        .as_deref()
                        == Some(self.0) =>
                {
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            }
        }
    }
    body.visit(&mut Find(name)).is_break()
}

/// Collations every PostgreSQL database has, and the forms of the ones initdb imports
/// from the operating system (`en_US.utf8`) and ICU (`und-x-icu`).
fn check_collation(collation: &ObjectName) -> Result<(), SqlError> {
    let Some(last) = collation.0.last().and_then(|p| p.as_ident()) else {
        return Ok(());
    };
    let name = fold(last);
    let builtin = matches!(name.as_str(), "default" | "C" | "POSIX" | "ucs_basic");
    let imported = name.ends_with("-x-icu") || is_locale_name(&name);
    if builtin || imported {
        return Ok(());
    }
    Err(SqlError::new(
        "42704",
        format!("collation \"{name}\" for encoding \"UTF8\" does not exist"),
    ))
}

/// An operating-system locale as initdb imports it: `en_US`, `de_DE.utf8`, `sr_RS@latin`,
/// `C.utf8` (language, then an upper-case territory; not any word with an underscore).
fn is_locale_name(name: &str) -> bool {
    let base = name.split(['.', '@']).next().unwrap_or(name);
    if base == "C" {
        return name.len() > 1;
    }
    let Some((lang, territory)) = base.split_once('_') else {
        return false;
    };
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && territory.len() == 2
        && territory.bytes().all(|b| b.is_ascii_uppercase())
}

/// PostgreSQL's CheckSelectLocking: row locks need rows that map to table rows.
fn check_locking(lock: &LockClause, body: &SetExpr) -> Result<(), SqlError> {
    let what = format!("FOR {}", lock.lock_type);
    let refuse = |with: &str| {
        Err(SqlError::new(
            "0A000",
            format!("{what} is not allowed with {with}"),
        ))
    };
    let select = match body {
        SetExpr::Select(s) => s,
        SetExpr::SetOperation { .. } => return refuse("UNION/INTERSECT/EXCEPT"),
        _ => return Ok(()),
    };
    if select.distinct.is_some() {
        return refuse("DISTINCT clause");
    }
    let grouped = match &select.group_by {
        GroupByExpr::All(_) => true,
        GroupByExpr::Expressions(exprs, _) => !exprs.is_empty(),
    };
    if grouped {
        return refuse("GROUP BY clause");
    }
    if select.having.is_some() {
        return refuse("HAVING clause");
    }
    let windowed = select.projection.iter().any(|item| {
        use datafusion::sql::sqlparser::ast::SelectItem;
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                no_window_function(e, "").is_err()
            }
            _ => false,
        }
    });
    if windowed {
        return refuse("window functions");
    }
    Ok(())
}
