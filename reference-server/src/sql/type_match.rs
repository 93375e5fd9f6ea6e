//! PostgreSQL's select_common_type for CASE, COALESCE and UNION: the typed inputs must
//! share a type category (numeric, string, boolean, datetime, timespan), or the query fails
//! with 42804 (`CASE types text and integer cannot be matched`). DataFusion would coerce
//! `1` and `'a'::text` to a string instead. Untyped string literals and NULLs take any
//! type, as PostgreSQL's `unknown` does.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan};

use super::SqlError;

/// Check every CASE, COALESCE and UNION of a (not yet coerced) plan.
pub fn check(plan: &LogicalPlan) -> Result<(), SqlError> {
    let mut found = None;
    plan.apply_with_subqueries(|node| {
        found = check_node(node).err();
        Ok(if found.is_some() {
            TreeNodeRecursion::Stop
        } else {
            TreeNodeRecursion::Continue
        })
    })?;
    found.map_or(Ok(()), Err)
}

fn check_node(node: &LogicalPlan) -> Result<(), SqlError> {
    if let LogicalPlan::Union(u) = node {
        let width = u.schema.fields().len();
        for i in 0..width {
            let inputs = u.inputs.iter().map(|p| union_input(p, i));
            common_category("UNION", inputs)?;
        }
    }
    let inputs = node.inputs();
    let schema = match inputs.as_slice() {
        [one] => Arc::clone(one.schema()),
        _ => Arc::clone(node.schema()),
    };
    let mut found = None;
    let _ = node.apply_expressions(|e| {
        e.apply(|sub| {
            found = check_expr(sub, &schema).err();
            Ok(if found.is_some() {
                TreeNodeRecursion::Stop
            } else {
                TreeNodeRecursion::Continue
            })
        })
    });
    found.map_or(Ok(()), Err)
}

fn check_expr(e: &Expr, schema: &DFSchema) -> Result<(), SqlError> {
    match e {
        Expr::Case(c) => {
            // PostgreSQL resolves the ELSE branch first.
            let branches = c
                .else_expr
                .iter()
                .map(|e| e.as_ref())
                .chain(c.when_then_expr.iter().map(|(_, then)| then.as_ref()));
            common_category("CASE", branches.map(|b| typed(b, schema)))
        }
        Expr::ScalarFunction(f) if f.name().eq_ignore_ascii_case("coalesce") => {
            common_category("COALESCE", f.args.iter().map(|a| typed(a, schema)))
        }
        _ => Ok(()),
    }
}

/// Column `i` of a UNION input: its type, unless it is an untyped literal.
fn union_input(plan: &LogicalPlan, i: usize) -> Option<(DataType, bool)> {
    if let LogicalPlan::Projection(p) = plan
        && let Some(e) = p.expr.get(i)
    {
        return typed(e, p.input.schema());
    }
    let field = plan.schema().fields().get(i)?;
    Some((field.data_type().clone(), false))
}

/// An expression's type and whether it is an integer literal, or `None` for an untyped
/// literal (or a type that cannot be worked out here).
fn typed(e: &Expr, schema: &DFSchema) -> Option<(DataType, bool)> {
    let inner = match e {
        Expr::Alias(a) => a.expr.as_ref(),
        other => other,
    };
    match inner {
        Expr::Literal(ScalarValue::Utf8(_) | ScalarValue::Null, _) => None,
        Expr::Literal(ScalarValue::Int64(Some(v)), _) => {
            Some((DataType::Int64, i32::try_from(*v).is_ok()))
        }
        other => other.get_type(schema).ok().map(|t| (t, false)),
    }
}

/// The typed inputs (`None` for untyped ones) must share a category.
fn common_category(
    construct: &str,
    inputs: impl Iterator<Item = Option<(DataType, bool)>>,
) -> Result<(), SqlError> {
    let mut first: Option<(DataType, bool, char)> = None;
    for (t, small) in inputs.flatten() {
        let Some(cat) = category(&t) else { continue };
        match &first {
            None => first = Some((t, small, cat)),
            Some((ft, fsmall, fcat)) if *fcat != cat => {
                return Err(SqlError::new(
                    "42804",
                    format!(
                        "{construct} types {} and {} cannot be matched",
                        pg_name(ft, *fsmall),
                        pg_name(&t, small)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// PostgreSQL's typcategory of the types whose mixing it refuses.
fn category(t: &DataType) -> Option<char> {
    match t {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => Some('N'),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Some('S'),
        DataType::Boolean => Some('B'),
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => Some('D'),
        DataType::Interval(_) | DataType::Duration(_) => Some('T'),
        _ => None,
    }
}

/// The PostgreSQL name of a type for the message (an int4-sized literal is `integer`).
fn pg_name(t: &DataType, small_literal: bool) -> String {
    match t {
        DataType::Int64 if small_literal => "integer".into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 => "integer".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Float32 => "real".into(),
        DataType::Float64 => "double precision".into(),
        DataType::Decimal128(..) | DataType::Decimal256(..) => "numeric".into(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(_, Some(_)) => "timestamp with time zone".into(),
        DataType::Timestamp(_, None) => "timestamp without time zone".into(),
        DataType::Interval(_) | DataType::Duration(_) => "interval".into(),
        other => other.to_string(),
    }
}
