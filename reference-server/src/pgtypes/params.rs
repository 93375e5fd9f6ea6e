//! Bind parameters: text or binary bytes of a declared type → Arrow scalar.

use datafusion::scalar::ScalarValue;
use postgres_types::Type;

use super::PgTypeError;
use super::binary_in::parse_binary;
use super::mapping::{PgColumnType, pg_type_to_arrow};
use super::settings::FormatSettings;
use super::text_in::{InCtx, parse_text};

/// Decodes one Bind parameter. `raw = None` is SQL NULL (a typed null of the parameter's
/// Arrow type); `format` 0 = text, 1 = binary. Parameters of unspecified type (`unknown`,
/// oid 0) in text format arrive as Utf8 for the planner to coerce.
pub fn decode_param(
    raw: Option<&[u8]>,
    format: i16,
    ty: &Type,
    s: &FormatSettings,
) -> Result<ScalarValue, PgTypeError> {
    let col = PgColumnType::new(ty.clone());
    let Some(bytes) = raw else {
        let dt = pg_type_to_arrow(&col).unwrap_or(datafusion::arrow::datatypes::DataType::Utf8);
        return ScalarValue::try_from(&dt)
            .map_err(|e| PgTypeError::FeatureNotSupported(e.to_string()));
    };
    match format {
        0 => {
            let text = std::str::from_utf8(bytes).map_err(|e| PgTypeError::bad_utf8(bytes, &e))?;
            decode_text(text, &col, s)
        }
        1 => parse_binary(bytes, &col),
        other => Err(PgTypeError::Other {
            code: "22023",
            message: format!("unsupported format code: {other}"),
        }),
    }
}

/// Parses PostgreSQL text input for a column type (also used by COPY and literals).
pub fn decode_text(
    text: &str,
    col: &PgColumnType,
    s: &FormatSettings,
) -> Result<ScalarValue, PgTypeError> {
    parse_text(text, col, &InCtx::new(s))
}
