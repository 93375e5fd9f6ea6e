//! One result mixing integer and numeric values (`CASE … THEN 1 ELSE 2.5`, `COALESCE(1,
//! 2.5)`, `GREATEST`, `LEAST`, `SELECT 1 UNION SELECT 2.5`): PostgreSQL's result is numeric
//! and each value keeps its own scale (`1`, `2.5`). DataFusion gives the column the
//! decimal's scale (`1.0`). Casting every branch to unconstrained numeric, whose output
//! drops trailing zeros, prints integers as integers — at the cost of a decimal written with
//! trailing zeros in such a mix (`2.50` shows `2.5`).

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, DFSchema, Result as DfResult};
use datafusion::logical_expr::expr::{Case, ScalarFunction};
use datafusion::logical_expr::{Cast, Expr, ExprSchemable, LogicalPlan, Projection};

use crate::pgtypes::UNCONSTRAINED_NUMERIC;

/// Whether the types mix integers and decimals (and nothing else but NULL).
fn mixed(types: &[DataType]) -> bool {
    let decimal = |t: &DataType| matches!(t, DataType::Decimal128(..));
    types.iter().any(decimal)
        && types.iter().any(DataType::is_integer)
        && types
            .iter()
            .all(|t| decimal(t) || t.is_integer() || t == &DataType::Null)
}

fn unconstrained(e: Expr) -> Expr {
    Expr::Cast(Cast::new(Box::new(e), UNCONSTRAINED_NUMERIC))
}

/// `CASE` whose results mix integers and numerics, with every result numeric.
pub fn case(c: Case, schema: &DFSchema) -> Result<Expr, Case> {
    let results: Vec<&Expr> = c
        .when_then_expr
        .iter()
        .map(|(_, t)| t.as_ref())
        .chain(c.else_expr.as_deref())
        .collect();
    let types: Option<Vec<DataType>> = results.iter().map(|e| e.get_type(schema).ok()).collect();
    if !types.is_some_and(|t| mixed(&t)) {
        return Err(c);
    }
    Ok(Expr::Case(Case {
        expr: c.expr,
        when_then_expr: c
            .when_then_expr
            .into_iter()
            .map(|(w, t)| (w, Box::new(unconstrained(*t))))
            .collect(),
        else_expr: c.else_expr.map(|e| Box::new(unconstrained(*e))),
    }))
}

/// `COALESCE`, `GREATEST` or `LEAST` of integers and numerics, with numeric arguments.
pub fn variadic(f: ScalarFunction, schema: &DFSchema) -> Result<Expr, ScalarFunction> {
    let name = f.func.name().to_ascii_lowercase();
    if !matches!(name.as_str(), "coalesce" | "greatest" | "least") {
        return Err(f);
    }
    let types: Option<Vec<DataType>> = f.args.iter().map(|e| e.get_type(schema).ok()).collect();
    if !types.is_some_and(|t| mixed(&t)) {
        return Err(f);
    }
    let args = f.args.into_iter().map(unconstrained).collect();
    Ok(Expr::ScalarFunction(ScalarFunction::new_udf(f.func, args)))
}

/// UNION inputs whose columns mix integers and numerics, each such column cast to numeric.
pub fn union_inputs(inputs: Vec<Arc<LogicalPlan>>) -> DfResult<Vec<Arc<LogicalPlan>>> {
    let width = inputs.first().map_or(0, |p| p.schema().fields().len());
    let mixed_columns: Vec<bool> = (0..width)
        .map(|i| {
            let types: Vec<DataType> = inputs
                .iter()
                .filter_map(|p| p.schema().fields().get(i).map(|f| f.data_type().clone()))
                .collect();
            mixed(&types)
        })
        .collect();
    if !mixed_columns.contains(&true) {
        return Ok(inputs);
    }
    inputs
        .into_iter()
        .map(|input| {
            let exprs = input
                .schema()
                .iter()
                .zip(&mixed_columns)
                .map(|((q, f), mix)| {
                    let col = Expr::Column(Column::new(q.cloned(), f.name()));
                    if *mix && f.data_type() != &UNCONSTRAINED_NUMERIC {
                        unconstrained(col).alias_qualified(q.cloned(), f.name())
                    } else {
                        col
                    }
                })
                .collect();
            Ok(Arc::new(LogicalPlan::Projection(Projection::try_new(
                exprs, input,
            )?)))
        })
        .collect()
}
