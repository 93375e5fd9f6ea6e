//! `ROW(a, b) IS NULL` is true when every field is NULL, and `IS NOT NULL` when every field
//! is not NULL (so `ROW(NULL, 1)` is neither), as the SQL standard and PostgreSQL define
//! them; DataFusion tests the struct value itself. Written as the per-field tests.

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Value,
};

/// Rewrite one `ROW(...) IS [NOT] NULL` in place; other expressions are left alone.
pub fn rewrite(e: &mut Expr) {
    let (inner, negated) = match e {
        Expr::IsNull(inner) => (inner, false),
        Expr::IsNotNull(inner) => (inner, true),
        _ => return,
    };
    let Some(fields) = row_fields(inner) else {
        return;
    };
    let test = |f: Expr| {
        if negated {
            Expr::IsNotNull(Box::new(f))
        } else {
            Expr::IsNull(Box::new(f))
        }
    };
    let all = fields.into_iter().map(test).reduce(|a, b| Expr::BinaryOp {
        left: Box::new(a),
        op: BinaryOperator::And,
        right: Box::new(b),
    });
    if let Some(all) = all {
        *e = Expr::Nested(Box::new(all));
    }
}

/// The fields of `ROW(a, b)` or `(a, b)`, taken out of the row.
fn row_fields(e: &mut Expr) -> Option<Vec<Expr>> {
    let e = match e {
        Expr::Nested(inner) => inner.as_mut(),
        other => other,
    };
    match e {
        Expr::Tuple(items) => Some(std::mem::take(items)),
        Expr::Function(f)
            if f.over.is_none()
                && f.name.0.len() == 1
                && f.name
                    .0
                    .first()
                    .and_then(|p| p.as_ident())
                    .is_some_and(|i| i.value.eq_ignore_ascii_case("row")) =>
        {
            let FunctionArguments::List(list) = &mut f.args else {
                return None;
            };
            let plain =
                |a: &FunctionArg| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(_)));
            if !list.args.iter().all(plain) {
                return None;
            }
            Some(
                list.args
                    .iter_mut()
                    .filter_map(|arg| match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => {
                            Some(std::mem::replace(x, Expr::value(Value::Null)))
                        }
                        _ => None,
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}
