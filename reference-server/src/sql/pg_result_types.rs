//! PostgreSQL's result types for calls and operators whose DataFusion result differs, applied
//! to the logical plan bottom-up: `ceil`/`floor`/`round`/`trunc` of numeric drop the
//! fraction DataFusion keeps (`ceil(4.2)` is `5`, not `5.0`), `round(x, n)`/`trunc(x, n)`
//! have scale `n`, `round(float8)` rounds half to even, `date - date` and `array_length` are
//! integer, `float4 * int` is float8, `to_hex(int4)` is 32-bit, intervals compare by
//! length, unconstrained numeric as text has no trailing zeros; and casts PostgreSQL has no
//! cast for (`date::int`, `true::float8`) fail with 42846.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result as DfResult, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{BinaryExpr, Cast, Expr, ExprSchemable, Operator};

use super::pg_udf::{RowFn, sql_err};
use crate::pgtypes::{UNCONSTRAINED_NUMERIC, arrow_to_pg};

/// Retype one node (its children are already done).
pub fn retype(e: Expr, schema: &DFSchema) -> DfResult<Transformed<Expr>> {
    match e {
        Expr::ScalarFunction(f) => function(f, schema),
        Expr::BinaryExpr(b) => binary(b, schema),
        Expr::Case(c) => match super::numeric_mix::case(c, schema) {
            Ok(e) => Ok(Transformed::yes(e)),
            Err(c) => Ok(Transformed::no(Expr::Case(c))),
        },
        Expr::Cast(c) => {
            forbidden_cast(&c, schema)?;
            let c = match c.expr.get_type(schema) {
                Ok(from) => match super::numeric_cast::own_scale(c, &from) {
                    Ok(e) => return Ok(Transformed::yes(e)),
                    Err(c) => c,
                },
                Err(_) => c,
            };
            numeric_text(c, schema)
        }
        other => Ok(Transformed::no(other)),
    }
}

fn cast(e: Expr, to: DataType) -> Expr {
    Expr::Cast(Cast::new(Box::new(e), to))
}

fn function(f: ScalarFunction, schema: &DFSchema) -> DfResult<Transformed<Expr>> {
    let f = match super::numeric_math::rewrite(f, schema) {
        Ok(e) => return Ok(Transformed::yes(e)),
        Err(f) => f,
    };
    let f = match super::numeric_mix::variadic(f, schema) {
        Ok(e) => return Ok(Transformed::yes(e)),
        Err(f) => f,
    };
    let name = f.func.name().to_ascii_lowercase();
    let arg_type = |i: usize| f.args.get(i).and_then(|a| a.get_type(schema).ok());
    let first = arg_type(0);
    let decimal = matches!(first, Some(DataType::Decimal128(..)));
    let int_literal = |i: usize| match f.args.get(i) {
        Some(Expr::Literal(ScalarValue::Int32(Some(n)), _)) => Some(i64::from(*n)),
        Some(Expr::Literal(ScalarValue::Int64(Some(n)), _)) => Some(*n),
        _ => None,
    };
    let args = f.args.len();
    match name.as_str() {
        "ceil" | "floor" | "round" | "trunc" if decimal && args == 1 => Ok(Transformed::yes(cast(
            Expr::ScalarFunction(f),
            UNCONSTRAINED_NUMERIC,
        ))),
        "round" | "trunc" if decimal && args == 2 => match int_literal(1) {
            Some(n) => {
                let scale = n.clamp(0, 38) as i8;
                Ok(Transformed::yes(cast(
                    Expr::ScalarFunction(f),
                    super::numeric_div::exact_numeric(scale),
                )))
            }
            None => Ok(Transformed::no(Expr::ScalarFunction(f))),
        },
        "round" if args == 1 && matches!(first, Some(DataType::Float64 | DataType::Float32)) => {
            let rint = RowFn::new(
                "round",
                |_| Ok(vec![DataType::Float64]),
                |_| Ok(DataType::Float64),
                |v, _| {
                    Ok(ScalarValue::Float64(match v.first() {
                        Some(ScalarValue::Float64(Some(x))) => Some(x.round_ties_even()),
                        _ => None,
                    }))
                },
            );
            Ok(Transformed::yes(Expr::ScalarFunction(
                ScalarFunction::new_udf(Arc::new(rint.udf()), f.args),
            )))
        }
        "to_hex" if first == Some(DataType::Int32) => {
            let mut args = f.args;
            if let Some(a) = args.first_mut() {
                let x = std::mem::replace(a, Expr::Literal(ScalarValue::Null, None));
                *a = Expr::BinaryExpr(BinaryExpr::new(
                    Box::new(cast(x, DataType::Int64)),
                    Operator::BitwiseAnd,
                    Box::new(Expr::Literal(ScalarValue::Int64(Some(0xffff_ffff)), None)),
                ));
            }
            Ok(Transformed::yes(Expr::ScalarFunction(
                ScalarFunction::new_udf(f.func, args),
            )))
        }
        "gcd" | "lcm"
            if args == 2
                && first == Some(DataType::Int32)
                && arg_type(1) == Some(DataType::Int32) =>
        {
            Ok(Transformed::yes(cast(
                Expr::ScalarFunction(f),
                DataType::Int32,
            )))
        }
        "factorial" => Ok(Transformed::yes(cast(
            Expr::ScalarFunction(f),
            UNCONSTRAINED_NUMERIC,
        ))),
        "array_length" | "cardinality" => Ok(Transformed::yes(cast(
            Expr::ScalarFunction(f),
            DataType::Int32,
        ))),
        _ => Ok(Transformed::no(Expr::ScalarFunction(f))),
    }
}

fn binary(b: BinaryExpr, schema: &DFSchema) -> DfResult<Transformed<Expr>> {
    let (l, r) = (b.left.get_type(schema), b.right.get_type(schema));
    let (Ok(l), Ok(r)) = (l, r) else {
        return Ok(Transformed::no(Expr::BinaryExpr(b)));
    };
    let b = match super::numeric_div::division(b, &l, &r) {
        Ok(e) => return Ok(Transformed::yes(e)),
        Err(b) => b,
    };
    // date - date is the integer number of days.
    if b.op == Operator::Minus && l == DataType::Date32 && r == DataType::Date32 {
        return Ok(Transformed::yes(cast(Expr::BinaryExpr(b), DataType::Int32)));
    }
    // Intervals compare by total length.
    let comparison = matches!(
        b.op,
        Operator::Eq
            | Operator::NotEq
            | Operator::Lt
            | Operator::LtEq
            | Operator::Gt
            | Operator::GtEq
    );
    if comparison && matches!(l, DataType::Interval(_)) && matches!(r, DataType::Interval(_)) {
        return Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
            Box::new(super::interval_ops::comparable(*b.left)),
            b.op,
            Box::new(super::interval_ops::comparable(*b.right)),
        ))));
    }
    // float4 with an integer or float8 operand is float8 arithmetic.
    let arith = matches!(
        b.op,
        Operator::Plus | Operator::Minus | Operator::Multiply | Operator::Divide
    );
    let widen = |t: &DataType, other: &DataType| {
        t == &DataType::Float32 && (other.is_integer() || other == &DataType::Float64)
    };
    if arith && (widen(&l, &r) || widen(&r, &l)) {
        let f8 = |e: Box<Expr>, t: &DataType| {
            if t == &DataType::Float32 {
                Box::new(cast(*e, DataType::Float64))
            } else {
                e
            }
        };
        return Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
            f8(b.left, &l),
            b.op,
            f8(b.right, &r),
        ))));
    }
    Ok(Transformed::no(Expr::BinaryExpr(b)))
}

/// Casts PostgreSQL has no pg_cast entry for.
fn forbidden_cast(c: &Cast, schema: &DFSchema) -> DfResult<()> {
    let Ok(from) = c.expr.get_type(schema) else {
        return Ok(());
    };
    let to = c.field.data_type();
    let datetime = matches!(
        from,
        DataType::Date32 | DataType::Timestamp(..) | DataType::Time64(_)
    );
    let numeric = to.is_numeric();
    let bool_to_non_int4 = from == DataType::Boolean && numeric && to != &DataType::Int32;
    if (datetime && numeric) || bool_to_non_int4 {
        let name = |t: &DataType| arrow_to_pg(t).sql_name();
        return Err(sql_err(
            "42846",
            format!("cannot cast type {} to {}", name(&from), name(to)),
        ));
    }
    Ok(())
}

/// Unconstrained numeric as text shows the digits the value has, as its output does
/// (`12.5::numeric::text` is `12.5`; Arrow's cast prints the storage scale).
fn numeric_text(c: Cast, schema: &DFSchema) -> DfResult<Transformed<Expr>> {
    let from = c.expr.get_type(schema).ok();
    if from != Some(UNCONSTRAINED_NUMERIC) || !super::pg_udf::is_text(c.field.data_type()) {
        return Ok(Transformed::no(Expr::Cast(c)));
    }
    let f = RowFn::new(
        "numeric_text",
        |_| Ok(vec![UNCONSTRAINED_NUMERIC]),
        |_| Ok(DataType::Utf8),
        |v, _| {
            Ok(ScalarValue::Utf8(v.first().filter(|v| !v.is_null()).map(
                |v| {
                    let s = v.to_string();
                    if s.contains('.') {
                        s.trim_end_matches('0').trim_end_matches('.').to_owned()
                    } else {
                        s
                    }
                },
            )))
        },
    );
    Ok(Transformed::yes(cast(
        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(f.udf()), vec![*c.expr])),
        c.field.data_type().clone(),
    )))
}
