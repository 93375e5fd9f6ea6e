//! Plans for SQL DML run through DataFusion (`INSERT`, `DELETE`, `UPDATE`, `TRUNCATE` on a
//! registered [`Table`]): INSERT streams into a `DataSink`; the others run when planned (as
//! DataFusion's own `MemTable` does) and return the usual one-row `count` result.

use std::sync::{Arc, Weak};

use async_trait::async_trait;
use datafusion::arrow::array::{RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::{DataFusionError, Result as DFResult};
use datafusion::datasource::memory::{DataSourceExec, MemorySourceConfig};
use datafusion::datasource::sink::DataSink;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::{DisplayAs, DisplayFormatType};
use futures::TryStreamExt;

use super::table::Table;
use super::txn::TxWrites;

/// Inserts everything the input produces as one atomic WAL record.
#[derive(Debug)]
pub(crate) struct TableSink {
    pub table: Weak<Table>,
    pub schema: SchemaRef,
    /// The session's transaction buffer: rows go there while its transaction is open.
    pub tx: Option<Arc<TxWrites>>,
}

impl DisplayAs for TableSink {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "StorageTableSink")
    }
}

#[async_trait]
impl DataSink for TableSink {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    async fn write_all(
        &self,
        data: SendableRecordBatchStream,
        _context: &Arc<TaskContext>,
    ) -> DFResult<u64> {
        let batches: Vec<RecordBatch> = data.try_collect().await?;
        let table = self
            .table
            .upgrade()
            .ok_or_else(|| DataFusionError::Execution("table was dropped".into()))?;
        Ok(match &self.tx {
            Some(tx) => tx.insert(&table, batches).await?,
            None => table.insert(batches).await?,
        })
    }
}

/// The one-row `count` result of a DML statement.
pub(crate) fn count_plan(n: u64) -> DFResult<Arc<DataSourceExec>> {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "count",
        DataType::UInt64,
        false,
    )]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(UInt64Array::from(vec![n]))])?;
    MemorySourceConfig::try_new_exec(&[vec![batch]], schema, None)
}
