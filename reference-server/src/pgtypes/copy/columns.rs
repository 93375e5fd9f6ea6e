//! Column accumulators for COPY FROM: common types go straight into Arrow builders (parsed
//! by [`super::fast`] when the text has a plain shape), every other type collects scalars.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float32Builder, Float64Builder, Int16Builder, Int32Builder, Int64Builder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::scalar::ScalarValue;
use postgres_types::Type;

use super::fast;
use crate::pgtypes::mapping::PgColumnType;

/// Rows of one column decoded and not yet taken.
pub(super) enum ColumnBuf {
    I16(Int16Builder),
    I32(Int32Builder),
    I64(Int64Builder),
    F32(Float32Builder),
    F64(Float64Builder),
    /// `text` / `varchar`: the general parser copies them unchanged too.
    Text(StringBuilder),
    Ts {
        b: TimestampMicrosecondBuilder,
        tz: Option<Arc<str>>,
    },
    Scalars {
        values: Vec<ScalarValue>,
        dt: DataType,
    },
}

/// A value of the wrong Arrow type reached a typed builder (a bug, reported as XX000).
#[derive(Debug)]
pub(super) struct WrongType(pub String);

impl ColumnBuf {
    /// The accumulator for a column of Arrow type `dt` read as `col`.
    pub fn new(dt: &DataType, col: &PgColumnType) -> Self {
        let plain = col.typmod == -1 && col.element().is_none();
        match (&col.ty, dt) {
            (&Type::INT2, DataType::Int16) => Self::I16(Int16Builder::new()),
            (&Type::INT4, DataType::Int32) => Self::I32(Int32Builder::new()),
            (&Type::INT8, DataType::Int64) => Self::I64(Int64Builder::new()),
            (&Type::FLOAT4, DataType::Float32) => Self::F32(Float32Builder::new()),
            (&Type::FLOAT8, DataType::Float64) => Self::F64(Float64Builder::new()),
            (&Type::TEXT | &Type::VARCHAR, DataType::Utf8) if col.element().is_none() => {
                Self::Text(StringBuilder::new())
            }
            (&Type::TIMESTAMPTZ, DataType::Timestamp(TimeUnit::Microsecond, Some(tz)))
                if plain && tz.as_ref() == "UTC" =>
            {
                Self::Ts {
                    b: TimestampMicrosecondBuilder::new(),
                    tz: Some(tz.clone()),
                }
            }
            (&Type::TIMESTAMP, DataType::Timestamp(TimeUnit::Microsecond, None)) if plain => {
                Self::Ts {
                    b: TimestampMicrosecondBuilder::new(),
                    tz: None,
                }
            }
            _ => Self::Scalars {
                values: Vec::new(),
                dt: dt.clone(),
            },
        }
    }

    /// Appends `text` when it has a shape the fast parsers read; false leaves it to the
    /// general parser.
    pub fn push_fast(&mut self, text: &str) -> bool {
        let s = text.as_bytes();
        match self {
            Self::I16(b) => push_opt(b, fast::int(s).and_then(|v| i16::try_from(v).ok())),
            Self::I32(b) => push_opt(b, fast::int(s).and_then(|v| i32::try_from(v).ok())),
            Self::I64(b) => push_opt(b, fast::int(s)),
            Self::F32(b) => push_opt(b, fast::float::<f32>(s)),
            Self::F64(b) => push_opt(b, fast::float::<f64>(s)),
            Self::Text(b) => {
                b.append_value(text);
                true
            }
            Self::Ts { b, tz } => push_opt(b, fast::timestamp(s, tz.is_some())),
            Self::Scalars { .. } => false,
        }
    }

    /// Appends a value already cast to the column's Arrow type (NULLs included).
    pub fn push_scalar(&mut self, v: ScalarValue) -> Result<(), WrongType> {
        use ScalarValue as S;
        match (self, v) {
            (Self::I16(b), S::Int16(v)) => b.append_option(v),
            (Self::I32(b), S::Int32(v)) => b.append_option(v),
            (Self::I64(b), S::Int64(v)) => b.append_option(v),
            (Self::F32(b), S::Float32(v)) => b.append_option(v),
            (Self::F64(b), S::Float64(v)) => b.append_option(v),
            (Self::Text(b), S::Utf8(v)) => b.append_option(v),
            (Self::Ts { b, .. }, S::TimestampMicrosecond(v, _)) => b.append_option(v),
            (Self::Scalars { values, .. }, v) => values.push(v),
            (_, v) => return Err(WrongType(format!("unexpected {} value", v.data_type()))),
        }
        Ok(())
    }

    /// The column's rows as an array (`rows` of them); the accumulator starts over.
    pub fn finish(&mut self, rows: usize) -> Result<ArrayRef, WrongType> {
        Ok(match self {
            Self::I16(b) => Arc::new(b.finish()),
            Self::I32(b) => Arc::new(b.finish()),
            Self::I64(b) => Arc::new(b.finish()),
            Self::F32(b) => Arc::new(b.finish()),
            Self::F64(b) => Arc::new(b.finish()),
            Self::Text(b) => Arc::new(b.finish()),
            Self::Ts { b, tz } => Arc::new(b.finish().with_timezone_opt(tz.clone())),
            Self::Scalars { values, dt } => {
                if values.is_empty() {
                    datafusion::arrow::array::new_null_array(dt, rows)
                } else {
                    ScalarValue::iter_to_array(std::mem::take(values))
                        .map_err(|e| WrongType(e.to_string()))?
                }
            }
        })
    }
}

fn push_opt<T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
    b: &mut datafusion::arrow::array::PrimitiveBuilder<T>,
    v: Option<T::Native>,
) -> bool {
    match v {
        Some(v) => {
            b.append_value(v);
            true
        }
        None => false,
    }
}
