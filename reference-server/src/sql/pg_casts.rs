//! Casts to the PostgreSQL types stored as text (`uuid`, `json`, `jsonb`, `inet`, `cidr`,
//! `varchar(n)`, `char(n)`): DataFusion has no such SQL types ("Unsupported SQL type UUID")
//! or ignores their length, so `x::uuid` becomes `pg_text_cast(x, 'uuid')`, which reads the
//! text with the type's own input function (22P02 on bad input, as PostgreSQL) and tags the
//! result with the type, exactly as columns of that type are stored.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, CastKind, CharacterLength, DataType as SqlType, Expr, FunctionArg,
    FunctionArgExpr, FunctionArguments, Value,
};
use postgres_types::Type;

use crate::pgtypes::{FormatSettings, PG_TYPE_KEY, PgColumnType, decode_text, from_sql_type};

/// The UDF the rewrite calls.
pub const CAST_FN: &str = "pg_text_cast";

/// Rewrite a cast to a text-stored type into a [`CAST_FN`] call, and make a `char(n)` value
/// lose its padding where PostgreSQL converts it to text (`::text`, `||`).
pub fn rewrite(e: &mut Expr) {
    if let Expr::BinaryOp {
        left,
        op: BinaryOperator::StringConcat,
        right,
    } = e
    {
        for side in [left, right] {
            if is_bpchar_cast(side) {
                let inner = std::mem::replace(side.as_mut(), Expr::value(Value::Null));
                **side = super::rewrite::call("rtrim", vec![inner]);
            }
        }
        return;
    }
    let Expr::Cast {
        kind,
        expr,
        data_type,
        format: None,
        ..
    } = e
    else {
        return;
    };
    if matches!(kind, CastKind::TryCast | CastKind::SafeCast) {
        return;
    }
    if let Some(bytes) = bytea_literal(expr, data_type) {
        *e = Expr::value(Value::HexStringLiteral(bytes));
        return;
    }
    if matches!(data_type, SqlType::Text) && is_bpchar_cast(expr) {
        let inner = std::mem::replace(expr.as_mut(), Expr::value(Value::Null));
        *e = super::rewrite::call("rtrim", vec![inner]);
        return;
    }
    let Some(name) = text_type_name(data_type) else {
        return;
    };
    let inner = std::mem::replace(expr.as_mut(), Expr::value(Value::Null));
    *e = super::rewrite::call(
        CAST_FN,
        vec![inner, Expr::value(Value::SingleQuotedString(name))],
    );
}

/// `'\x00ff'::bytea` and `'a\\b'::bytea`: a string literal read with byteain, as hex digits
/// (Arrow's cast would keep the text's own bytes). Bad input is left for the cast to handle.
fn bytea_literal(expr: &Expr, to: &SqlType) -> Option<String> {
    if !matches!(to, SqlType::Bytea) {
        return None;
    }
    let Expr::Value(v) = expr else { return None };
    let Value::SingleQuotedString(text) = &v.value else {
        return None;
    };
    let col = PgColumnType::new(Type::BYTEA);
    match decode_text(text, &col, &FormatSettings::default()).ok()? {
        ScalarValue::Binary(Some(b)) => Some(b.iter().map(|x| format!("{x:02x}")).collect()),
        _ => None,
    }
}

/// `x::char(n)` (before or after the rewrite).
fn is_bpchar_cast(e: &Expr) -> bool {
    match e {
        Expr::Cast { data_type, .. } => {
            matches!(data_type, SqlType::Char(_) | SqlType::Character(_))
        }
        Expr::Nested(inner) => is_bpchar_cast(inner),
        Expr::Function(f) if f.name.to_string() == CAST_FN => {
            let FunctionArguments::List(list) = &f.args else {
                return false;
            };
            list.args.iter().any(|a| {
                matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))
                    if matches!(&v.value, Value::SingleQuotedString(s) if s.starts_with("bpchar")))
            })
        }
        _ => false,
    }
}

/// The type name [`CAST_FN`] takes for a cast target stored as text, `None` for the others.
fn text_type_name(dt: &SqlType) -> Option<String> {
    let length = |len: &Option<CharacterLength>| match len {
        Some(CharacterLength::IntegerLength { length, .. }) => Some(*length),
        _ => None,
    };
    match dt {
        SqlType::Varchar(len) | SqlType::CharacterVarying(len) | SqlType::CharVarying(len) => {
            length(len).map(|n| format!("varchar({n})"))
        }
        SqlType::Char(len) | SqlType::Character(len) => {
            Some(format!("bpchar({})", length(len).unwrap_or(1)))
        }
        SqlType::Uuid | SqlType::JSON | SqlType::JSONB => {
            let (_, col) = from_sql_type(dt).ok()?;
            Some(col.type_name())
        }
        SqlType::Custom(..) => {
            let (_, col) = from_sql_type(dt).ok()?;
            matches!(
                col.ty,
                Type::UUID | Type::JSON | Type::JSONB | Type::INET | Type::CIDR
            )
            .then(|| col.type_name())
        }
        _ => None,
    }
}

/// `pg_text_cast(value, 'type')`: `value` as text, read by `type`'s input function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PgTextCast {
    signature: Signature,
}

impl PgTextCast {
    pub fn udf() -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            signature: Signature::any(2, Volatility::Immutable),
        })
    }
}

fn plan_err(m: &str) -> DataFusionError {
    DataFusionError::Plan(format!("{CAST_FN}: {m}"))
}

/// The target type named by the second (constant) argument.
fn target(arg: Option<&ScalarValue>) -> DfResult<PgColumnType> {
    let name = match arg {
        Some(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s))) => s,
        _ => return Err(plan_err("the type must be a constant")),
    };
    crate::pgtypes::parse_type_name(name).map_err(|e| plan_err(&e.to_string()))
}

/// One value as `col` reads it; `varchar(n)` truncates and `char(n)` truncates and pads, as
/// an explicit cast does in PostgreSQL.
fn convert(s: &str, col: &PgColumnType, fmt: &FormatSettings) -> DfResult<String> {
    if col.ty == Type::VARCHAR || col.ty == Type::BPCHAR {
        let n = col.char_length().unwrap_or(usize::MAX);
        let mut v: String = s.chars().take(n).collect();
        if col.ty == Type::BPCHAR {
            let len = v.chars().count();
            v.extend(std::iter::repeat_n(' ', n.saturating_sub(len)));
        }
        return Ok(v);
    }
    match decode_text(s, col, fmt) {
        Ok(ScalarValue::Utf8(Some(v))) => Ok(v),
        Ok(other) => Ok(other.to_string()),
        Err(e) => Err(DataFusionError::External(Box::new(
            crate::sql::SqlError::from(e),
        ))),
    }
}

impl ScalarUDFImpl for PgTextCast {
    fn name(&self) -> &str {
        CAST_FN
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        let col = target(args.scalar_arguments.get(1).copied().flatten())?;
        let meta = HashMap::from([(PG_TYPE_KEY.to_owned(), col.type_name())]);
        Ok(Arc::new(
            Field::new(self.name(), DataType::Utf8, true).with_metadata(meta),
        ))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let col = match args.args.get(1) {
            Some(ColumnarValue::Scalar(s)) => target(Some(s))?,
            _ => return Err(plan_err("the type must be a constant")),
        };
        let fmt = FormatSettings::default();
        match args.args.first() {
            Some(ColumnarValue::Scalar(s)) => {
                let text = s.cast_to(&DataType::Utf8)?;
                let out = match text {
                    ScalarValue::Utf8(Some(v)) => Some(convert(&v, &col, &fmt)?),
                    _ => None,
                };
                Ok(ColumnarValue::Scalar(ScalarValue::Utf8(out)))
            }
            Some(ColumnarValue::Array(a)) => {
                let text = datafusion::arrow::compute::cast(a, &DataType::Utf8)?;
                let text = text.as_string::<i32>();
                let out: StringArray = (0..text.len())
                    .map(|i| {
                        if text.is_null(i) {
                            Ok(None)
                        } else {
                            convert(text.value(i), &col, &fmt).map(Some)
                        }
                    })
                    .collect::<DfResult<_>>()?;
                Ok(ColumnarValue::Array(Arc::new(out) as ArrayRef))
            }
            None => Err(plan_err("expects two arguments")),
        }
    }
}
