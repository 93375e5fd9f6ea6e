//! `::numeric` without a typmod keeps the scale the operand has, as in PostgreSQL: an
//! integer becomes a numeric of scale 0 (`10::numeric / 4` divides `10`, not `10.0000000000`),
//! a decimal keeps its scale, and a text literal is read with the digits it was written with
//! (`'1.50'::numeric` is `1.50`). Other operands (floats, text columns) keep the
//! unconstrained-numeric storage, whose output drops trailing zeros.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Cast, Expr};

use super::numeric_div::exact_numeric;
use crate::pgtypes::UNCONSTRAINED_NUMERIC;

/// The cast with the operand's own scale, or the cast back unchanged.
pub fn own_scale(c: Cast, from: &DataType) -> Result<Expr, Cast> {
    if c.field.data_type() != &UNCONSTRAINED_NUMERIC || from == &UNCONSTRAINED_NUMERIC {
        return Err(c);
    }
    match (from, c.expr.as_ref()) {
        (t, _) if t.is_integer() => Ok(Expr::Cast(Cast::new(c.expr, DataType::Decimal128(38, 0)))),
        (DataType::Decimal128(_, s), _) => Ok(Expr::Cast(Cast::new(c.expr, exact_numeric(*s)))),
        (_, Expr::Literal(v, _)) => match text_literal(v) {
            Some(lit) => Ok(lit),
            None => Err(c),
        },
        _ => Err(c),
    }
}

/// A numeric literal from text, with the scale it was written with; `None` for text that
/// is not a finite numeric of at most 38 digits (the cast then reports it).
fn text_literal(v: &ScalarValue) -> Option<Expr> {
    let s = match v {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => s,
        _ => return None,
    };
    let parsed = crate::pgtypes::parse_numeric_text(s).ok()?;
    match parsed.to_scalar("numeric", s).ok()? {
        ScalarValue::Decimal128(Some(v), _, scale) => {
            let DataType::Decimal128(p, _) = exact_numeric(scale) else {
                return None;
            };
            Some(Expr::Literal(
                ScalarValue::Decimal128(Some(v), p, scale),
                None,
            ))
        }
        _ => None,
    }
}
