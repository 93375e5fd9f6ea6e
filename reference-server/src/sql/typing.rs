//! PostgreSQL's typing of literals and parameters, applied to DataFusion's logical plan
//! before DataFusion coerces types.
//!
//! DataFusion types every integer literal as `Int64`; PostgreSQL types it `integer` when it
//! fits (`SELECT 1` is int4, `int4col + 1` stays int4, `$1 + 1` makes `$1` int4). A
//! parameter cast directly (`$1::int`) takes the cast's type, and a parameter the client
//! declared in Parse takes that type.

use std::sync::Arc;

use crate::pgtypes::FormatSettings;

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result as DfResult, ScalarValue, TableReference};
use datafusion::logical_expr::expr::{Placeholder, ScalarFunction};
use datafusion::logical_expr::{
    Aggregate, BinaryExpr, Cast, Distinct, Expr, ExprSchemable, LogicalPlan, Projection,
    TypeSignature, Union, Values, Window, WindowFunctionDefinition,
};

/// Retype integer literals and parameters as PostgreSQL does, and give parameters the
/// client declared (`declared[i]` for `$i+1`) their type.
pub fn retype_plan(
    plan: LogicalPlan,
    declared: &[Option<DataType>],
    fmt: &FormatSettings,
) -> DfResult<LogicalPlan> {
    let cx = Cx { declared, fmt };
    // A recursive CTE's work table keeps the types its first planning gave it; retyping
    // only one side would make the two terms disagree. A parameter cast directly still takes
    // the cast's type (asyncpg's type introspection: `any($1::oid[])`), which changes no
    // schema.
    if has_recursive_query(&plan)? {
        return Ok(plan
            .transform_up_with_subqueries(|node| {
                node.map_expressions(|e| e.transform_up(infer_placeholders))
            })?
            .data);
    }
    let plan = plan
        .transform_up_with_subqueries(|node| retype_node(node, &cx))?
        .data;
    signed_results(plan)
}

/// What retyping needs from the statement and the session.
struct Cx<'a> {
    /// `declared[i]` is `$i+1`'s type, when the client gave one.
    declared: &'a [Option<DataType>],
    /// DateStyle and TimeZone, for reading date/time literals as PostgreSQL does.
    fmt: &'a FormatSettings,
}

/// PostgreSQL has no unsigned integers: `row_number()`, `rank()` and friends are bigint
/// (DataFusion: UInt64), so a query's unsigned result columns are cast to signed ones.
/// UInt32 stays: it is how the server stores `oid`, which the wire reports as such.
fn signed_results(plan: LogicalPlan) -> DfResult<LogicalPlan> {
    use datafusion::common::Column;
    let is_query = !matches!(
        plan,
        LogicalPlan::Dml(_)
            | LogicalPlan::Ddl(_)
            | LogicalPlan::Explain(_)
            | LogicalPlan::Analyze(_)
            | LogicalPlan::Statement(_)
            | LogicalPlan::DescribeTable(_)
            | LogicalPlan::Copy(_)
    );
    let signed = |t: &DataType| match t {
        DataType::UInt8 => Some(DataType::Int16),
        DataType::UInt16 => Some(DataType::Int32),
        DataType::UInt64 => Some(DataType::Int64),
        _ => None,
    };
    if !is_query
        || !plan
            .schema()
            .fields()
            .iter()
            .any(|f| signed(f.data_type()).is_some())
    {
        return Ok(plan);
    }
    let exprs =
        plan.schema()
            .iter()
            .map(|(q, f)| {
                let col = Expr::Column(Column::new(q.cloned(), f.name()));
                match signed(f.data_type()) {
                    Some(t) => Expr::Cast(Cast::new(Box::new(col), t))
                        .alias_qualified(q.cloned(), f.name()),
                    None => col,
                }
            })
            .collect();
    Ok(LogicalPlan::Projection(Projection::try_new(
        exprs,
        Arc::new(plan),
    )?))
}

fn has_recursive_query(plan: &LogicalPlan) -> DfResult<bool> {
    let mut found = false;
    plan.apply_with_subqueries(|p| {
        found = matches!(p, LogicalPlan::RecursiveQuery(_));
        Ok(if found {
            TreeNodeRecursion::Stop
        } else {
            TreeNodeRecursion::Continue
        })
    })?;
    Ok(found)
}

fn retype_node(node: LogicalPlan, cx: &Cx<'_>) -> DfResult<Transformed<LogicalPlan>> {
    // Every node is rebuilt: a child's narrower type changes the parent's schema too.
    let out = match node {
        // LIMIT/OFFSET must stay Int64 literals for DataFusion.
        LogicalPlan::Limit(_) | LogicalPlan::Distinct(Distinct::On(_)) => {
            return Ok(Transformed::no(node));
        }
        LogicalPlan::Values(v) => retype_values(v, cx)?,
        LogicalPlan::Projection(p) => {
            let expr = retype_named(p.expr, cx, p.input.schema())?;
            LogicalPlan::Projection(Projection::try_new(expr, p.input)?)
        }
        LogicalPlan::Aggregate(a) => {
            let group = retype_named(a.group_expr, cx, a.input.schema())?;
            let aggr = retype_named(a.aggr_expr, cx, a.input.schema())?
                .into_iter()
                .map(|e| pg_aggregate_result(e, a.input.schema()))
                .collect::<DfResult<Vec<_>>>()?;
            LogicalPlan::Aggregate(Aggregate::try_new(a.input, group, aggr)?)
        }
        LogicalPlan::Window(w) => {
            let exprs = retype_named(w.window_expr, cx, w.input.schema())?
                .into_iter()
                .map(|e| pg_window_result(e, w.input.schema()))
                .collect::<DfResult<Vec<_>>>()?;
            LogicalPlan::Window(Window::try_new(exprs, w.input)?)
        }
        LogicalPlan::Union(u) => LogicalPlan::Union(Union::try_new_with_loose_types(
            super::numeric_mix::union_inputs(u.inputs)?,
        )?),
        other => {
            let inputs = other.inputs();
            let schema = match inputs.as_slice() {
                [one] => Arc::clone(one.schema()),
                _ => Arc::new(DFSchema::empty()),
            };
            other
                .map_expressions(|e| retype_expr(e, cx, &schema))?
                .data
                .recompute_schema()?
        }
    };
    Ok(Transformed::yes(out))
}

/// The argument type that makes DataFusion's `avg` of integers return
/// [`crate::pgtypes::QUOTIENT`] (precision and scale + 4), shown with PostgreSQL's scale.
const AVG_OF_INTEGERS: DataType = DataType::Decimal128(33, 13);

/// Make `sum` and `avg` return PostgreSQL's types: `sum(bigint)` and `avg` of integers or
/// numerics are `numeric` (DataFusion: Int64 that may overflow, and float8), computed by
/// casting the argument to a decimal. The output keeps its name.
fn pg_aggregate_result(e: Expr, input: &DFSchema) -> DfResult<Expr> {
    let name = e.schema_name().to_string();
    let (inner, alias) = match e {
        Expr::Alias(a) => (*a.expr, Some((a.relation, a.name))),
        other => (other, None),
    };
    let Expr::AggregateFunction(mut af) = inner else {
        return Ok(restore(inner, alias));
    };
    let target = numeric_argument(af.func.name(), af.params.args.first(), input)?;
    let Some(target) = target else {
        return Ok(restore(Expr::AggregateFunction(af), alias));
    };
    if let Some(arg) = af.params.args.first_mut() {
        let a = std::mem::replace(arg, Expr::Literal(ScalarValue::Null, None));
        *arg = Expr::Cast(Cast::new(Box::new(a), target));
    }
    Ok(restore(
        Expr::AggregateFunction(af),
        Some(alias.unwrap_or((None, name))),
    ))
}

/// The decimal type `sum`/`avg`'s argument is cast to for PostgreSQL's result type.
fn numeric_argument(
    func: &str,
    arg: Option<&Expr>,
    input: &DFSchema,
) -> DfResult<Option<DataType>> {
    let Some(arg) = arg else {
        return Ok(None);
    };
    let fname = func.to_ascii_lowercase();
    Ok(match (fname.as_str(), arg.get_type(input)?) {
        ("sum", DataType::Int64) => Some(DataType::Decimal128(38, 0)),
        ("avg", DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64) => {
            Some(AVG_OF_INTEGERS)
        }
        ("avg", DataType::Decimal128(_, s)) if s <= 12 => Some(DataType::Decimal128(38, 12)),
        _ => None,
    })
}

/// `sum` and `avg` as window functions: the same result types as [`pg_aggregate_result`].
fn pg_window_result(e: Expr, input: &DFSchema) -> DfResult<Expr> {
    let name = e.schema_name().to_string();
    let (inner, alias) = match e {
        Expr::Alias(a) => (*a.expr, Some((a.relation, a.name))),
        other => (other, None),
    };
    let Expr::WindowFunction(mut wf) = inner else {
        return Ok(restore(inner, alias));
    };
    let target = match &wf.fun {
        WindowFunctionDefinition::AggregateUDF(f) => {
            numeric_argument(f.name(), wf.params.args.first(), input)?
        }
        WindowFunctionDefinition::WindowUDF(_) => None,
    };
    let (Some(target), Some(arg)) = (target, wf.params.args.first_mut()) else {
        return Ok(restore(Expr::WindowFunction(wf), alias));
    };
    let a = std::mem::replace(arg, Expr::Literal(ScalarValue::Null, None));
    *arg = Expr::Cast(Cast::new(Box::new(a), target));
    Ok(restore(
        Expr::WindowFunction(wf),
        Some(alias.unwrap_or((None, name))),
    ))
}

fn restore(e: Expr, alias: Option<(Option<TableReference>, String)>) -> Expr {
    match alias {
        Some((relation, name)) => e.alias_qualified(relation, name),
        None => e,
    }
}

/// Retype expressions whose names become output column names, keeping those names (a
/// parent refers to `Int64(1)` by name).
fn retype_named(exprs: Vec<Expr>, cx: &Cx<'_>, schema: &DFSchema) -> DfResult<Vec<Expr>> {
    exprs
        .into_iter()
        .map(|e| {
            let name = e.schema_name().to_string();
            let t = retype_expr(e, cx, schema)?;
            if !t.transformed {
                return Ok(t.data);
            }
            let new = t.data;
            if new.schema_name().to_string() == name {
                Ok(new)
            } else {
                Ok(new.alias(name))
            }
        })
        .collect()
}

/// `VALUES` rows: retype the cells, then give a column the narrower type when all its
/// cells now have it (DataFusion fixed the column types when it planned the rows).
fn retype_values(v: Values, cx: &Cx<'_>) -> DfResult<LogicalPlan> {
    let mut changed = false;
    let rows = v
        .values
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|e| {
                    let t = retype_expr(e, cx, &DFSchema::empty())?;
                    changed |= t.transformed;
                    Ok(t.data)
                })
                .collect::<DfResult<Vec<_>>>()
        })
        .collect::<DfResult<Vec<_>>>()?;
    if !changed {
        return Ok(LogicalPlan::Values(Values {
            schema: v.schema,
            values: rows,
        }));
    }
    let empty = DFSchema::empty();
    let fields = v
        .schema
        .iter()
        .enumerate()
        .map(|(i, (q, f))| {
            let narrowed = f.data_type() == &DataType::Int64
                && rows.iter().all(|r| {
                    r.get(i).is_some_and(|e| {
                        is_null_literal(e)
                            || matches!(e.get_type(&empty), Ok(DataType::Int32 | DataType::Null))
                    })
                });
            let field = if narrowed {
                Arc::new(f.as_ref().clone().with_data_type(DataType::Int32))
            } else {
                f.clone()
            };
            (q.cloned(), field)
        })
        .collect();
    let schema = DFSchema::new_with_metadata(fields, v.schema.metadata().clone())?;
    // Every cell gets its column's type, so the rows build one Arrow array per column.
    let rows = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .zip(schema.fields())
                .map(|(e, f)| conform(e, f.data_type()))
                .collect::<DfResult<Vec<_>>>()
        })
        .collect::<DfResult<Vec<_>>>()?;
    Ok(LogicalPlan::Values(Values {
        schema: Arc::new(schema),
        values: rows,
    }))
}

/// A NULL cell, which DataFusion typed as its column's type when it planned the rows: it
/// takes whatever type the other cells narrow to.
/// (`NULL::bigint` is a cast, and keeps its column bigint).
fn is_null_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(v, _) if v.is_null())
}

/// A VALUES cell as its column's type: a NULL literal becomes that type's NULL, other cells
/// of another type are cast.
fn conform(e: Expr, ty: &DataType) -> DfResult<Expr> {
    let empty = DFSchema::empty();
    match e.get_type(&empty) {
        Ok(t) if &t == ty => Ok(e),
        _ => match e {
            Expr::Literal(v, meta) if v.is_null() => {
                Ok(Expr::Literal(ScalarValue::try_from(ty)?, meta))
            }
            other => Ok(Expr::Cast(Cast::new(Box::new(other), ty.clone()))),
        },
    }
}

/// Retype one expression tree.
fn retype_expr(e: Expr, cx: &Cx<'_>, schema: &DFSchema) -> DfResult<Transformed<Expr>> {
    e.transform_down(|e| match e {
        Expr::Literal(ScalarValue::Int64(Some(v)), meta) => match i32::try_from(v) {
            Ok(small) => Ok(Transformed::yes(Expr::Literal(
                ScalarValue::Int32(Some(small)),
                meta,
            ))),
            Err(_) => Ok(Transformed::no(Expr::Literal(
                ScalarValue::Int64(Some(v)),
                meta,
            ))),
        },
        Expr::Placeholder(p) => Ok(declare_placeholder(p, cx.declared)),
        // date ± interval is a timestamp in PostgreSQL (DataFusion keeps a date).
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(
                op,
                datafusion::logical_expr::Operator::Plus
                    | datafusion::logical_expr::Operator::Minus
            ) && is_date_and_interval(&left, &right, schema) =>
        {
            let as_ts = |e: Box<Expr>| match e.get_type(schema) {
                Ok(DataType::Date32) => Box::new(Expr::Cast(Cast::new(
                    e,
                    DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Microsecond, None),
                ))),
                _ => e,
            };
            Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr {
                left: as_ts(left),
                op,
                right: as_ts(right),
            })))
        }
        // float8 division by zero is an error in PostgreSQL, not infinity.
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: datafusion::logical_expr::Operator::Divide,
            right,
        }) if is_float(&left, schema) || is_float(&right, schema) => {
            let divisor = super::math_errors::checked_divisor(*right);
            Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr {
                left,
                op: datafusion::logical_expr::Operator::Divide,
                right: Box::new(divisor),
            })))
        }
        Expr::Cast(c)
            if matches!(c.field.data_type(), DataType::Interval(_))
                && matches!(
                    c.expr.get_type(schema),
                    Ok(DataType::Time64(_) | DataType::Time32(_))
                ) =>
        {
            Ok(Transformed::yes(super::time_interval::cast_expr(*c.expr)))
        }
        Expr::Cast(c) if super::literals::is_text_literal(&c.expr) => {
            super::literals::fold_text_cast(c, cx.fmt)
        }
        // PostgreSQL rounds a float or numeric cast to an integer (2.5::int is 3); Arrow
        // truncates.
        Expr::Cast(c)
            if c.field.data_type().is_integer()
                && matches!(
                    c.expr.get_type(schema),
                    Ok(DataType::Float16
                        | DataType::Float32
                        | DataType::Float64
                        | DataType::Decimal128(..)
                        | DataType::Decimal256(..))
                ) =>
        {
            let rounded = datafusion::functions::math::expr_fn::round(vec![*c.expr]);
            Ok(Transformed::yes(Expr::Cast(Cast::new_from_field(
                Box::new(rounded),
                c.field,
            ))))
        }
        Expr::Cast(c) if matches!(c.field.data_type(), DataType::List(_)) => {
            match c.expr.get_type(schema) {
                Ok(from) => match super::array_round::rewrite(c, &from) {
                    Ok(e) => Ok(Transformed::yes(e)),
                    Err(c) => Ok(Transformed::no(Expr::Cast(c))),
                },
                Err(_) => Ok(Transformed::no(Expr::Cast(c))),
            }
        }
        // `count(Int64(1))` (DataFusion's `count(*)`) and window arguments that are bare
        // literals are left alone: DataFusion recognises the one and reads offsets
        // (`lag(x, 1)`) of the other as Int64.
        Expr::AggregateFunction(mut af) if af.func.name() == "count" => {
            let mut changed = false;
            af.params.args = retype_args(af.params.args, cx, schema, &mut changed)?;
            if let Some(f) = af.params.filter.take() {
                let t = retype_expr(*f, cx, schema)?;
                changed |= t.transformed;
                af.params.filter = Some(Box::new(t.data));
            }
            af.params.order_by = retype_sorts(af.params.order_by, cx, schema, &mut changed)?;
            Ok(jump(Expr::AggregateFunction(af), changed))
        }
        Expr::WindowFunction(mut wf) => {
            let mut changed = false;
            let params = &mut wf.params;
            params.args = retype_args(std::mem::take(&mut params.args), cx, schema, &mut changed)?;
            params.partition_by = retype_args(
                std::mem::take(&mut params.partition_by),
                cx,
                schema,
                &mut changed,
            )?;
            params.order_by = retype_sorts(
                std::mem::take(&mut params.order_by),
                cx,
                schema,
                &mut changed,
            )?;
            Ok(jump(Expr::WindowFunction(wf), changed))
        }
        other => Ok(Transformed::no(other)),
    })
    .and_then(|t| {
        let changed = t.transformed;
        let out = t.data.transform_up(infer_placeholders)?;
        constant_int(&out.data)?;
        let typed = out
            .data
            .transform_up(|e| super::pg_result_types::retype(e, schema))?;
        Ok(Transformed::new_transformed(
            typed.data,
            changed || out.transformed || typed.transformed,
        ))
    })
}

/// `date + interval`, `interval + date` or `date - interval`.
fn is_float(e: &Expr, schema: &DFSchema) -> bool {
    matches!(
        e.get_type(schema),
        Ok(DataType::Float64 | DataType::Float32 | DataType::Float16)
    )
}

fn is_date_and_interval(left: &Expr, right: &Expr, schema: &DFSchema) -> bool {
    let interval = |t: &DataType| matches!(t, DataType::Interval(_));
    match (left.get_type(schema), right.get_type(schema)) {
        (Ok(DataType::Date32), Ok(r)) => interval(&r),
        (Ok(l), Ok(DataType::Date32)) => interval(&l),
        _ => false,
    }
}

/// An integer constant and its width in bits (16 smallint, 32 integer, 64 bigint).
type IntConst = Option<(i64, u8)>;

/// Evaluate integer-constant arithmetic with PostgreSQL's overflow checks (DataFusion
/// folds it with wrapping): `2147483647 + 1` is 22003 "integer out of range", and
/// `32767::smallint + 1::smallint` "smallint out of range".
fn constant_int(e: &Expr) -> DfResult<IntConst> {
    use datafusion::logical_expr::Operator;
    Ok(match e {
        Expr::Literal(ScalarValue::Int16(Some(v)), _) => Some((i64::from(*v), 16)),
        Expr::Literal(ScalarValue::Int32(Some(v)), _) => Some((i64::from(*v), 32)),
        Expr::Literal(ScalarValue::Int64(Some(v)), _) => Some((*v, 64)),
        // `2147483647::int`: the constant, checked against the cast's range.
        Expr::Cast(c) => {
            let bits = match c.field.data_type() {
                DataType::Int16 => 16,
                DataType::Int32 => 32,
                DataType::Int64 => 64,
                _ => return Ok(None),
            };
            match constant_int(&c.expr)? {
                Some((v, _)) => Some((checked(Some(v), bits)?, bits)),
                None => None,
            }
        }
        Expr::Negative(inner) => match constant_int(inner)? {
            Some((v, bits)) => Some((checked(v.checked_neg(), bits)?, bits)),
            None => None,
        },
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (l, r) = (constant_int(left)?, constant_int(right)?);
            let (Some((a, a_bits)), Some((b, b_bits))) = (l, r) else {
                return Ok(None);
            };
            let bits = a_bits.max(b_bits);
            let v = match op {
                Operator::Plus => a.checked_add(b),
                Operator::Minus => a.checked_sub(b),
                Operator::Multiply => a.checked_mul(b),
                _ => return Ok(None),
            };
            Some((checked(v, bits)?, bits))
        }
        _ => None,
    })
}

fn checked(v: Option<i64>, bits: u8) -> DfResult<i64> {
    let (in_range, name) = match bits {
        16 => (v.is_some_and(|v| i16::try_from(v).is_ok()), "smallint"),
        32 => (v.is_some_and(|v| i32::try_from(v).is_ok()), "integer"),
        _ => (v.is_some(), "bigint"),
    };
    match v {
        Some(v) if in_range => Ok(v),
        _ => Err(datafusion::common::DataFusionError::External(Box::new(
            super::SqlError::new("22003", format!("{name} out of range")),
        ))),
    }
}

fn jump(e: Expr, changed: bool) -> Transformed<Expr> {
    Transformed::new(e, changed, TreeNodeRecursion::Jump)
}

fn retype_args(
    args: Vec<Expr>,
    cx: &Cx<'_>,
    schema: &DFSchema,
    changed: &mut bool,
) -> DfResult<Vec<Expr>> {
    args.into_iter()
        .map(|a| {
            if matches!(a, Expr::Literal(..)) {
                return Ok(a);
            }
            let t = retype_expr(a, cx, schema)?;
            *changed |= t.transformed;
            Ok(t.data)
        })
        .collect()
}

fn retype_sorts(
    sorts: Vec<datafusion::logical_expr::SortExpr>,
    cx: &Cx<'_>,
    schema: &DFSchema,
    changed: &mut bool,
) -> DfResult<Vec<datafusion::logical_expr::SortExpr>> {
    sorts
        .into_iter()
        .map(|mut s| {
            let t = retype_expr(s.expr, cx, schema)?;
            *changed |= t.transformed;
            s.expr = t.data;
            Ok(s)
        })
        .collect()
}

/// A parameter the client declared a type for takes it.
fn declare_placeholder(p: Placeholder, declared: &[Option<DataType>]) -> Transformed<Expr> {
    let declared_type =
        p.id.strip_prefix('$')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| declared.get(i).cloned().flatten());
    match declared_type {
        Some(dt) if p.field.as_ref().map(|f| f.data_type()) != Some(&dt) => {
            let field = Arc::new(Field::new(p.id.clone(), dt, true));
            Transformed::yes(Expr::Placeholder(Placeholder::new_with_field(
                p.id,
                Some(field),
            )))
        }
        _ => Transformed::no(Expr::Placeholder(p)),
    }
}

/// `$1::int` makes `$1` an integer; `$1 + 1` (an integer literal) makes `$1` an integer.
fn infer_placeholders(e: Expr) -> DfResult<Transformed<Expr>> {
    match e {
        Expr::Cast(Cast { expr, field }) => match *expr {
            Expr::Placeholder(p) if p.field.is_none() => {
                let typed = Arc::new(Field::new(p.id.clone(), field.data_type().clone(), true));
                Ok(Transformed::yes(Expr::Cast(Cast::new_from_field(
                    Box::new(Expr::Placeholder(Placeholder::new_with_field(
                        p.id,
                        Some(typed),
                    ))),
                    field,
                ))))
            }
            other => Ok(Transformed::no(Expr::Cast(Cast::new_from_field(
                Box::new(other),
                field,
            )))),
        },
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (left, l) = narrow_placeholder(*left, &right);
            let (right, r) = narrow_placeholder(*right, &left);
            Ok(Transformed::new_transformed(
                Expr::BinaryExpr(BinaryExpr::new(Box::new(left), op, Box::new(right))),
                l || r,
            ))
        }
        Expr::ScalarFunction(mut f) => {
            let changed = type_function_placeholders(&mut f);
            Ok(Transformed::new_transformed(
                Expr::ScalarFunction(f),
                changed,
            ))
        }
        other => Ok(Transformed::no(other)),
    }
}

/// An untyped `$n` given to a function takes the type the function's signature wants there,
/// as PostgreSQL resolves `pg_terminate_backend($1)` or `my_sql_function($1)`: the only (or
/// first) exact signature of that arity, or what a user-defined coercion asks for.
fn type_function_placeholders(f: &mut ScalarFunction) -> bool {
    let untyped = |a: &Expr| matches!(a, Expr::Placeholder(p) if p.field.is_none());
    if !f.args.iter().any(untyped) {
        return false;
    }
    let n = f.args.len();
    let exact = |sig: &TypeSignature| match sig {
        TypeSignature::Exact(types) if types.len() == n => Some(types.clone()),
        _ => None,
    };
    let wanted = match &f.func.signature().type_signature {
        TypeSignature::OneOf(sigs) => sigs.iter().find_map(exact),
        TypeSignature::UserDefined => {
            let given: Vec<DataType> = f
                .args
                .iter()
                .map(|a| match a {
                    Expr::Placeholder(p) => p
                        .field
                        .as_ref()
                        .map_or(DataType::Null, |f| f.data_type().clone()),
                    Expr::Literal(v, _) => v.data_type(),
                    _ => DataType::Null,
                })
                .collect();
            // Only where every argument's type is known (else the coercion could guess).
            let known = f
                .args
                .iter()
                .all(|a| matches!(a, Expr::Placeholder(_) | Expr::Literal(..)));
            known.then(|| f.func.coerce_types(&given).ok()).flatten()
        }
        sig => exact(sig),
    };
    let Some(wanted) = wanted else {
        return false;
    };
    let mut changed = false;
    for (arg, dt) in f.args.iter_mut().zip(wanted) {
        if let Expr::Placeholder(p) = arg
            && p.field.is_none()
            && !dt.is_null()
        {
            p.field = Some(Arc::new(Field::new(p.id.clone(), dt, true)));
            changed = true;
        }
    }
    changed
}

/// A placeholder typed Int64 from an integer literal that is now Int32 follows it.
fn narrow_placeholder(e: Expr, other: &Expr) -> (Expr, bool) {
    match e {
        Expr::Placeholder(p)
            if matches!(other, Expr::Literal(ScalarValue::Int32(_), _))
                && p.field
                    .as_ref()
                    .is_some_and(|f| f.data_type() == &DataType::Int64) =>
        {
            let field = Arc::new(Field::new(p.id.clone(), DataType::Int32, true));
            (
                Expr::Placeholder(Placeholder::new_with_field(p.id, Some(field))),
                true,
            )
        }
        other => (other, false),
    }
}
