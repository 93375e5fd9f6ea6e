//! `json_agg(x [ORDER BY ...])` and `jsonb_agg(x ...)`: the values as a JSON array, NULLs
//! as `null`, written as PostgreSQL prints them (`["apple", "pear"]`). Planned as
//! `array_agg` of each value's JSON text (keeping DISTINCT, ORDER BY and FILTER), joined
//! by a row function typed json / jsonb.

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName, ObjectNamePart,
};

use super::pg_udf::{RowFn, sql_err, text};

const VALUE_FN: &str = "pg_json_agg_value";
const JSON_FN: &str = "pg_json_agg_array";
const JSONB_FN: &str = "pg_jsonb_agg_array";

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(
        RowFn::new(VALUE_FN, |a| Ok(a.to_vec()), |_| Ok(DataType::Utf8), value)
            .non_strict()
            .udf(),
    );
    ctx.register_udf(
        RowFn::new(JSON_FN, list_arg, |_| Ok(DataType::Utf8), array)
            .tagged(|_| Some("json".into()))
            .udf(),
    );
    ctx.register_udf(
        RowFn::new(JSONB_FN, list_arg, |_| Ok(DataType::Utf8), array)
            .tagged(|_| Some("jsonb".into()))
            .udf(),
    );
}

/// Rewrite one `json_agg` / `jsonb_agg` call in place; other expressions are left alone.
pub fn rewrite(e: &mut Expr) {
    let Expr::Function(f) = e else { return };
    let wrapper = match f.name.0.last().and_then(|p| p.as_ident()) {
        Some(i) if f.name.0.len() == 1 && i.value.eq_ignore_ascii_case("json_agg") => JSON_FN,
        Some(i) if f.name.0.len() == 1 && i.value.eq_ignore_ascii_case("jsonb_agg") => JSONB_FN,
        _ => return,
    };
    if f.over.is_some() {
        return;
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_mut_slice() else {
        return;
    };
    let value = std::mem::replace(
        arg,
        Expr::value(datafusion::sql::sqlparser::ast::Value::Null),
    );
    *arg = super::rewrite::call(VALUE_FN, vec![value]);
    f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new("array_agg"))]);
    let agg = std::mem::replace(e, Expr::value(datafusion::sql::sqlparser::ast::Value::Null));
    *e = super::rewrite::call(wrapper, vec![agg]);
}

fn list_arg(args: &[DataType]) -> DfResult<Vec<DataType>> {
    match args {
        [t @ DataType::List(_)] => Ok(vec![t.clone()]),
        [DataType::Null] => Ok(vec![DataType::List(FieldRef::new(Field::new_list_field(
            DataType::Utf8,
            true,
        )))]),
        _ => Err(sql_err("42883", "function json_agg does not exist")),
    }
}

/// The collected JSON texts as one array.
fn array(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    let Some(ScalarValue::List(list)) = args.first() else {
        return Ok(ScalarValue::Utf8(None));
    };
    let items = ScalarValue::convert_array_to_scalar_vec(list.as_ref())?;
    let Some(Some(values)) = items.into_iter().next() else {
        return Ok(ScalarValue::Utf8(None));
    };
    let parts: Vec<&str> = values.iter().map(|v| text(v).unwrap_or("null")).collect();
    Ok(ScalarValue::Utf8(Some(format!("[{}]", parts.join(", ")))))
}

/// One value as JSON text: numbers and booleans bare, NULL as `null`, anything else as a
/// JSON string of its text.
fn value(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    let Some(v) = args.first() else {
        return Ok(ScalarValue::Utf8(Some("null".into())));
    };
    if v.is_null() {
        return Ok(ScalarValue::Utf8(Some("null".into())));
    }
    let t = v.data_type();
    let shown = v.to_string();
    let json = if t.is_integer() || matches!(t, DataType::Decimal128(..) | DataType::Boolean) {
        shown
    } else if t.is_floating() {
        match v {
            ScalarValue::Float64(Some(f)) if f.is_finite() => f.to_string(),
            ScalarValue::Float32(Some(f)) if f.is_finite() => f.to_string(),
            _ => quote(&shown),
        }
    } else {
        quote(text(v).unwrap_or(&shown))
    };
    Ok(ScalarValue::Utf8(Some(json)))
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}
