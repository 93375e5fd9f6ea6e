//! PostgreSQL operators DataFusion does not plan, as the functions they stand for:
//! `a ^@ b` (starts_with), `~ x` (bitwise not, as `-1 # x`), `|/ x` (sqrt), `||/ x`
//! (cbrt), `j -> k` and `j ->> k` (json field or element, as json / as text); `-a ^ b` is
//! `(-a) ^ b` (PostgreSQL's unary minus binds tighter than `^`, sqlparser's does not).

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, CastKind, DataType, Expr, UnaryOperator, Value,
};

use super::json_fns::{GET_FN, GET_TEXT_FN};
use super::rewrite::call;

/// Rewrite one operator expression in place; other expressions are left alone.
pub fn rewrite(e: &mut Expr) {
    let take = |x: &mut Box<Expr>| std::mem::replace(x.as_mut(), Expr::value(Value::Null));
    match e {
        Expr::UnaryOp {
            op: op @ (UnaryOperator::Minus | UnaryOperator::Plus),
            expr,
        } if is_power(expr) => {
            let (op, inner) = (*op, take(expr));
            *e = sign_leftmost(op, inner);
        }
        Expr::UnaryOp { op, expr } => {
            let name = match op {
                UnaryOperator::PGSquareRoot => "sqrt",
                UnaryOperator::PGCubeRoot => "cbrt",
                UnaryOperator::BitwiseNot => {
                    let arg = take(expr);
                    *e = Expr::Nested(Box::new(Expr::BinaryOp {
                        left: Box::new(Expr::Nested(Box::new(Expr::UnaryOp {
                            op: UnaryOperator::Minus,
                            expr: Box::new(Expr::value(Value::Number("1".into(), false))),
                        }))),
                        op: BinaryOperator::PGBitwiseXor,
                        right: Box::new(Expr::Nested(Box::new(arg))),
                    }));
                    return;
                }
                _ => return,
            };
            // PostgreSQL's `|/` and `||/` take float8 only (`|/ 16.0` is `4`, not numeric).
            let arg = Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(take(expr)),
                data_type: DataType::DoublePrecision,
                array: false,
                format: None,
            };
            *e = call(name, vec![arg]);
        }
        Expr::BinaryOp { left, op, right } => {
            let name = match op {
                BinaryOperator::PGStartsWith => "starts_with",
                BinaryOperator::Arrow => GET_FN,
                BinaryOperator::LongArrow => GET_TEXT_FN,
                _ => return,
            };
            let (l, r) = (take(left), take(right));
            *e = call(name, vec![l, r]);
        }
        _ => {}
    }
}

fn is_power(e: &Expr) -> bool {
    matches!(
        e,
        Expr::BinaryOp {
            op: BinaryOperator::PGExp,
            ..
        }
    )
}

/// Applies the sign to the leftmost operand of a (left-associative) `^` chain.
fn sign_leftmost(op: UnaryOperator, e: Expr) -> Expr {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::PGExp,
            right,
        } => Expr::BinaryOp {
            left: Box::new(sign_leftmost(op, *left)),
            op: BinaryOperator::PGExp,
            right,
        },
        other => Expr::UnaryOp {
            op,
            expr: Box::new(other),
        },
    }
}
