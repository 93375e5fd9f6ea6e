//! AST rewrites from PostgreSQL/TimescaleDB spellings to DataFusion's:
//! `time_bucket(i, ts [, origin])` → `date_bin(i, ts, origin)` (TimescaleDB's Monday
//! 2000-01-03 origin by default), `first(v, t)` / `last(v, t)` →
//! `first_value(v ORDER BY t)` / `last_value(v ORDER BY t)`.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments, Ident,
    ObjectName, ObjectNamePart, OrderByExpr, OrderByOptions, Statement, Value,
    visit_expressions_mut,
};

/// TimescaleDB's default bucket origin (a Monday), so weekly buckets start on Mondays.
const TIME_BUCKET_ORIGIN: &str = "2000-01-03 00:00:00";

pub fn rewrite(stmt: &mut Statement) {
    let _ = visit_expressions_mut(stmt, |e| {
        rewrite_expr(e);
        ControlFlow::<()>::Continue(())
    });
}

fn rewrite_expr(e: &mut Expr) {
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
    match name.as_str() {
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
