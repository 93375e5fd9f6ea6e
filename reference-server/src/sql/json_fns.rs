//! The `->` and `->>` operators on json/jsonb (stored as text), as functions the operator
//! rewrite calls: a member by name (text key) or an element by position (integer key).

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::prelude::SessionContext;

use super::pg_udf::{RowFn, sql_err, text};
use crate::pgtypes::jsonb::{JsonKey, get};
use crate::pgtypes::pg_type_of;

/// `j -> k`: json (or jsonb, following `j`).
pub const GET_FN: &str = "pg_json_get";
/// `j ->> k`: text.
pub const GET_TEXT_FN: &str = "pg_json_get_text";

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(
        RowFn::new(GET_FN, coerce, |_| Ok(DataType::Utf8), get_json)
            .tagged(tag)
            .udf(),
    );
    ctx.register_udf(RowFn::new(GET_TEXT_FN, coerce, |_| Ok(DataType::Utf8), get_text).udf());
}

fn coerce(args: &[DataType]) -> DfResult<Vec<DataType>> {
    match args {
        [_, key] => Ok(vec![
            DataType::Utf8,
            if key.is_integer() {
                DataType::Int64
            } else {
                DataType::Utf8
            },
        ]),
        _ => Err(sql_err(
            "42883",
            "operator does not exist: -> with these arguments",
        )),
    }
}

/// `->` keeps its operand's type: json gives json, jsonb (and untyped text) jsonb.
fn tag(fields: &[FieldRef]) -> Option<String> {
    let json = fields
        .first()
        .is_some_and(|f| pg_type_of(f).ty == postgres_types::Type::JSON);
    Some(if json { "json" } else { "jsonb" }.to_owned())
}

fn lookup(args: &[ScalarValue], as_text: bool) -> DfResult<ScalarValue> {
    let (Some(doc), Some(key)) = (args.first().and_then(text), args.get(1)) else {
        return Ok(ScalarValue::Utf8(None));
    };
    let key = match key {
        ScalarValue::Int64(Some(i)) => JsonKey::Index(*i),
        other => match text(other) {
            Some(k) => JsonKey::Member(k),
            None => return Ok(ScalarValue::Utf8(None)),
        },
    };
    let found = get(doc, key, as_text).map_err(|e| {
        datafusion::common::DataFusionError::External(Box::new(crate::sql::SqlError::from(e)))
    })?;
    Ok(ScalarValue::Utf8(found))
}

fn get_json(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    lookup(args, false)
}

fn get_text(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    lookup(args, true)
}
