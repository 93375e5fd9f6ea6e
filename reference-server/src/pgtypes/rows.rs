//! Whole record batches → DataRow messages, writing each value straight into the row buffer.

use bytes::{BufMut, BytesMut};
use datafusion::arrow::record_batch::RecordBatch;
use pgwire::messages::data::DataRow;

use super::PgTypeError;
use super::binary_out::{binary_ctx, put_binary};
use super::datum::datum_at;
use super::mapping::PgColumnType;
use super::settings::FormatSettings;
use super::text_out::{TextCtx, put_text};

/// Encodes every row of `batch` as a DataRow: per column, `formats[i]` 0 = text, 1 = binary.
/// `cols` gives each column's PostgreSQL type (usually [`super::pg_type_of`] of the field).
pub fn encode_data_rows(
    batch: &RecordBatch,
    cols: &[PgColumnType],
    formats: &[i16],
    s: &FormatSettings,
) -> Result<Vec<DataRow>, PgTypeError> {
    let ncols = batch.num_columns();
    if cols.len() != ncols {
        return Err(PgTypeError::FeatureNotSupported(format!(
            "{} column types given for {ncols} columns",
            cols.len()
        )));
    }
    let field_count = i16::try_from(ncols).map_err(|_| {
        PgTypeError::FeatureNotSupported("target lists can have at most 1664 entries".into())
    })?;
    let text_ctx = TextCtx::new(s);
    let bin_ctx = binary_ctx();
    let binary: Vec<bool> = (0..ncols)
        .map(|i| formats.get(i).or(formats.first()).copied().unwrap_or(0) == 1)
        .collect();
    let mut rows = Vec::with_capacity(batch.num_rows());
    let mut buf = BytesMut::with_capacity(64 * ncols.max(1));
    for row in 0..batch.num_rows() {
        for (i, column) in batch.columns().iter().enumerate() {
            match datum_at(column.as_ref(), row)? {
                None => buf.put_i32(-1),
                Some(d) => {
                    let at = buf.len();
                    buf.put_i32(0);
                    if binary[i] {
                        put_binary(&d, &cols[i], &bin_ctx, &mut buf)?;
                    } else {
                        put_text(&d, &cols[i], &text_ctx, &mut buf)?;
                    }
                    let len = i32::try_from(buf.len() - at - 4)
                        .map_err(|_| PgTypeError::FeatureNotSupported("value too large".into()))?;
                    buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
                }
            }
        }
        rows.push(DataRow::new(buf.split(), field_count));
    }
    Ok(rows)
}
