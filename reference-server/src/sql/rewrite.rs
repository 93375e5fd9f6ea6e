//! AST rewrites from PostgreSQL/TimescaleDB spellings to DataFusion's:
//! `time_bucket(i, ts [, origin])` → `date_bin(i, ts, origin)` (TimescaleDB's Monday
//! 2000-01-03 origin by default), `first(v, t)` / `last(v, t)` →
//! `first_value(v ORDER BY t)` / `last_value(v ORDER BY t)`.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments, Ident,
    ObjectName, ObjectNamePart, OrderByExpr, OrderByOptions, Query, SelectItem, SetExpr, Statement,
    TableAliasColumnDef, TableFactor, UnaryOperator, Value, VisitMut, VisitorMut,
    visit_expressions_mut,
};

/// TimescaleDB's default bucket origin (a Monday), so weekly buckets start on Mondays.
const TIME_BUCKET_ORIGIN: &str = "2000-01-03 00:00:00";

pub fn rewrite(stmt: &mut Statement) {
    let _ = visit_expressions_mut(stmt, |e| {
        rewrite_expr(e);
        ControlFlow::<()>::Continue(())
    });
    let _ = stmt.visit(&mut UniqueNames);
    super::regexp_srf::rewrite(stmt);
    super::int_series::rewrite(stmt);
    super::recursive_cte::rewrite(stmt);
    super::insert_values::rewrite(stmt);
    super::fetch_first::rewrite(stmt);
    super::lateral_topn::rewrite(stmt);
}

/// `SELECT 1, 1` and `SELECT a, a` are valid in PostgreSQL, but DataFusion requires unique
/// output names: repeated unaliased items get an alias (the client still sees PostgreSQL's
/// names, computed before this rewrite).
struct UniqueNames;

impl VisitorMut for UniqueNames {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        unique_names(query.body.as_mut());
        ControlFlow::Continue(())
    }

    /// `generate_series(...) AS g` names its single column `g`, as in PostgreSQL.
    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            args: Some(_),
            alias: Some(alias),
            ..
        } = factor
            && alias.columns.is_empty()
            && name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .is_some_and(|i| i.value.eq_ignore_ascii_case("generate_series"))
        {
            alias.columns = vec![TableAliasColumnDef {
                name: alias.name.clone(),
                data_type: None,
            }];
        }
        ControlFlow::Continue(())
    }
}

/// Alias repeated unaliased items of each SELECT, in every branch of a set operation
/// (`SELECT NULL, NULL UNION SELECT ...`, psql `\d`'s publication query).
fn unique_names(body: &mut SetExpr) {
    match body {
        SetExpr::SetOperation { left, right, .. } => {
            unique_names(left);
            unique_names(right);
        }
        SetExpr::Select(select) => {
            let mut seen = std::collections::HashSet::new();
            for (i, item) in select.projection.iter_mut().enumerate() {
                let SelectItem::UnnamedExpr(e) = item else {
                    continue;
                };
                // Two items PostgreSQL names alike (`1, 1`; `'x'::date, DATE 'x'`) may get the
                // same DataFusion name too.
                // DataFusion names a cast after its operand, so `x::date, x::time` collide.
                let text = super::classify::expr_column_name(e);
                let operand = format!("\u{0}{}", without_casts(e));
                let fresh = seen.insert(text.clone());
                let unique = seen.insert(operand) && fresh;
                // `col::type` is named `col` in PostgreSQL, and ORDER BY `col` then means
                // this output column; DataFusion would sort by the input column too and
                // reject the two alike-named expressions.
                if unique && is_column_cast(e) {
                    let expr = std::mem::replace(e, Expr::value(Value::Null));
                    *item = SelectItem::ExprWithAlias {
                        expr,
                        alias: Ident::with_quote('"', text),
                    };
                    continue;
                }
                if !unique {
                    let expr = std::mem::replace(e, Expr::value(Value::Null));
                    *item = SelectItem::ExprWithAlias {
                        expr,
                        alias: Ident::with_quote('"', format!("{text}:{i}")),
                    };
                }
            }
        }
        _ => {}
    }
}

/// `col::type` or `t.col::type`.
fn is_column_cast(e: &Expr) -> bool {
    matches!(e, Expr::Cast { expr, .. }
        if matches!(expr.as_ref(), Expr::Identifier(_) | Expr::CompoundIdentifier(_)))
}

/// The expression under any outer casts.
fn without_casts(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Cast { expr, .. } | Expr::Nested(expr) => e = expr,
            other => return other,
        }
    }
}

fn exponent(number: &str) -> Option<i64> {
    let (_, exp) = number.split_once(['e', 'E'])?;
    exp.parse().ok()
}

pub(crate) fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(datafusion::sql::sqlparser::ast::Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(datafusion::sql::sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

fn rewrite_expr(e: &mut Expr) {
    super::literals::normalize_interval(e);
    super::pg_operators::rewrite(e);
    super::pg_casts::rewrite(e);
    super::interval_ops::rewrite(e);
    super::at_time_zone::rewrite(e);
    super::row_null::rewrite(e);
    super::quantified::rewrite(e);
    super::json_agg::rewrite(e);
    super::pg_predicates::rewrite(e);
    super::row_in::rewrite(e);
    super::array_agg_first::rewrite(e);
    // A literal like `1e300` is numeric in PostgreSQL, beyond what a decimal holds here:
    // read it as float8 instead of failing.
    if let Expr::Value(v) = e
        && let Value::Number(text, _) = &v.value
        && exponent(text).is_some_and(|x| x.abs() > 30)
    {
        let text = text.clone();
        *e = Expr::Cast {
            kind: datafusion::sql::sqlparser::ast::CastKind::DoubleColon,
            expr: Box::new(Expr::value(Value::SingleQuotedString(text))),
            data_type: DataType::DoublePrecision,
            array: false,
            format: None,
        };
        return;
    }
    // `extract` is numeric in PostgreSQL (DataFusion: `date_part`, float8 or int4).
    if let Expr::Extract { field, expr, .. } = e {
        let unit = Expr::value(Value::SingleQuotedString(field.to_string()));
        let arg = std::mem::replace(expr.as_mut(), Expr::value(Value::Null));
        *e = call(super::extract::EXTRACT_FN, vec![unit, arg]);
        return;
    }
    // `@ x` is PostgreSQL's absolute value.
    if let Expr::UnaryOp {
        op: UnaryOperator::PGAbs,
        expr,
    } = e
    {
        let arg = std::mem::replace(expr.as_mut(), Expr::value(Value::Null));
        *e = call("abs", vec![arg]);
        return;
    }
    let Expr::Function(f) = e else { return };
    let Some(name) = f
        .name
        .0
        .last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.to_ascii_lowercase())
    else {
        return;
    };
    let FunctionArguments::List(list) = &mut f.args else {
        return;
    };
    // PostgreSQL's names for functions DataFusion has under another name.
    let alias = match name.as_str() {
        "every" => Some("bool_and"),
        "ceiling" => Some("ceil"),
        "width_bucket" if list.args.len() == 2 => {
            Some(super::width_bucket_array::WIDTH_BUCKET_ARRAY_FN)
        }
        // log(float8) is log10 (DataFusion's divides natural logarithms: log(1000) was
        // 2.9999999999999996); numeric log treats both names alike.
        "log" if list.args.len() == 1 => Some("log10"),
        "to_date" if list.args.len() == 2 => Some(super::to_timestamp::TO_DATE_FN),
        "to_timestamp" if list.args.len() == 2 => Some(super::to_timestamp::TO_TIMESTAMP_FN),
        _ => None,
    };
    if let Some(alias) = alias {
        f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(alias))]);
        return;
    }
    // `mod(a, b)` is the `%` operator.
    if name == "mod"
        && let [
            FunctionArg::Unnamed(FunctionArgExpr::Expr(a)),
            FunctionArg::Unnamed(FunctionArgExpr::Expr(b)),
        ] = list.args.as_slice()
    {
        *e = Expr::BinaryOp {
            left: Box::new(Expr::Nested(Box::new(a.clone()))),
            op: datafusion::sql::sqlparser::ast::BinaryOperator::Modulo,
            right: Box::new(Expr::Nested(Box::new(b.clone()))),
        };
        return;
    }
    if name == "make_interval" {
        positional_make_interval(&mut list.args);
        return;
    }
    match name.as_str() {
        // DataFusion's percentile_cont wants a float8 fraction; `0.5` is numeric here.
        "percentile_cont" if list.args.len() == 1 => {
            if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(frac))) = list.args.first_mut() {
                let inner = std::mem::replace(frac, Expr::value(Value::Null));
                *frac = Expr::Cast {
                    kind: datafusion::sql::sqlparser::ast::CastKind::DoubleColon,
                    expr: Box::new(inner),
                    data_type: DataType::DoublePrecision,
                    array: false,
                    format: None,
                };
            }
        }
        // width_bucket(float8, float8, float8, int4) is the form registered here.
        "width_bucket" if list.args.len() == 4 => {
            for (i, arg) in list.args.iter_mut().enumerate() {
                if let FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) = arg {
                    let inner = std::mem::replace(a, Expr::value(Value::Null));
                    *a = Expr::Cast {
                        kind: datafusion::sql::sqlparser::ast::CastKind::DoubleColon,
                        expr: Box::new(inner),
                        data_type: if i == 3 {
                            DataType::Integer(None)
                        } else {
                            DataType::DoublePrecision
                        },
                        array: false,
                        format: None,
                    };
                }
            }
        }
        "time_bucket" if (2..=3).contains(&list.args.len()) => {
            if list.args.len() == 2 {
                list.args
                    .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Cast {
                        kind: datafusion::sql::sqlparser::ast::CastKind::DoubleColon,
                        expr: Box::new(Expr::value(Value::SingleQuotedString(
                            TIME_BUCKET_ORIGIN.into(),
                        ))),
                        data_type: DataType::Timestamp(
                            None,
                            datafusion::sql::sqlparser::ast::TimezoneInfo::None,
                        ),
                        array: false,
                        format: None,
                    })));
            }
            f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new("date_bin"))]);
        }
        "first" | "last" if list.args.len() == 2 && list.clauses.is_empty() => {
            let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(order))) = list.args.pop() else {
                return;
            };
            list.clauses
                .push(FunctionArgumentClause::OrderBy(vec![OrderByExpr {
                    expr: order,
                    options: OrderByOptions {
                        asc: None,
                        nulls_first: None,
                    },
                    with_fill: None,
                }]));
            let target = if name == "first" {
                "first_value"
            } else {
                "last_value"
            };
            f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(target))]);
        }
        _ => {}
    }
}

/// `make_interval(days => 10, hours => 5)` and `make_interval(1, 2)` as the seven-argument
/// positional call registered here (omitted arguments are 0).
fn positional_make_interval(args: &mut Vec<FunctionArg>) {
    use super::datetime_fns::MAKE_INTERVAL_ARGS;
    let zero = || Expr::value(Value::Number("0".into(), false));
    let mut out: Vec<Expr> = MAKE_INTERVAL_ARGS.iter().map(|_| zero()).collect();
    for (i, arg) in args.drain(..).enumerate() {
        let (slot, value) = match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => (Some(i), e),
            FunctionArg::Named {
                name,
                arg: FunctionArgExpr::Expr(e),
                ..
            } => (
                MAKE_INTERVAL_ARGS
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(&name.value)),
                e,
            ),
            // `days => 10` parses with the name as an expression.
            FunctionArg::ExprNamed {
                name: Expr::Identifier(name),
                arg: FunctionArgExpr::Expr(e),
                ..
            } => (
                MAKE_INTERVAL_ARGS
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(&name.value)),
                e,
            ),
            _ => (None, zero()),
        };
        // An unknown name or position is left for DataFusion's arity check to report.
        match slot.and_then(|s| out.get_mut(s)) {
            Some(cell) => *cell = value,
            None => out.push(value),
        }
    }
    *args = out
        .into_iter()
        .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
        .collect();
}
