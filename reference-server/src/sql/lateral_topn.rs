//! `CROSS JOIN LATERAL (SELECT … FROM t WHERE t.k = outer.k ORDER BY … LIMIT n) s` — the
//! top-n rows per outer row — which DataFusion cannot plan (the outer reference survives
//! into the physical plan). The subquery is decorrelated into a window: each correlation
//! equality becomes a partition key, `row_number()` over the subquery's ORDER BY numbers the
//! rows of each partition, and the join keeps rows whose number is within OFFSET/LIMIT.
//! `LEFT JOIN LATERAL (…) ON true` becomes a left join the same way. Subqueries of other
//! shapes (aggregates, DISTINCT, outer references outside `=`) are left as they are, and so
//! are queries that select `*` (the helper columns would show).

use std::collections::HashSet;
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, Join, JoinConstraint, JoinOperator, LimitClause,
    OrderByKind, Query, Select, SelectItem, SetExpr, Statement, TableFactor, Value, Visit,
    VisitMut, Visitor, VisitorMut,
};

use super::ast_shapes::parse_expr;

const KEY: &str = "__lateral_k";
const ROW: &str = "__lateral_rn";
const AGGREGATES: [&str; 12] = [
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "array_agg",
    "string_agg",
    "bool_and",
    "bool_or",
    "every",
    "json_agg",
    "jsonb_agg",
];

pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut Lateral);
}

struct Lateral;

impl VisitorMut for Lateral {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let SetExpr::Select(select) = query.body.as_mut() {
            rewrite_select(select);
        }
        ControlFlow::Continue(())
    }
}

fn rewrite_select(select: &mut Select) {
    let wildcard = select.projection.iter().any(|p| {
        matches!(
            p,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
        )
    });
    if wildcard {
        return;
    }
    for from in &mut select.from {
        for join in &mut from.joins {
            rewrite_join(join);
        }
    }
}

fn always_true(c: &JoinConstraint) -> bool {
    match c {
        JoinConstraint::None => true,
        JoinConstraint::On(Expr::Value(v)) => v.value == Value::Boolean(true),
        _ => false,
    }
}

fn rewrite_join(join: &mut Join) {
    let left = match &join.join_operator {
        JoinOperator::CrossJoin(c) | JoinOperator::Join(c) | JoinOperator::Inner(c)
            if always_true(c) =>
        {
            false
        }
        JoinOperator::Left(c) | JoinOperator::LeftOuter(c) if always_true(c) => true,
        _ => return,
    };
    let TableFactor::Derived {
        lateral: lateral @ true,
        subquery,
        alias: Some(alias),
        ..
    } = &mut join.relation
    else {
        return;
    };
    if !alias.columns.is_empty() {
        return;
    }
    let Some((query, on)) = decorrelate(subquery, &alias.name.to_string()) else {
        return;
    };
    **subquery = query;
    *lateral = false;
    join.join_operator = if left {
        JoinOperator::LeftOuter(JoinConstraint::On(on))
    } else {
        JoinOperator::Inner(JoinConstraint::On(on))
    };
}

/// The names the subquery's FROM items go by (aliases, else table names), lower case.
fn inner_names(select: &Select) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut add = |f: &TableFactor| match f {
        TableFactor::Table { alias: Some(a), .. } | TableFactor::Derived { alias: Some(a), .. } => {
            names.insert(a.name.value.to_ascii_lowercase());
        }
        TableFactor::Table { name, .. } => {
            if let Some(last) = name.0.last().and_then(|p| p.as_ident()) {
                names.insert(last.value.to_ascii_lowercase());
            }
        }
        _ => {}
    };
    for from in &select.from {
        add(&from.relation);
        for j in &from.joins {
            add(&j.relation);
        }
    }
    names
}

/// A column of an outer relation: `q.col` whose qualifier is not one of the subquery's.
fn is_outer_column(e: &Expr, inner: &HashSet<String>) -> bool {
    match e {
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => parts
            .first()
            .is_some_and(|q| !inner.contains(&q.value.to_ascii_lowercase())),
        _ => false,
    }
}

struct Finder<'a> {
    inner: &'a HashSet<String>,
}

impl Visitor for Finder<'_> {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        let aggregate = matches!(e, Expr::Function(f) if f.name.0.last()
            .and_then(|p| p.as_ident())
            .is_some_and(|i| AGGREGATES.contains(&i.value.to_ascii_lowercase().as_str())));
        if aggregate || is_outer_column(e, self.inner) || matches!(e, Expr::Subquery(_)) {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// Whether the expression refers to an outer relation (or aggregates, or nests a query:
/// shapes this rewrite does not take on).
fn unsupported<T: Visit>(node: &T, inner: &HashSet<String>) -> bool {
    node.visit(&mut Finder { inner }).is_break()
}

fn conjuncts(e: Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            conjuncts(*left, out);
            conjuncts(*right, out);
        }
        other => out.push(other),
    }
}

fn number(e: &Expr) -> Option<u64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// The uncorrelated subquery and the join condition, when the subquery has the top-n shape.
fn decorrelate(query: &Query, alias: &str) -> Option<(Query, Expr)> {
    if query.with.is_some() || query.fetch.is_some() || !query.locks.is_empty() {
        return None;
    }
    let OrderByKind::Expressions(order) = &query.order_by.as_ref()?.kind else {
        return None;
    };
    let Some(LimitClause::LimitOffset {
        limit: Some(limit),
        offset,
        limit_by,
    }) = &query.limit_clause
    else {
        return None;
    };
    let limit = number(limit)?;
    let offset = match offset {
        Some(o) => number(&o.value)?,
        None => 0,
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(g, _) if g.is_empty());
    if grouped || select.having.is_some() || select.distinct.is_some() || !limit_by.is_empty() {
        return None;
    }
    let inner = inner_names(select);
    if unsupported(&select.projection, &inner)
        || order
            .iter()
            .any(|o| unsupported(&o.expr, &inner) || number(&o.expr).is_some())
    {
        return None;
    }
    let mut parts = Vec::new();
    if let Some(w) = select.selection.clone() {
        conjuncts(w, &mut parts);
    }
    let (mut keys, mut kept) = (Vec::new(), Vec::new());
    for part in parts {
        if let Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } = &part
        {
            if is_outer_column(right, &inner) && !unsupported(left.as_ref(), &inner) {
                keys.push((left.to_string(), right.to_string()));
                continue;
            }
            if is_outer_column(left, &inner) && !unsupported(right.as_ref(), &inner) {
                keys.push((right.to_string(), left.to_string()));
                continue;
            }
        }
        if unsupported(&part, &inner) {
            return None;
        }
        kept.push(part);
    }
    if keys.is_empty() {
        return None;
    }
    let partition: Vec<&str> = keys.iter().map(|(i, _)| i.as_str()).collect();
    let ordering: Vec<String> = order.iter().map(ToString::to_string).collect();
    let mut new_select = select.as_ref().clone();
    for (i, (inner_key, _)) in keys.iter().enumerate() {
        let e = parse_expr(inner_key)?;
        new_select.projection.push(SelectItem::ExprWithAlias {
            expr: e,
            alias: format!("{KEY}{i}").as_str().into(),
        });
    }
    let rn = parse_expr(&format!(
        "row_number() OVER (PARTITION BY {} ORDER BY {})",
        partition.join(", "),
        ordering.join(", ")
    ))?;
    new_select.projection.push(SelectItem::ExprWithAlias {
        expr: rn,
        alias: ROW.into(),
    });
    new_select.selection = kept.into_iter().reduce(|a, b| Expr::BinaryOp {
        left: Box::new(a),
        op: BinaryOperator::And,
        right: Box::new(b),
    });
    let mut new_query = query.clone();
    new_query.body = Box::new(SetExpr::Select(Box::new(new_select)));
    new_query.order_by = None;
    new_query.limit_clause = None;
    let mut on: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, (_, outer))| format!("{alias}.{KEY}{i} = {outer}"))
        .collect();
    on.push(format!(
        "{alias}.{ROW} > {offset} AND {alias}.{ROW} <= {}",
        offset.saturating_add(limit)
    ));
    Some((new_query, parse_expr(&on.join(" AND "))?))
}
