//! Arrow results → RowDescription and DataRows through [`crate::pgtypes`], so every value
//! (text or binary, per column) is rendered exactly as PostgreSQL 15 renders it.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::SendableRecordBatchStream;
use futures::StreamExt;
use pgwire::api::Type;
use pgwire::api::portal::Format;
use pgwire::api::results::{FieldFormat, FieldInfo};
use pgwire::error::PgWireResult;
use pgwire::messages::data::{DataRow, RowDescription};

use crate::pgtypes::{self, FormatSettings, PgColumnType};
use crate::sql::SqlError;

/// The PostgreSQL type values of this Arrow type are sent as.
pub fn pg_type(dt: &DataType) -> Type {
    pgtypes::arrow_to_pg(dt).ty
}

/// RowDescription fields for a schema: type OID, typmod and typlen from the pgtypes mapping;
/// `format` picks text/binary per column.
pub fn fields_for(schema: &Schema, format: &Format) -> Vec<FieldInfo> {
    schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let col = pgtypes::pg_type_of(f);
            FieldInfo::new(
                f.name().clone(),
                None,
                None,
                col.ty.clone(),
                format.format_for(i),
            )
            .with_type_size(pgtypes::typlen(&col.ty))
            .with_type_modifier(col.typmod)
        })
        .collect()
}

/// RowDescription message for the given fields.
pub fn row_description(fields: &[FieldInfo]) -> RowDescription {
    RowDescription::new(fields.iter().map(Into::into).collect())
}

/// Encodes batches of one result into DataRows, with the column types and formats fixed
/// when the result is described.
#[derive(Clone)]
pub struct RowEncoder {
    cols: Vec<PgColumnType>,
    formats: Vec<i16>,
    settings: FormatSettings,
}

impl RowEncoder {
    pub fn new(schema: &Schema, fields: &[FieldInfo], settings: FormatSettings) -> Self {
        RowEncoder {
            cols: schema
                .fields()
                .iter()
                .map(|f| pgtypes::pg_type_of(f))
                .collect(),
            formats: fields
                .iter()
                .map(|f| i16::from(f.format() == FieldFormat::Binary))
                .collect(),
            settings,
        }
    }

    /// Every row of `batch` as a DataRow.
    pub fn encode(&self, batch: &RecordBatch) -> Result<Vec<DataRow>, SqlError> {
        pgtypes::encode_data_rows(batch, &self.cols, &self.formats, &self.settings)
            .map_err(SqlError::from)
    }
}

/// Replace column names with PostgreSQL's (`?column?`, function names...) where known.
pub fn rename(schema: &SchemaRef, names: Option<&[Option<String>]>) -> SchemaRef {
    let Some(names) = names.filter(|n| n.len() == schema.fields().len()) else {
        return schema.clone();
    };
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .zip(names)
        .map(|(f, n)| match n {
            Some(n) => f.as_ref().clone().with_name(n.clone()),
            None => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// Lazily encode a DataFusion stream into DataRows (nothing is buffered beyond a batch).
pub fn row_stream(
    stream: SendableRecordBatchStream,
    encoder: RowEncoder,
) -> impl futures::Stream<Item = PgWireResult<DataRow>> + Send + 'static {
    stream.flat_map(move |batch| {
        let rows = batch
            .map_err(SqlError::from)
            .and_then(|b| encoder.encode(&b));
        let items: Vec<PgWireResult<DataRow>> = match rows {
            Ok(rows) => rows.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e.into_wire())],
        };
        futures::stream::iter(items)
    })
}
