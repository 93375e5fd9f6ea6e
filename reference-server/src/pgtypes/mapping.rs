//! Which PostgreSQL type a column has, and which Arrow type stores it.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, IntervalUnit, TimeUnit};
use datafusion::sql::sqlparser::ast::{
    ArrayElemTypeDef, CharacterLength, DataType as SqlType, ExactNumberInfo, TimezoneInfo,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;
use postgres_types::{Kind, Type};

use super::PgTypeError;

/// Arrow field metadata key holding the declared PostgreSQL type name, e.g. `varchar(20)`.
pub const PG_TYPE_KEY: &str = "pg_type";

/// Arrow field metadata key set to `"serial"` on `serial`/`bigserial` columns, whose value
/// defaults to the next number of an implicit sequence.
pub const PG_DEFAULT_KEY: &str = "pg_default";

/// Arrow storage for unconstrained `numeric`: PostgreSQL keeps arbitrary precision, Arrow
/// needs a fixed one, so such columns hold 38 digits of which 10 are fractional. Their text
/// output drops trailing fractional zeros (so `1.5` stays `1.5`, not `1.5000000000`).
pub const UNCONSTRAINED_NUMERIC: DataType = DataType::Decimal128(38, 10);

/// A PostgreSQL column type: the type and its modifier, as RowDescription carries them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PgColumnType {
    pub ty: Type,
    /// `atttypmod`: `-1` when the type has none (`varchar(n)` is `n + 4`, `numeric(p,s)` is
    /// `(p << 16 | s) + 4`, `timestamp(p)` is `p`).
    pub typmod: i32,
}

impl PgColumnType {
    /// A type without modifier.
    pub fn new(ty: Type) -> Self {
        PgColumnType { ty, typmod: -1 }
    }

    /// `numeric(precision, scale)`.
    pub fn numeric(precision: u8, scale: i8) -> Self {
        PgColumnType {
            ty: Type::NUMERIC,
            typmod: numeric_typmod(i32::from(precision), i32::from(scale)),
        }
    }

    /// `(precision, scale)` of a constrained `numeric`.
    pub fn numeric_precision_scale(&self) -> Option<(i32, i32)> {
        if self.typmod < 4 {
            return None;
        }
        let t = self.typmod - 4;
        let scale = ((t & 0x7ff) ^ 1024) - 1024;
        Some((t >> 16, scale))
    }

    /// Declared length of `varchar(n)` / `char(n)`.
    pub fn char_length(&self) -> Option<usize> {
        (self.typmod >= 4).then(|| (self.typmod - 4) as usize)
    }

    /// The element type when this is an array type.
    pub fn element(&self) -> Option<PgColumnType> {
        match self.ty.kind() {
            Kind::Array(elem) => Some(PgColumnType {
                ty: elem.clone(),
                typmod: self.typmod,
            }),
            _ => None,
        }
    }

    /// The name stored under [`PG_TYPE_KEY`]; [`parse_type_name`] reads it back.
    pub fn type_name(&self) -> String {
        if self.ty == Type::INT2_VECTOR || self.ty == Type::OID_VECTOR {
            return self.ty.name().to_owned();
        }
        if let Some(elem) = self.element() {
            return format!("{}[]", elem.type_name());
        }
        if self.ty == Type::CHAR {
            return "\"char\"".to_owned();
        }
        let base = self.ty.name();
        match (&self.ty, self.typmod) {
            (_, m) if m < 0 => base.to_string(),
            (t, _) if *t == Type::NUMERIC => match self.numeric_precision_scale() {
                Some((p, s)) => format!("numeric({p},{s})"),
                None => base.to_string(),
            },
            (t, m) if (*t == Type::VARCHAR || *t == Type::BPCHAR) && m >= 4 => {
                format!("{base}({})", m - 4)
            }
            (t, m)
                if *t == Type::TIMESTAMP
                    || *t == Type::TIMESTAMPTZ
                    || *t == Type::TIME
                    || *t == Type::TIMETZ =>
            {
                format!("{base}({m})")
            }
            _ => base.to_string(),
        }
    }

    /// The type's name as PostgreSQL spells it in error messages (`format_type`).
    pub fn sql_name(&self) -> &'static str {
        sql_name(&self.ty)
    }
}

/// PostgreSQL's `format_type` spelling, used in error messages.
pub(crate) fn sql_name(ty: &Type) -> &'static str {
    match *ty {
        Type::INT2 => "smallint",
        Type::INT4 => "integer",
        Type::INT8 => "bigint",
        Type::FLOAT4 => "real",
        Type::FLOAT8 => "double precision",
        Type::NUMERIC => "numeric",
        Type::BOOL => "boolean",
        Type::TEXT => "text",
        Type::VARCHAR => "character varying",
        Type::BPCHAR => "character",
        Type::NAME => "name",
        Type::BYTEA => "bytea",
        Type::DATE => "date",
        Type::TIME => "time without time zone",
        Type::TIMETZ => "time with time zone",
        Type::TIMESTAMP => "timestamp without time zone",
        Type::TIMESTAMPTZ => "timestamp with time zone",
        Type::INTERVAL => "interval",
        Type::UUID => "uuid",
        Type::JSON => "json",
        Type::JSONB => "jsonb",
        Type::INET => "inet",
        Type::CIDR => "cidr",
        Type::OID => "oid",
        Type::CHAR => "\"char\"",
        Type::REGTYPE => "regtype",
        Type::VOID => "void",
        _ => "unknown",
    }
}

/// `pg_type.typlen`, as RowDescription reports it: the fixed width in bytes, `-1` for
/// varlena types, `-2` for C strings.
pub fn typlen(ty: &Type) -> i16 {
    match *ty {
        Type::BOOL | Type::CHAR => 1,
        Type::INT2 => 2,
        Type::INT4
        | Type::FLOAT4
        | Type::DATE
        | Type::OID
        | Type::REGCLASS
        | Type::REGTYPE
        | Type::REGPROC
        | Type::XID
        | Type::CID => 4,
        Type::INT8
        | Type::FLOAT8
        | Type::TIME
        | Type::TIMESTAMP
        | Type::TIMESTAMPTZ
        | Type::MONEY
        | Type::PG_LSN => 8,
        Type::TIMETZ => 12,
        Type::INTERVAL | Type::UUID | Type::POINT => 16,
        Type::NAME => 64,
        Type::CSTRING | Type::UNKNOWN => -2,
        _ => -1,
    }
}

fn numeric_typmod(precision: i32, scale: i32) -> i32 {
    ((precision << 16) | (scale & 0x7ff)) + 4
}

/// The array type whose elements are `elem`, for the element types this codec supports.
pub fn array_type_of(elem: &Type) -> Option<Type> {
    Some(match *elem {
        Type::INT2 => Type::INT2_ARRAY,
        Type::INT4 => Type::INT4_ARRAY,
        Type::INT8 => Type::INT8_ARRAY,
        Type::FLOAT4 => Type::FLOAT4_ARRAY,
        Type::FLOAT8 => Type::FLOAT8_ARRAY,
        Type::NUMERIC => Type::NUMERIC_ARRAY,
        Type::BOOL => Type::BOOL_ARRAY,
        Type::TEXT => Type::TEXT_ARRAY,
        Type::VARCHAR => Type::VARCHAR_ARRAY,
        Type::BPCHAR => Type::BPCHAR_ARRAY,
        Type::NAME => Type::NAME_ARRAY,
        Type::BYTEA => Type::BYTEA_ARRAY,
        Type::DATE => Type::DATE_ARRAY,
        Type::TIME => Type::TIME_ARRAY,
        Type::TIMETZ => Type::TIMETZ_ARRAY,
        Type::TIMESTAMP => Type::TIMESTAMP_ARRAY,
        Type::TIMESTAMPTZ => Type::TIMESTAMPTZ_ARRAY,
        Type::INTERVAL => Type::INTERVAL_ARRAY,
        Type::UUID => Type::UUID_ARRAY,
        Type::JSON => Type::JSON_ARRAY,
        Type::JSONB => Type::JSONB_ARRAY,
        Type::INET => Type::INET_ARRAY,
        Type::CIDR => Type::CIDR_ARRAY,
        Type::OID => Type::OID_ARRAY,
        Type::CHAR => Type::CHAR_ARRAY,
        Type::RECORD => Type::RECORD_ARRAY,
        _ => return None,
    })
}

/// The Arrow type that stores values of a PostgreSQL type.
pub fn pg_type_to_arrow(col: &PgColumnType) -> Result<DataType, PgTypeError> {
    if let Some(elem) = col.element() {
        let inner = pg_type_to_arrow(&elem)?;
        return Ok(DataType::List(Arc::new(Field::new("item", inner, true))));
    }
    Ok(match col.ty {
        Type::INT2 => DataType::Int16,
        Type::INT4 => DataType::Int32,
        Type::INT8 => DataType::Int64,
        Type::OID => DataType::UInt32,
        Type::FLOAT4 => DataType::Float32,
        Type::FLOAT8 => DataType::Float64,
        Type::NUMERIC => match col.numeric_precision_scale() {
            None => UNCONSTRAINED_NUMERIC,
            Some((p, s)) if p <= 38 => DataType::Decimal128(p as u8, s as i8),
            Some((p, s)) if p <= 76 => DataType::Decimal256(p as u8, s as i8),
            Some((p, _)) => {
                return Err(PgTypeError::FeatureNotSupported(format!(
                    "numeric precision {p} exceeds the supported maximum of 76"
                )));
            }
        },
        Type::BOOL => DataType::Boolean,
        Type::BYTEA => DataType::Binary,
        Type::DATE => DataType::Date32,
        Type::TIME => DataType::Time64(TimeUnit::Microsecond),
        Type::TIMESTAMP => DataType::Timestamp(TimeUnit::Microsecond, None),
        Type::TIMESTAMPTZ => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        Type::INTERVAL => DataType::Interval(IntervalUnit::MonthDayNano),
        // text-like types, and types Arrow has no native form for (uuid, json, inet,
        // timetz): canonical text, tagged with the PostgreSQL type in the field metadata.
        Type::TEXT
        | Type::VARCHAR
        | Type::BPCHAR
        | Type::NAME
        | Type::CHAR
        | Type::UUID
        | Type::JSON
        | Type::JSONB
        | Type::INET
        | Type::CIDR
        | Type::TIMETZ
        | Type::REGTYPE
        | Type::VOID
        | Type::UNKNOWN => DataType::Utf8,
        _ => return Err(PgTypeError::UnsupportedType(col.ty.name().to_string())),
    })
}

/// True for `serial`, `bigserial`, `smallserial` (columns with an implicit sequence default).
pub fn is_serial_type(dt: &SqlType) -> bool {
    matches!(
        custom_name(dt).as_deref(),
        Some("serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2")
    )
}

fn custom_name(dt: &SqlType) -> Option<String> {
    match dt {
        SqlType::Custom(name, _) => Some(name.to_string().to_ascii_lowercase().replace('"', "")),
        _ => None,
    }
}

/// Maps a DDL/CAST type name to its Arrow storage type and PostgreSQL type.
pub fn from_sql_type(dt: &SqlType) -> Result<(DataType, PgColumnType), PgTypeError> {
    let col = sql_to_pg(dt)?;
    Ok((pg_type_to_arrow(&col)?, col))
}

fn char_len(len: &Option<CharacterLength>) -> Result<i32, PgTypeError> {
    match len {
        None => Ok(-1),
        Some(CharacterLength::IntegerLength { length, .. }) => {
            if *length == 0 || *length > 10_485_760 {
                return Err(PgTypeError::InvalidOption(format!(
                    "length for type varchar must be between 1 and 10485760, not {length}"
                )));
            }
            Ok(*length as i32 + 4)
        }
        Some(CharacterLength::Max) => Err(PgTypeError::UnsupportedType("max".into())),
    }
}

fn numeric_col(info: &ExactNumberInfo) -> Result<PgColumnType, PgTypeError> {
    let (p, s) = match info {
        ExactNumberInfo::None => return Ok(PgColumnType::new(Type::NUMERIC)),
        ExactNumberInfo::Precision(p) => (*p as i64, 0),
        ExactNumberInfo::PrecisionAndScale(p, s) => (*p as i64, *s),
    };
    if !(1..=1000).contains(&p) {
        return Err(PgTypeError::InvalidOption(format!(
            "NUMERIC precision {p} must be between 1 and 1000"
        )));
    }
    if !(-1000..=1000).contains(&s) {
        return Err(PgTypeError::InvalidOption(format!(
            "NUMERIC scale {s} must be between -1000 and 1000"
        )));
    }
    Ok(PgColumnType {
        ty: Type::NUMERIC,
        typmod: numeric_typmod(p as i32, s as i32),
    })
}

fn precision_typmod(p: &Option<u64>) -> i32 {
    p.map_or(-1, |p| p.min(6) as i32)
}

fn sql_to_pg(dt: &SqlType) -> Result<PgColumnType, PgTypeError> {
    use SqlType as S;
    let plain = |t: Type| Ok(PgColumnType::new(t));
    match dt {
        S::SmallInt(_) | S::Int2(_) => plain(Type::INT2),
        S::Int(_) | S::Int4(_) | S::Integer(_) => plain(Type::INT4),
        S::BigInt(_) | S::Int8(_) => plain(Type::INT8),
        S::Real | S::Float4 => plain(Type::FLOAT4),
        S::DoublePrecision | S::Float8 | S::Double(ExactNumberInfo::None) => plain(Type::FLOAT8),
        // float(p): PostgreSQL picks real for p <= 24, double precision above.
        S::Float(ExactNumberInfo::None) => plain(Type::FLOAT8),
        S::Float(ExactNumberInfo::Precision(p)) if (1..=24).contains(p) => plain(Type::FLOAT4),
        S::Float(ExactNumberInfo::Precision(p)) if (25..=53).contains(p) => plain(Type::FLOAT8),
        S::Numeric(info) | S::Decimal(info) | S::Dec(info) => numeric_col(info),
        S::Bool | S::Boolean => plain(Type::BOOL),
        S::Text | S::String(None) => plain(Type::TEXT),
        S::Varchar(len) | S::CharacterVarying(len) | S::CharVarying(len) => Ok(PgColumnType {
            ty: Type::VARCHAR,
            typmod: char_len(len)?,
        }),
        // char without length is char(1), as in PostgreSQL.
        S::Char(len) | S::Character(len) => Ok(PgColumnType {
            ty: Type::BPCHAR,
            typmod: if len.is_none() { 5 } else { char_len(len)? },
        }),
        S::Bytea => plain(Type::BYTEA),
        S::Date => plain(Type::DATE),
        S::Time(p, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) => Ok(PgColumnType {
            ty: Type::TIME,
            typmod: precision_typmod(p),
        }),
        S::Time(p, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => Ok(PgColumnType {
            ty: Type::TIMETZ,
            typmod: precision_typmod(p),
        }),
        S::Timestamp(p, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone) | S::Datetime(p) => {
            Ok(PgColumnType {
                ty: Type::TIMESTAMP,
                typmod: precision_typmod(p),
            })
        }
        S::Timestamp(p, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => Ok(PgColumnType {
            ty: Type::TIMESTAMPTZ,
            typmod: precision_typmod(p),
        }),
        S::Interval { .. } => plain(Type::INTERVAL),
        S::Uuid => plain(Type::UUID),
        S::JSON => plain(Type::JSON),
        S::JSONB => plain(Type::JSONB),
        S::Array(
            ArrayElemTypeDef::SquareBracket(inner, _)
            | ArrayElemTypeDef::AngleBracket(inner)
            | ArrayElemTypeDef::Parenthesis(inner),
        ) => {
            let elem = sql_to_pg(inner)?;
            if elem.element().is_some() {
                // int[][] is the same type as int[] in PostgreSQL.
                return Ok(elem);
            }
            let ty = array_type_of(&elem.ty)
                .ok_or_else(|| PgTypeError::UnsupportedType(format!("{}[]", elem.type_name())))?;
            Ok(PgColumnType {
                ty,
                typmod: elem.typmod,
            })
        }
        S::Custom(name, modifiers) => custom_type(&name.to_string(), modifiers),
        other => Err(PgTypeError::UnsupportedType(
            other.to_string().to_ascii_lowercase(),
        )),
    }
}

/// Type names sqlparser does not know as keywords (`int4`, `timestamptz`, `inet`, ...).
fn custom_type(name: &str, modifiers: &[String]) -> Result<PgColumnType, PgTypeError> {
    let lower = name.to_ascii_lowercase().replace('"', "");
    let lower = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
    let modifier = |i: usize| modifiers.get(i).and_then(|m| m.trim().parse::<i64>().ok());
    let plain = |t: Type| Ok(PgColumnType::new(t));
    match lower {
        "int2" | "smallserial" | "serial2" => plain(Type::INT2),
        "int4" | "serial" | "serial4" => plain(Type::INT4),
        "int8" | "bigserial" | "serial8" => plain(Type::INT8),
        "float4" => plain(Type::FLOAT4),
        "float8" => plain(Type::FLOAT8),
        "bool" => plain(Type::BOOL),
        "text" => plain(Type::TEXT),
        "name" => plain(Type::NAME),
        "oid" => plain(Type::OID),
        "int2vector" => plain(Type::INT2_VECTOR),
        "oidvector" => plain(Type::OID_VECTOR),
        // Only a quoted `"char"` reaches here (plain `char` is `character(1)`).
        "char" => plain(Type::CHAR),
        "bytea" => plain(Type::BYTEA),
        "uuid" => plain(Type::UUID),
        "json" => plain(Type::JSON),
        "jsonb" => plain(Type::JSONB),
        "inet" => plain(Type::INET),
        "cidr" => plain(Type::CIDR),
        // Result-only types of functions (`pg_typeof`, `pg_sleep`), stored as text.
        "regtype" => plain(Type::REGTYPE),
        "void" => plain(Type::VOID),
        "timestamptz" => Ok(PgColumnType {
            ty: Type::TIMESTAMPTZ,
            typmod: modifier(0).map_or(-1, |p| p.clamp(0, 6) as i32),
        }),
        "timetz" => Ok(PgColumnType {
            ty: Type::TIMETZ,
            typmod: modifier(0).map_or(-1, |p| p.clamp(0, 6) as i32),
        }),
        "bpchar" => Ok(PgColumnType {
            ty: Type::BPCHAR,
            typmod: modifier(0).map_or(-1, |n| n as i32 + 4),
        }),
        "numeric" | "decimal" => {
            let info = match (modifier(0), modifier(1)) {
                (None, _) => ExactNumberInfo::None,
                (Some(p), None) => ExactNumberInfo::Precision(p.max(0) as u64),
                (Some(p), Some(s)) => ExactNumberInfo::PrecisionAndScale(p.max(0) as u64, s),
            };
            numeric_col(&info)
        }
        _ => Err(PgTypeError::UnsupportedType(lower.to_string())),
    }
}

/// Reads a type name such as `varchar(20)`, `numeric(10,2)`, `timestamptz` or `int4[]`.
pub fn parse_type_name(name: &str) -> Result<PgColumnType, PgTypeError> {
    let fast = match name {
        "int2" => Some(Type::INT2),
        "int4" => Some(Type::INT4),
        "int8" => Some(Type::INT8),
        "float4" => Some(Type::FLOAT4),
        "float8" => Some(Type::FLOAT8),
        "bool" => Some(Type::BOOL),
        "text" => Some(Type::TEXT),
        "numeric" => Some(Type::NUMERIC),
        "date" => Some(Type::DATE),
        "timestamp" => Some(Type::TIMESTAMP),
        "timestamptz" => Some(Type::TIMESTAMPTZ),
        "interval" => Some(Type::INTERVAL),
        "json" => Some(Type::JSON),
        "jsonb" => Some(Type::JSONB),
        "uuid" => Some(Type::UUID),
        "bytea" => Some(Type::BYTEA),
        _ => None,
    };
    if let Some(ty) = fast {
        return Ok(PgColumnType::new(ty));
    }
    let unsupported = || PgTypeError::UnsupportedType(name.to_string());
    let dt = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(name)
        .and_then(|mut p| p.parse_data_type())
        .map_err(|_| unsupported())?;
    sql_to_pg(&dt)
}

/// The PostgreSQL type of an Arrow field: its [`PG_TYPE_KEY`] metadata when present and valid,
/// else derived from the Arrow data type.
pub fn pg_type_of(field: &Field) -> PgColumnType {
    if let Some(name) = field.metadata().get(PG_TYPE_KEY)
        && let Ok(col) = parse_type_name(name)
    {
        return col;
    }
    arrow_to_pg(field.data_type())
}

/// The PostgreSQL type for values of an Arrow type.
pub fn arrow_to_pg(dt: &DataType) -> PgColumnType {
    let plain = PgColumnType::new;
    match dt {
        DataType::Boolean => plain(Type::BOOL),
        DataType::Int8 | DataType::UInt8 | DataType::Int16 => plain(Type::INT2),
        DataType::UInt16 | DataType::Int32 => plain(Type::INT4),
        // UInt32 is how the server stores `oid` (catalog columns, `::oid`).
        DataType::UInt32 => plain(Type::OID),
        DataType::Int64 => plain(Type::INT8),
        DataType::UInt64 => PgColumnType::numeric(20, 0),
        DataType::Float16 | DataType::Float32 => plain(Type::FLOAT4),
        DataType::Float64 => plain(Type::FLOAT8),
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => PgColumnType::numeric(*p, *s),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => {
            if dt == &UNCONSTRAINED_NUMERIC || dt == &super::QUOTIENT {
                plain(Type::NUMERIC)
            } else {
                PgColumnType::numeric(*p, *s)
            }
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
            plain(Type::TEXT)
        }
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => plain(Type::BYTEA),
        DataType::Date32 | DataType::Date64 => plain(Type::DATE),
        DataType::Time32(_) | DataType::Time64(_) => plain(Type::TIME),
        DataType::Timestamp(_, None) => plain(Type::TIMESTAMP),
        DataType::Timestamp(_, Some(_)) => plain(Type::TIMESTAMPTZ),
        DataType::Interval(_) | DataType::Duration(_) => plain(Type::INTERVAL),
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _) => {
            // Nested lists are multi-dimensional arrays of the innermost element type.
            let elem = pg_type_of(f);
            if elem.element().is_some() {
                return elem;
            }
            match array_type_of(&elem.ty) {
                Some(ty) => PgColumnType {
                    ty,
                    typmod: elem.typmod,
                },
                None => plain(Type::TEXT_ARRAY),
            }
        }
        DataType::Dictionary(_, value) => arrow_to_pg(value),
        DataType::RunEndEncoded(_, values) => pg_type_of(values),
        DataType::Struct(_) => plain(Type::RECORD),
        _ => plain(Type::TEXT),
    }
}
