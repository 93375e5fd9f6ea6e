//! AST rewrites for the catalog queries clients send (psql `\d`, pgjdbc, SQLAlchemy):
//! PostgreSQL spellings DataFusion cannot plan become equivalent ones it can.
//!
//! - unqualified `pg_class` & co → `pg_catalog.pg_class` (pg_catalog is implicitly first on
//!   PostgreSQL's search path); `pg_catalog.f(..)` → `f(..)` for functions;
//! - `current_user`, `session_user`, `user`, `current_role`, `current_catalog` → calls;
//! - `OPERATOR(pg_catalog.~)` → `~`; `x COLLATE pg_catalog.default` → `x`;
//! - `::regclass`/`::regtype`/`::regnamespace`/`::regrole`/`::regproc` → the conversion
//!   function of that name (OID out), and `::reg*::text` → `reg*_out(..)` (name out);
//!   `::oid` → `::int unsigned` (UInt32, the server's oid), `::name`/`::"char"` → text
//!   tagged with that type, `::pg_catalog.T` → `::T`;
//! - `ARRAY(SELECT e FROM ...)` → `(SELECT array_agg(e) FROM ...)`;
//! - `generate_subscripts(a, 1)` → `unnest` of the subscripts (see `generate_subscripts`);
//! - `information_schema._pg_expandarray(a)` and `(composite).field` (see `expandarray`);
//! - an array literal `'{..}'` compared with `=`/`<>` → `make_array(..)`.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    ArrayElemTypeDef, BinaryOperator, CastKind, DataType, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, GroupByExpr, ObjectName, ObjectNamePart, Query, Select, SelectItem, SetExpr,
    Statement, TableFactor, Value, Visit, VisitMut, Visitor, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::ast_shapes::{only_table_function, parse_expr};

use crate::catalog::system::{
    PG_CATALOG, catalog_relation_oid, is_catalog_array_column, is_catalog_integer_column,
    is_empty_catalog_relation, is_pg_catalog_relation,
};

pub fn rewrite(stmt: &mut Statement) {
    super::empty_source::simplify(stmt);
    let mut relations = CatalogAliases::default();
    let _ = Visit::visit(&*stmt, &mut relations);
    // A bare `tableoid` belongs to the outermost query's first relation.
    let outer = match &*stmt {
        Statement::Query(q) => match q.body.as_ref() {
            SetExpr::Select(s) => s.from.first().and_then(|f| match &f.relation {
                TableFactor::Table { name, .. } => name
                    .0
                    .last()
                    .and_then(|p| p.as_ident())
                    .and_then(|i| catalog_relation_oid(&i.value.to_ascii_lowercase())),
                _ => None,
            }),
            _ => None,
        },
        _ => None,
    };
    let _ = stmt.visit(&mut CatalogRewriter {
        tableoids: relations.0,
        outer,
    });
    if let Statement::Query(q) = stmt
        && let SetExpr::Select(select) = q.body.as_mut()
    {
        select.projection.iter_mut().for_each(reg_output);
        select
            .projection
            .iter_mut()
            .for_each(super::vector_output::rewrite);
    }
}

/// A result column `x::regclass` (now `regclass(x)`) prints as PostgreSQL's output function
/// does, the object's name (psql `\d`'s `conrelid::pg_catalog.regclass AS ontable`); only in
/// the outermost select list, where the value is not compared any more.
fn reg_output(item: &mut SelectItem) {
    let (e, unnamed) = match item {
        SelectItem::UnnamedExpr(e) => (e.clone(), true),
        SelectItem::ExprWithAlias { expr, .. } => (expr.clone(), false),
        _ => return,
    };
    let Expr::Function(f) = &e else {
        return;
    };
    let name = f.name.to_string();
    if !REG_TYPES.contains(&name.as_str()) || name.starts_with("regproc") {
        return;
    }
    let out = call(&format!("{name}_out"), &e);
    if unnamed {
        // Keep the column name PostgreSQL gives the cast (`regclass`... or the column's).
        let alias = match &f.args {
            FunctionArguments::List(l) => match l.args.as_slice() {
                [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(i)))] => {
                    i.value.clone()
                }
                [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::CompoundIdentifier(p)))] => {
                    p.last().map_or_else(|| name.clone(), |i| i.value.clone())
                }
                _ => name.clone(),
            },
            _ => name.clone(),
        };
        *item = SelectItem::ExprWithAlias {
            expr: out,
            alias: alias.as_str().into(),
        };
    } else if let SelectItem::ExprWithAlias { expr, .. } = item {
        *expr = out;
    }
}

/// The catalog relations a statement reads, by the name its columns are qualified with
/// (alias or relation name), with their OIDs.
#[derive(Default)]
struct CatalogAliases(Vec<(String, i64)>);

impl Visitor for CatalogAliases {
    type Break = ();

    fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = t
            && let Some(rel) = name.0.last().and_then(|p| p.as_ident())
            && let Some(oid) = catalog_relation_oid(&rel.value.to_ascii_lowercase())
        {
            let key = alias.as_ref().map_or(&rel.value, |a| &a.name.value);
            self.0.push((key.to_ascii_lowercase(), oid));
        }
        ControlFlow::Continue(())
    }
}

struct CatalogRewriter {
    tableoids: Vec<(String, i64)>,
    /// The catalog relation the outermost query reads first.
    outer: Option<i64>,
}

impl CatalogRewriter {
    /// `x.tableoid` (a system column PostgreSQL hides from `*`) → the OID of the catalog
    /// relation `x` names; a bare `tableoid`: the outermost query's first relation, or the
    /// only catalog relation the statement reads.
    fn tableoid(&self, e: &Expr) -> Option<Expr> {
        let oid = match e {
            Expr::CompoundIdentifier(p) if p.len() == 2 => {
                let [q, c] = p.as_slice() else {
                    return None;
                };
                if !c.value.eq_ignore_ascii_case("tableoid") {
                    return None;
                }
                let q = q.value.to_ascii_lowercase();
                self.tableoids.iter().find(|(k, _)| *k == q)?.1
            }
            Expr::Identifier(c) if c.value.eq_ignore_ascii_case("tableoid") => {
                if let Some(o) = self.outer {
                    return parse_expr(&o.to_string());
                }
                let first = self.tableoids.first()?.1;
                if self.tableoids.iter().any(|(_, o)| *o != first) {
                    return None;
                }
                first
            }
            _ => return None,
        };
        parse_expr(&oid.to_string())
    }
}

impl VisitorMut for CatalogRewriter {
    type Break = ();

    fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table { name, args, .. } = t {
            if args.is_some() {
                strip_pg_catalog(name);
            } else if let [ObjectNamePart::Identifier(id)] = name.0.as_slice()
                && id.quote_style.is_none()
                && is_pg_catalog_relation(&id.value.to_ascii_lowercase())
            {
                name.0
                    .insert(0, ObjectNamePart::Identifier(PG_CATALOG.into()));
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if let Some(new) = self
            .tableoid(e)
            .or_else(|| super::options_table::rewrite(e))
            .or_else(|| rewrite_expr(e))
            .or_else(|| super::name_subscript::rewrite(e))
            .or_else(|| super::case_arrays::rewrite(e))
            .or_else(|| super::array_literal_cast::rewrite(e))
        {
            *e = new;
        }
        ControlFlow::Continue(())
    }
}

/// `pg_catalog.name` → `name`.
fn strip_pg_catalog(name: &mut ObjectName) {
    if name.0.len() == 2
        && name
            .0
            .first()
            .and_then(|p| p.as_ident())
            .map(|i| i.value.as_str())
            == Some(PG_CATALOG)
    {
        name.0.remove(0);
    }
}

const REG_TYPES: &[&str] = &[
    "regclass",
    "regtype",
    "regnamespace",
    "regrole",
    "regproc",
    "regprocedure",
];

/// SQL's niladic session functions, written without parentheses.
const SESSION_FUNCTIONS: &[&str] = &[
    "current_user",
    "session_user",
    "user",
    "current_role",
    "current_catalog",
];

/// `current_user` (no parentheses) → a call of the function registered under that name.
fn niladic_call(name: &str) -> Option<Expr> {
    let lower = name.to_ascii_lowercase();
    SESSION_FUNCTIONS
        .contains(&lower.as_str())
        .then(|| parse_expr(&format!("\"{lower}\"()")))
        .flatten()
}

fn rewrite_expr(e: &mut Expr) -> Option<Expr> {
    match e {
        Expr::Identifier(id) if id.quote_style.is_none() => niladic_call(&id.value),
        Expr::Function(f) if matches!(f.args, FunctionArguments::None) => {
            niladic_call(&f.name.to_string())
        }
        Expr::Function(f) => {
            strip_pg_catalog(&mut f.name);
            let name = f.name.to_string().to_ascii_lowercase();
            match &f.args {
                FunctionArguments::Subquery(q) if name == "array" => array_subquery(q),
                FunctionArguments::List(l) if name == "generate_subscripts" => {
                    super::generate_subscripts::rewrite(&l.args)
                }
                FunctionArguments::List(l) if name.ends_with("_pg_expandarray") => {
                    super::expandarray::expand(&l.args)
                }
                // No partitioning: a table's only "ancestor" is itself (psql `\d`'s
                // referenced-by query).
                FunctionArguments::List(l) if name == "pg_partition_ancestors" => {
                    match l.args.as_slice() {
                        [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] => {
                            let reg = call("regclass", arg);
                            parse_expr(&format!("unnest(make_array({reg}))"))
                        }
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        Expr::BinaryOp { left, op, right } => {
            if let BinaryOperator::PGCustomBinaryOperator(parts) = op {
                let native = match parts.last().map(String::as_str) {
                    Some("~") => BinaryOperator::PGRegexMatch,
                    Some("~*") => BinaryOperator::PGRegexIMatch,
                    Some("!~") => BinaryOperator::PGRegexNotMatch,
                    Some("!~*") => BinaryOperator::PGRegexNotIMatch,
                    Some("~~") => BinaryOperator::PGLikeMatch,
                    Some("!~~") => BinaryOperator::PGNotLikeMatch,
                    Some("=") => BinaryOperator::Eq,
                    Some("<>") => BinaryOperator::NotEq,
                    Some("<") => BinaryOperator::Lt,
                    Some(">") => BinaryOperator::Gt,
                    Some("<=") => BinaryOperator::LtEq,
                    Some(">=") => BinaryOperator::GtEq,
                    _ => return None,
                };
                *op = native;
            }
            if matches!(
                op,
                BinaryOperator::Eq
                    | BinaryOperator::NotEq
                    | BinaryOperator::Lt
                    | BinaryOperator::Gt
                    | BinaryOperator::LtEq
                    | BinaryOperator::GtEq
            ) {
                // `a.attrelid = '16384'`: PostgreSQL types the literal as the column's type.
                if column_name(left).is_some_and(|n| is_catalog_integer_column(&n))
                    && let Some(n) = integer_literal(right)
                {
                    **right = n;
                } else if column_name(right).is_some_and(|n| is_catalog_integer_column(&n))
                    && let Some(n) = integer_literal(left)
                {
                    **left = n;
                }
            }
            if matches!(op, BinaryOperator::Eq | BinaryOperator::NotEq) {
                if is_array_column(left)
                    && let Some(arr) = array_literal(right)
                {
                    **right = arr;
                } else if is_array_column(right)
                    && let Some(arr) = array_literal(left)
                {
                    **left = arr;
                }
            }
            None
        }
        Expr::Collate { expr, .. } => Some((**expr).clone()),
        Expr::CompoundFieldAccess { root, access_chain } => {
            super::expandarray::field_selection(root, access_chain)
        }
        Expr::Subquery(q) if reads_publication_columns(q) || joins_partition_ancestors(q) => {
            parse_expr("NULL::text")
        }
        Expr::Subquery(q) if reads_only_empty_relation(q) => parse_expr("NULL"),
        Expr::Subquery(q) => {
            super::inner_columns::qualify(q);
            aggregate_catalog_lookup(q)
        }
        Expr::Cast {
            expr,
            data_type,
            kind,
            ..
        } => {
            // `::pg_catalog.int2[]` (psql `\d`'s publication query) → `::int2[]`, `::oid[]`
            // (asyncpg's type introspection) → `::int unsigned[]`.
            if let DataType::Array(ArrayElemTypeDef::SquareBracket(elem, _)) = data_type
                && let Some(plain) = plain_type(elem)
            {
                **elem = plain;
            }
            let target = type_name(data_type)?;
            if REG_TYPES.contains(&target.as_str()) {
                return Some(call(&target, expr));
            }
            if matches!(target.as_str(), "text" | "varchar" | "name")
                && let Expr::Function(inner) = expr.as_ref()
            {
                let fname = inner.name.to_string().to_ascii_lowercase();
                if REG_TYPES.contains(&fname.as_str()) {
                    return Some(call(&format!("{fname}_out"), expr));
                }
            }
            if matches!(target.as_str(), "name" | "char") {
                // Text read by the type's input function and tagged `name` / `"char"`.
                let ty = if target == "char" {
                    "'\"char\"'"
                } else {
                    "'name'"
                };
                return parse_expr(&format!("{}({expr}, {ty})", super::pg_casts::CAST_FN));
            }
            if let Some(t) = plain_type(data_type) {
                *data_type = t;
            }
            *kind = CastKind::DoubleColon;
            None
        }
        _ => None,
    }
}

/// The unqualified, lower-case name of a cast's target type (`pg_catalog.regclass` →
/// `regclass`, `"char"` → `char`); None for built-in sqlparser types other than text.
fn type_name(t: &DataType) -> Option<String> {
    match t {
        DataType::Custom(name, _) => {
            let last = name.0.last()?.as_ident()?;
            let qualified_ok = name.0.len() == 1
                || name
                    .0
                    .first()
                    .and_then(|p| p.as_ident())
                    .map(|i| i.value.as_str())
                    == Some(PG_CATALOG);
            qualified_ok.then(|| last.value.to_ascii_lowercase())
        }
        DataType::Text => Some("text".into()),
        DataType::Regclass => Some("regclass".into()),
        DataType::Varchar(None) => Some("varchar".into()),
        _ => None,
    }
}

/// The built-in type standing for a catalog-only type (`oid`, `name`, ...) or a
/// `pg_catalog.`-qualified one (`pg_catalog.int2` parses as plain `int2`).
fn plain_type(t: &DataType) -> Option<DataType> {
    let name = type_name(t)?;
    match name.as_str() {
        // UInt32 is the server's `oid` (the wire reports it as oid, 26).
        "oid" => Some(DataType::IntUnsigned(None)),
        "xid" | "regoper" => Some(DataType::BigInt(None)),
        "name" | "char" | "pg_node_tree" => Some(DataType::Text),
        _ if matches!(t, DataType::Custom(n, _) if n.0.len() == 2) => parse_type(&name),
        _ => None,
    }
}

fn parse_type(sql: &str) -> Option<DataType> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_data_type())
        .ok()
}

fn call(name: &str, arg: &Expr) -> Expr {
    parse_expr(&format!("{name}({arg})")).unwrap_or_else(|| arg.clone())
}

/// `ARRAY(SELECT e FROM ... [ORDER BY o])` →
/// `coalesce((SELECT array_agg(e [ORDER BY o]) FROM ...), make_array())`, which DataFusion
/// can decorrelate; the coalesce gives PostgreSQL's `{}` for an empty input.
fn array_subquery(q: &Query) -> Option<Expr> {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return None;
    };
    let [item] = select.projection.as_slice() else {
        return None;
    };
    let (SelectItem::UnnamedExpr(value) | SelectItem::ExprWithAlias { expr: value, .. }) = item
    else {
        return None;
    };
    if !no_grouping(select) {
        return None;
    }
    if let Some(unnest) = unnest_of_options(select) {
        // `array(select 'toast.' || x from unnest(tc.reloptions) x)` (psql `\d+`): the server
        // keeps no storage options, so the array is always NULL.
        return parse_expr(&format!("CASE WHEN {unnest} IS NULL THEN NULL::text[] END"));
    }
    if let Some(roles) = any_of_policy_roles(select) {
        // psql `\d` lists a policy's roles with `oid = any(pol.polroles)`, which DataFusion
        // cannot decorrelate; the server has no row-level security, so pg_policy is empty
        // and the expression is never evaluated.
        return parse_expr(&format!("CASE WHEN {roles} IS NULL THEN NULL::text[] END"));
    }
    let order = q
        .order_by
        .as_ref()
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    let mut inner = select.as_ref().clone();
    let agg = parse_expr(&format!("array_agg({value}{order})"))?;
    inner.projection = vec![SelectItem::UnnamedExpr(agg)];
    let sub = Query {
        body: Box::new(SetExpr::Select(Box::new(inner))),
        order_by: None,
        ..q.clone()
    };
    parse_expr(&format!("coalesce(({sub}), make_array())"))
}

/// psql `\d` names a publication's columns with `generate_series(.., pr.prattrs)`, a
/// lateral table function DataFusion cannot plan; the server has no publications, so
/// pg_publication_rel is empty and the subquery is never evaluated.
fn reads_publication_columns(q: &Query) -> bool {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return false;
    };
    select.from.iter().any(|f| {
        matches!(&f.relation, TableFactor::Table { args: Some(args), .. }
            if args.args.iter().any(|a| a.to_string().contains("prattrs")))
    })
}

/// A scalar subquery without aggregates over one always-empty catalog relation (pg_dump's
/// `(SELECT ftserver FROM pg_foreign_table WHERE ftrelid = c.oid)`): it yields no row, so
/// NULL, and DataFusion cannot plan it correlated inside a CASE.
fn reads_only_empty_relation(q: &Query) -> bool {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return false;
    };
    let [from] = select.from.as_slice() else {
        return false;
    };
    let plain = select.projection.iter().all(|p| match p {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
            matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        }
        _ => false,
    });
    plain
        && from.joins.is_empty()
        && no_grouping(select)
        && matches!(&from.relation, TableFactor::Table { name, args: None, .. }
        if name.0.last().and_then(|p| p.as_ident()).is_some_and(|i| {
            is_empty_catalog_relation(&i.value.to_ascii_lowercase())
        }))
}

/// A scalar subquery that joins `pg_partition_ancestors(outer column)`: psql `\d`'s lookup
/// of a partition's parent trigger. There is no partitioning, so no object has a parent and
/// the lookup finds nothing (its CASE only runs it for `tgparentid != 0` anyway).
fn joins_partition_ancestors(q: &Query) -> bool {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return false;
    };
    select.from.iter().any(|f| {
        std::iter::once(&f.relation)
            .chain(f.joins.iter().map(|j| &j.relation))
            .any(|r| {
                matches!(r, TableFactor::Table { name, args: Some(_), .. }
                if name.0.last().and_then(|p| p.as_ident()).is_some_and(|i| {
                    i.value.eq_ignore_ascii_case("pg_partition_ancestors")
                }))
            })
    })
}

/// The `pol.polroles` of a `WHERE x = any(pol.polroles)` filter.
fn any_of_policy_roles(select: &Select) -> Option<String> {
    let Some(Expr::AnyOp { right, .. }) = &select.selection else {
        return None;
    };
    column_name(right)
        .filter(|n| n == "polroles")
        .map(|_| right.to_string())
}

fn no_grouping(select: &Select) -> bool {
    matches!(&select.group_by, GroupByExpr::Expressions(g, m) if g.is_empty() && m.is_empty())
        && select.having.is_none()
}

/// A scalar subquery over catalog relations that DataFusion cannot plan because it is not
/// aggregated (`(SELECT c.relkind = 'c' FROM pg_class c WHERE c.oid = t.typrelid)`): the
/// catalog lookups clients write return at most one row, so `max` keeps the result (and,
/// unlike `first_value`, DataFusion decorrelates it with outer-only predicates).
/// DataFusion decorrelates only `inner = outer` predicates, so the others move out: a
/// predicate on the outer row alone guards the subquery (`CASE WHEN a.atthasdef THEN
/// (SELECT ..) END`), and `outer <> inner` compares with a lookup of `inner` under the
/// same equalities. Returns the replacement expression when the subquery gets a guard.
fn aggregate_catalog_lookup(q: &mut Query) -> Option<Expr> {
    let SetExpr::Select(select) = q.body.as_mut() else {
        return None;
    };
    if !no_grouping(select) || select.distinct.is_some() {
        return None;
    }
    let reads_catalog = select.from.iter().any(|f| {
        matches!(&f.relation, TableFactor::Table { name, args: None, .. }
            if name.0.first().and_then(|p| p.as_ident()).map(|i| i.value.as_str()) == Some(PG_CATALOG))
    });
    let inner = inner_aliases(select);
    let [item] = select.projection.as_slice() else {
        return None;
    };
    let (SelectItem::UnnamedExpr(value) | SelectItem::ExprWithAlias { expr: value, .. }) = item
    else {
        return None;
    };
    let text = value.to_string().to_ascii_lowercase();
    let aggregated = [
        "count(",
        "max(",
        "min(",
        "sum(",
        "avg(",
        "array_agg(",
        "string_agg(",
        "bool_and(",
        "bool_or(",
        "first_value(",
    ]
    .iter()
    .any(|a| text.contains(a));
    if !reads_catalog || aggregated {
        return None;
    }
    let value = value.clone();
    let mut kept = Vec::new();
    let mut mixed = Vec::new();
    let mut guards = Vec::new();
    if let Some(w) = select.selection.take() {
        for c in conjuncts(w) {
            let simple_eq = matches!(&c, Expr::BinaryOp { left, op: BinaryOperator::Eq, right }
                if matches!(**left, Expr::CompoundIdentifier(_))
                    && matches!(**right, Expr::CompoundIdentifier(_)));
            if !references_outer(&c, &inner) || simple_eq {
                kept.push(c);
            } else if !references_inner(&c, &inner) {
                guards.push(c.to_string());
            } else {
                mixed.push(c);
            }
        }
    }
    select.selection = kept.into_iter().reduce(|a, b| Expr::BinaryOp {
        left: Box::new(a),
        op: BinaryOperator::And,
        right: Box::new(b),
    });
    // `outer op inner` → `outer op (SELECT max(inner) ..)`; other mixed predicates stay
    // in the aggregate as a CASE condition (same result under max).
    // The lookup finds the same row only when an equality ties it to the outer row.
    let correlated = select
        .selection
        .as_ref()
        .is_some_and(|w| references_outer(w, &inner));
    let mut moved = Vec::new();
    for c in mixed {
        match outer_inner_comparison(&c, &inner).filter(|_| correlated) {
            Some((outer_side, op, inner_side, outer_first)) => {
                let lookup = with_projection(q, &format!("max({inner_side})"))?;
                guards.push(if outer_first {
                    format!("{outer_side} {op} ({lookup})")
                } else {
                    format!("({lookup}) {op} {outer_side}")
                });
            }
            None => moved.push(c.to_string()),
        }
    }
    let arg = if moved.is_empty() {
        value.to_string()
    } else {
        format!("CASE WHEN {} THEN {value} END", moved.join(" AND "))
    };
    let looked_up = with_projection(q, &format!("max({arg})"))?;
    if guards.is_empty() {
        *q = looked_up;
        return None;
    }
    parse_expr(&format!(
        "CASE WHEN {} THEN ({looked_up}) END",
        guards.join(" AND ")
    ))
}

/// `q` with its single select item replaced by `item`.
fn with_projection(q: &Query, item: &str) -> Option<Query> {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return None;
    };
    let mut select = select.as_ref().clone();
    select.projection = vec![SelectItem::UnnamedExpr(parse_expr(item)?)];
    Some(Query {
        body: Box::new(SetExpr::Select(Box::new(select))),
        ..q.clone()
    })
}

/// A comparison with one side on the outer row only and the other on the inner rows
/// only: (outer side, operator, inner side, whether the outer side is on the left).
fn outer_inner_comparison(
    c: &Expr,
    inner: &[String],
) -> Option<(String, BinaryOperator, String, bool)> {
    let Expr::BinaryOp { left, op, right } = c else {
        return None;
    };
    let outer_only = |e: &Expr| references_outer(e, inner) && !references_inner(e, inner);
    let inner_only = |e: &Expr| !references_outer(e, inner) && references_inner(e, inner);
    if outer_only(left) && inner_only(right) {
        Some((left.to_string(), op.clone(), right.to_string(), true))
    } else if inner_only(left) && outer_only(right) {
        Some((right.to_string(), op.clone(), left.to_string(), false))
    } else {
        None
    }
}

/// The names a query's FROM items are known by (alias or table name).
fn inner_aliases(select: &Select) -> Vec<String> {
    let mut out = Vec::new();
    for f in &select.from {
        for t in std::iter::once(&f.relation).chain(f.joins.iter().map(|j| &j.relation)) {
            if let TableFactor::Table { name, alias, .. } = t {
                match alias {
                    Some(a) => out.push(a.name.value.to_ascii_lowercase()),
                    None => out.extend(
                        name.0
                            .last()
                            .and_then(|p| p.as_ident())
                            .map(|i| i.value.to_ascii_lowercase()),
                    ),
                }
            }
        }
    }
    out
}

fn conjuncts(e: Expr) -> Vec<Expr> {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            let mut v = conjuncts(*left);
            v.extend(conjuncts(*right));
            v
        }
        Expr::Nested(inner)
            if matches!(
                *inner,
                Expr::BinaryOp {
                    op: BinaryOperator::And,
                    ..
                }
            ) =>
        {
            conjuncts(*inner)
        }
        other => vec![other],
    }
}

/// Whether `e` uses a qualified column whose qualifier is not one of `inner`.
fn references_outer(e: &Expr, inner: &[String]) -> bool {
    let mut outer = false;
    let _ = datafusion::sql::sqlparser::ast::visit_expressions(e, |x| {
        if let Some(q) = qualifier(x)
            && !inner.contains(&q)
        {
            outer = true;
        }
        ControlFlow::<()>::Continue(())
    });
    outer
}

/// The relation a qualified column names: `t` of `t.c` and of `pg_catalog.t.c`.
fn qualifier(e: &Expr) -> Option<String> {
    let Expr::CompoundIdentifier(parts) = e else {
        return None;
    };
    let n = parts.len();
    (n == 2 || n == 3)
        .then(|| parts.get(n - 2))
        .flatten()
        .map(|q| q.value.to_ascii_lowercase())
}

/// Whether `e` uses a column of the inner query: qualified by one of `inner`, or
/// unqualified (taken as inner, the conservative reading).
fn references_inner(e: &Expr, inner: &[String]) -> bool {
    let mut found = false;
    let _ = datafusion::sql::sqlparser::ast::visit_expressions(e, |x| {
        if matches!(x, Expr::Identifier(_)) || qualifier(x).is_some_and(|q| inner.contains(&q)) {
            found = true;
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// The argument of `FROM unnest(<x>.reloptions)`, if that is the query's only source.
fn unnest_of_options(select: &Select) -> Option<String> {
    let (name, [arg, ..]) = only_table_function(select)? else {
        return None;
    };
    let arg = arg.to_string();
    (name == "unnest" && arg.ends_with("reloptions")).then_some(arg)
}

/// The (lower-case) column name `e` refers to, if it is a column reference.
fn column_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(i.value.to_ascii_lowercase()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.to_ascii_lowercase()),
        _ => None,
    }
}

/// Whether `e` names an array-typed catalog column (`pol.polroles`).
fn is_array_column(e: &Expr) -> bool {
    column_name(e).is_some_and(|n| is_catalog_array_column(&n))
}

/// `'16384'` → `16384`.
fn integer_literal(e: &Expr) -> Option<Expr> {
    let Expr::Value(v) = e else { return None };
    let Value::SingleQuotedString(s) = &v.value else {
        return None;
    };
    let n: i64 = s.trim().parse().ok()?;
    parse_expr(&n.to_string())
}

/// `'{a,b}'` → `make_array('a', 'b')` (numbers stay numbers), for comparisons with array
/// columns; other literals are left alone.
fn array_literal(e: &Expr) -> Option<Expr> {
    let Expr::Value(v) = e else { return None };
    let Value::SingleQuotedString(s) = &v.value else {
        return None;
    };
    let body = s.strip_prefix('{')?.strip_suffix('}')?;
    let items: Vec<String> = body
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|i| {
            if i.parse::<i64>().is_ok() {
                i.to_owned()
            } else {
                format!("'{}'", i.trim_matches('"').replace('\'', "''"))
            }
        })
        .collect();
    parse_expr(&format!("make_array({})", items.join(", ")))
}
