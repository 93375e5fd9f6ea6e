//! What CREATE VIEW records besides the query: `pg_get_viewdef`'s text in PostgreSQL's
//! deparsed layout (columns qualified by their relation, one clause a line, operators
//! parenthesised) and the columns the view uses of each relation it reads (its
//! dependencies). Queries beyond a plain SELECT over named relations keep the text as
//! written, which still re-creates the view.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Distinct, Expr, GroupByExpr, Ident, JoinConstraint, JoinOperator, LimitClause, ObjectName,
    ObjectNamePart, OrderByKind, Query, Select, SelectItem, SetExpr, TableFactor, TableWithJoins,
    UnaryOperator, Value, VisitMut, VisitorMut, visit_expressions, visit_relations,
};

use crate::catalog::system::quote_ident;
use crate::catalog::{ident, split_name};
use crate::storage::ViewUse;

/// A relation of the query: the name it is qualified by and its columns.
struct Scope {
    relation: String,
    qualifier: String,
    columns: Vec<String>,
}

/// Finds a relation's stored name and columns (None: not a table or view).
pub type Resolver<'a> = &'a dyn Fn(&ObjectName) -> Option<(String, Vec<String>)>;

/// The recorded form of a view's query.
pub struct Described {
    /// `pg_get_viewdef(v)` (None when the query is not a form deparsed here).
    pub definition: Option<String>,
    /// `pg_get_viewdef(v, true)`: operators parenthesised only as written.
    pub pretty: Option<String>,
    /// The relations and columns it uses.
    pub uses: Vec<ViewUse>,
}

pub fn describe(query: &Query, names: &[String], resolve: Resolver<'_>) -> Described {
    let pretty = deparse(query, names, resolve, true).map(|(text, _)| text);
    match deparse(query, names, resolve, false) {
        Some((text, uses)) => Described {
            definition: Some(text),
            pretty,
            uses,
        },
        None => Described {
            definition: None,
            pretty: None,
            uses: uses_of(query, resolve),
        },
    }
}

/// Every relation named anywhere in the query, with the identifiers that are its columns.
fn uses_of(query: &Query, resolve: Resolver<'_>) -> Vec<ViewUse> {
    let mut rels: Vec<(String, Vec<String>)> = Vec::new();
    let _ = visit_relations(query, |r| {
        if let Some((name, cols)) = resolve(r)
            && !rels.iter().any(|(n, _)| *n == name)
        {
            rels.push((name, cols));
        }
        ControlFlow::<()>::Continue(())
    });
    let wildcard = query.to_string().contains('*');
    let mut idents = Vec::new();
    let _ = visit_expressions(query, |e| {
        match e {
            Expr::Identifier(i) => idents.push(ident(i)),
            Expr::CompoundIdentifier(p) => idents.extend(p.last().map(ident)),
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    rels.into_iter()
        .map(|(relation, cols)| ViewUse {
            relation,
            columns: cols
                .into_iter()
                .filter(|c| wildcard || idents.contains(c))
                .collect(),
        })
        .collect()
}

fn deparse(
    query: &Query,
    names: &[String],
    resolve: Resolver<'_>,
    pretty: bool,
) -> Option<(String, Vec<ViewUse>)> {
    if query.with.is_some() || query.fetch.is_some() || !query.locks.is_empty() {
        return None;
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let mut select: Select = (**select).clone();
    let mut scopes = Vec::new();
    for twj in &select.from {
        scope_of(&twj.relation, resolve, &mut scopes)?;
        for j in &twj.joins {
            scope_of(&j.relation, resolve, &mut scopes)?;
        }
    }
    let mut q = Qualifier {
        scopes: &scopes,
        used: BTreeMap::new(),
        nested: false,
        pretty,
    };
    // The select list, `*` expanded as PostgreSQL stores it.
    let mut items: Vec<(Expr, Option<String>)> = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(e) => items.push((e.clone(), None)),
            SelectItem::ExprWithAlias { expr, alias } => {
                items.push((expr.clone(), Some(ident(alias))))
            }
            SelectItem::Wildcard(_) => {
                for s in &scopes {
                    items.extend(s.columns.iter().map(|c| (column(s, c), None)));
                }
            }
            SelectItem::QualifiedWildcard(kind, _) => {
                let name = kind.to_string();
                let s = scopes
                    .iter()
                    .find(|s| s.qualifier == ident(&Ident::new(&name)))?;
                items.extend(s.columns.iter().map(|c| (column(s, c), None)));
            }
            _ => return None,
        }
    }
    let mut out = String::from(" SELECT ");
    if let Some(d) = &select.distinct {
        match d {
            Distinct::Distinct => out.push_str("DISTINCT "),
            _ => return None,
        }
    }
    let mut list = Vec::new();
    for (i, (mut e, alias)) in items.iter().cloned().enumerate() {
        let _ = e.visit(&mut q);
        let natural = crate::sql::classify::expr_column_name(&e);
        let name = names.get(i).cloned().or(alias).unwrap_or(natural.clone());
        let is_column = matches!(e, Expr::CompoundIdentifier(_) | Expr::Identifier(_));
        list.push(if is_column && name == natural {
            e.to_string()
        } else {
            format!("{e} AS {}", quote_ident(&name))
        });
    }
    out.push_str(&list.join(",\n    "));
    if !select.from.is_empty() {
        let mut froms = Vec::new();
        for twj in &mut select.from {
            froms.push(from_text(twj, &mut q)?);
        }
        out.push_str("\n   FROM ");
        out.push_str(&froms.join(",\n    "));
    }
    if let Some(w) = &mut select.selection {
        let _ = w.visit(&mut q);
        out.push_str(&format!("\n  WHERE {w}"));
    }
    match &mut select.group_by {
        GroupByExpr::Expressions(exprs, mods) if mods.is_empty() => {
            if !exprs.is_empty() {
                let texts: Vec<String> = exprs
                    .iter_mut()
                    .map(|e| positional(e, &items, &mut q))
                    .collect();
                out.push_str(&format!("\n  GROUP BY {}", texts.join(", ")));
            }
        }
        _ => return None,
    }
    if let Some(h) = &mut select.having {
        let _ = h.visit(&mut q);
        out.push_str(&format!("\n HAVING {h}"));
    }
    if let Some(order) = &query.order_by {
        let OrderByKind::Expressions(exprs) = &order.kind else {
            return None;
        };
        let texts: Vec<String> = exprs
            .iter()
            .map(|o| {
                let mut e = o.expr.clone();
                let mut text = positional(&mut e, &items, &mut q);
                if o.options.asc == Some(false) {
                    text.push_str(" DESC");
                }
                match o.options.nulls_first {
                    Some(true) if o.options.asc != Some(false) => text.push_str(" NULLS FIRST"),
                    Some(false) if o.options.asc == Some(false) => text.push_str(" NULLS LAST"),
                    _ => {}
                }
                text
            })
            .collect();
        out.push_str(&format!("\n  ORDER BY {}", texts.join(", ")));
    }
    match &query.limit_clause {
        None => {}
        Some(LimitClause::LimitOffset {
            limit,
            offset,
            limit_by,
        }) if limit_by.is_empty() => {
            if let Some(o) = offset {
                out.push_str(&format!("\n OFFSET {}", o.value));
            }
            if let Some(l) = limit {
                out.push_str(&format!("\n LIMIT {l}"));
            }
        }
        Some(_) => return None,
    }
    if q.nested {
        return None;
    }
    out.push(';');
    let uses = scopes
        .iter()
        .map(|s| ViewUse {
            relation: s.relation.clone(),
            columns: q.used.get(&s.qualifier).cloned().unwrap_or_default(),
        })
        .collect();
    Some((out, uses))
}

/// `GROUP BY 1` / `ORDER BY 1` name a select-list entry, which PostgreSQL prints in full.
fn positional(e: &mut Expr, items: &[(Expr, Option<String>)], q: &mut Qualifier) -> String {
    if let Expr::Value(v) = e
        && let Value::Number(n, _) = &v.value
        && let Some((item, _)) = n
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| items.get(n))
    {
        *e = item.clone();
    }
    let _ = e.visit(q);
    e.to_string()
}

fn column(s: &Scope, c: &str) -> Expr {
    Expr::CompoundIdentifier(vec![name_ident(&s.qualifier), name_ident(c)])
}

/// An identifier printed as PostgreSQL prints it (quoted only when it must be).
fn name_ident(name: &str) -> Ident {
    if quote_ident(name) == name {
        Ident::new(name)
    } else {
        Ident::with_quote('"', name)
    }
}

fn scope_of(f: &TableFactor, resolve: Resolver<'_>, out: &mut Vec<Scope>) -> Option<()> {
    let TableFactor::Table {
        name,
        alias,
        args: None,
        ..
    } = f
    else {
        return None;
    };
    let (relation, columns) = resolve(name)?;
    let qualifier = match alias {
        Some(a) if a.columns.is_empty() => ident(&a.name),
        Some(_) => return None,
        None => split_name(name).1,
    };
    out.push(Scope {
        relation,
        qualifier,
        columns,
    });
    Some(())
}

/// `t` or `(t JOIN u ON ...)`, nested one join at a time as PostgreSQL prints them (no
/// parentheses in pretty mode).
fn from_text(twj: &mut TableWithJoins, q: &mut Qualifier) -> Option<String> {
    let mut text = factor_text(&twj.relation)?;
    for j in &mut twj.joins {
        let (kind, constraint) = match &mut j.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => ("JOIN", c),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => ("LEFT JOIN", c),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => ("RIGHT JOIN", c),
            JoinOperator::FullOuter(c) => ("FULL JOIN", c),
            JoinOperator::CrossJoin(c) => ("CROSS JOIN", c),
            _ => return None,
        };
        let on = match constraint {
            JoinConstraint::On(e) => {
                let _ = e.visit(q);
                if q.pretty {
                    format!(" ON {e}")
                } else {
                    format!(" ON ({e})")
                }
            }
            JoinConstraint::None => String::new(),
            _ => return None,
        };
        let joined = format!("{text}\n     {kind} {}{on}", factor_text(&j.relation)?);
        text = if q.pretty {
            joined
        } else {
            format!("({joined})")
        };
    }
    Some(text)
}

fn factor_text(f: &TableFactor) -> Option<String> {
    let TableFactor::Table { name, alias, .. } = f else {
        return None;
    };
    let (_, base) = split_name(name);
    Some(match alias {
        Some(a) => format!("{} {}", quote_ident(&base), quote_ident(&ident(&a.name))),
        None => quote_ident(&base),
    })
}

/// Qualifies column references, parenthesises operators and lowercases function names.
struct Qualifier<'a> {
    scopes: &'a [Scope],
    /// Qualifier → the columns used through it.
    used: BTreeMap<String, Vec<String>>,
    /// Set when a subquery appears (its names resolve in its own scope: not deparsed here).
    nested: bool,
    /// Pretty mode: operators keep the parentheses written (PostgreSQL drops redundant ones).
    pretty: bool,
}

impl Qualifier<'_> {
    fn note(&mut self, qualifier: &str, col: &str) {
        let cols = self.used.entry(qualifier.to_owned()).or_default();
        if !cols.iter().any(|c| c == col) {
            cols.push(col.to_owned());
        }
    }
}

impl VisitorMut for Qualifier<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.nested = true;
        ControlFlow::Break(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        // The user's own parentheses around an operator: printed again below.
        if let Expr::Nested(inner) = expr
            && !self.pretty
            && is_operator(inner)
        {
            *expr = (**inner).clone();
        }
        match expr {
            Expr::Identifier(i) => {
                let col = ident(i);
                let mut found = self.scopes.iter().filter(|s| s.columns.contains(&col));
                if let (Some(s), None) = (found.next(), found.next()) {
                    let q = s.qualifier.clone();
                    *expr = column(s, &col);
                    self.note(&q, &col);
                }
            }
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                let (q, col) = (ident(&parts[0]), ident(&parts[1]));
                if self.scopes.iter().any(|s| s.qualifier == q) {
                    *parts = vec![name_ident(&q), name_ident(&col)];
                    self.note(&q, &col);
                }
            }
            Expr::Function(f) => {
                for part in &mut f.name.0 {
                    if let Some(i) = part.as_ident()
                        && i.quote_style.is_none()
                    {
                        *part =
                            ObjectNamePart::Identifier(Ident::new(i.value.to_ascii_lowercase()));
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if !self.pretty && is_operator(expr) {
            *expr = Expr::Nested(Box::new(expr.clone()));
        }
        ControlFlow::Continue(())
    }
}

fn is_operator(e: &Expr) -> bool {
    matches!(
        e,
        Expr::BinaryOp { .. }
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::UnaryOp {
                op: UnaryOperator::Not,
                ..
            }
    )
}
