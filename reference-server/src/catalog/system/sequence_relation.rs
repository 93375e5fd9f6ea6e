//! A sequence read as a relation (`SELECT last_value, is_called FROM t_id_seq`, which
//! pg_dump sends for every sequence it dumps): one row with PostgreSQL's columns
//! `last_value`, `log_cnt`, `is_called`, read from the owning table's sequence.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{BooleanArray, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::datasource::MemTable;

use crate::storage::Storage;

/// A user schema whose names also resolve to the sequences of its tables.
#[derive(Debug)]
pub struct WithSequences {
    inner: Arc<dyn SchemaProvider>,
    storage: Vec<Arc<Storage>>,
}

impl WithSequences {
    /// `storage`: where the schema's tables (and so their sequences) live.
    pub fn new(inner: Arc<dyn SchemaProvider>, storage: Vec<Arc<Storage>>) -> Self {
        Self { inner, storage }
    }

    async fn sequence(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        for storage in &self.storage {
            for table_name in storage.table_names() {
                let Some(table) = storage.table(&table_name) else {
                    continue;
                };
                let Some(seq) = table
                    .rules()
                    .sequences
                    .iter()
                    .find(|(_, s)| s.name == name)
                    .map(|(_, s)| s.clone())
                else {
                    continue;
                };
                // Derives the sequence's position from the data, as the first insert would.
                table
                    .prepare_sequences()
                    .await
                    .map_err(|e| DataFusionError::External(Box::new(e)))?;
                let (last, called) = seq.last_value();
                return one_row(last, called).map(Some);
            }
        }
        Ok(None)
    }
}

fn one_row(last_value: i64, is_called: bool) -> DfResult<Arc<dyn TableProvider>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("last_value", DataType::Int64, false),
        Field::new("log_cnt", DataType::Int64, false),
        Field::new("is_called", DataType::Boolean, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![last_value])),
            Arc::new(Int64Array::from(vec![0])),
            Arc::new(BooleanArray::from(vec![is_called])),
        ],
    )?;
    Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
}

#[async_trait]
impl SchemaProvider for WithSequences {
    fn table_names(&self) -> Vec<String> {
        self.inner.table_names()
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        match self.inner.table(name).await? {
            Some(t) => Ok(Some(t)),
            None => self.sequence(name).await,
        }
    }

    fn table_exist(&self, name: &str) -> bool {
        self.inner.table_exist(name)
    }

    fn register_table(
        &self,
        name: String,
        table: Arc<dyn TableProvider>,
    ) -> DfResult<Option<Arc<dyn TableProvider>>> {
        self.inner.register_table(name, table)
    }

    fn deregister_table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        self.inner.deregister_table(name)
    }
}
