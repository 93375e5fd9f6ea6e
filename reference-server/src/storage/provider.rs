//! DataFusion `TableProvider`: scans the memtable plus the segments whose time range can match
//! the query's time filters (Parquet segments through DataFusion's Parquet reader, with the
//! filters also used for row-group pruning).

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{DFSchema, Result as DFResult};
use datafusion::datasource::TableType;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::memory::{DataSourceExec, MemorySourceConfig};
use datafusion::datasource::object_store::ObjectStoreUrl;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::union::UnionExec;

use datafusion::common::not_impl_err;
use datafusion::datasource::sink::DataSinkExec;
use datafusion::logical_expr::dml::InsertOp;

use super::segment::{Segment, SegmentData, SegmentPin};
use super::sink::{TableSink, count_plan};
use super::table::Table;
use super::timecol::{self, TimeRange};
use super::txn::{self, TxWrites};

impl Table {
    /// A scan of the committed rows (memtable + segments that can match `filters`).
    pub(crate) async fn scan_committed(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let (mem, segments) = self.snapshot()?;
        let range = self.filter_range(filters);
        let live = self.prune(&segments, &range);

        let mut mem_batches: Vec<RecordBatch> = mem;
        let mut files = Vec::new();
        for seg in live {
            if let Some(b) = seg.in_memory() {
                mem_batches.extend(b.iter().cloned());
            } else if let SegmentData::Parquet { path, size } = &seg.data {
                files.push(
                    PartitionedFile::new(path.to_string_lossy().into_owned(), *size)
                        .with_extension(SegmentPin {
                            _segment: seg.clone(),
                        }),
                );
            }
        }

        let schema = self.loose.clone();
        let mut children: Vec<Arc<dyn ExecutionPlan>> = Vec::new();
        if !mem_batches.is_empty() {
            let parts = split_round_robin(mem_batches, state.config().target_partitions());
            children.push(MemorySourceConfig::try_new_exec(
                &parts,
                schema.clone(),
                projection.cloned(),
            )?);
        }
        if !files.is_empty() {
            let mut source = ParquetSource::new(schema.clone());
            if let Some(pred) = physical_predicate(state, &schema, filters) {
                source = source.with_predicate(pred);
            }
            let groups = split_round_robin(files, state.config().target_partitions())
                .into_iter()
                .map(FileGroup::new)
                .collect();
            let config =
                FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), Arc::new(source))
                    .with_file_groups(groups)
                    .with_projection_indices(projection.cloned())?
                    .build();
            children.push(DataSourceExec::from_data_source(config));
        }
        if children.is_empty() {
            let projected = match projection {
                Some(p) => Arc::new(schema.project(p)?),
                None => schema,
            };
            return Ok(Arc::new(EmptyExec::new(projected)));
        }
        UnionExec::try_new(children)
    }

    /// The segments a scan with `filters` must read (the others cannot hold matching rows).
    pub(crate) fn prune<'a>(
        &self,
        segments: &'a [Arc<Segment>],
        range: &TimeRange,
    ) -> Vec<&'a Arc<Segment>> {
        segments
            .iter()
            .filter(|s| match s.meta.range {
                Some((min, max)) => range.may_overlap(min, max),
                // Only NULL times: no comparison on the time column can match them.
                None => self.time_idx.is_none() || range.is_unbounded(),
            })
            .collect()
    }

    pub(crate) fn filter_range(&self, filters: &[Expr]) -> TimeRange {
        match self.time_idx {
            Some(idx) => timecol::range_from_filters(filters, self.def.schema.field(idx)),
            None => TimeRange::default(),
        }
    }
}

#[async_trait]
impl TableProvider for Table {
    /// Every column nullable: NOT NULL is enforced by the table itself, with PostgreSQL's
    /// error (DataFusion would reject the batch with its own message first).
    fn schema(&self) -> SchemaRef {
        self.loose.clone()
    }

    fn get_column_default(&self, column: &str) -> Option<&Expr> {
        self.rules
            .defaults
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, e)| e)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DFResult<Vec<TableProviderFilterPushDown>> {
        // Pruning is by whole segment / row group, so every filter is re-applied above the
        // scan (Inexact). Non-time filters still help Parquet row-group pruning.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        _limit: Option<usize>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        // A session with buffered writes to this table sees them on top of committed rows.
        if let Some(tx) = state.config().get_extension::<TxWrites>() {
            let ops = tx.ops_for(self.id);
            if !ops.is_empty() {
                return self.scan_tx(state, &ops, projection, filters).await;
            }
        }
        self.scan_committed(state, projection, filters).await
    }

    async fn insert_into(
        &self,
        state: &dyn Session,
        input: Arc<dyn ExecutionPlan>,
        insert_op: InsertOp,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        if insert_op != InsertOp::Append {
            return not_impl_err!("{insert_op} is not supported");
        }
        // Before the input runs: its `serial` defaults draw from the sequences.
        self.prepare_sequences().await?;
        let sink = TableSink {
            table: self.me.clone(),
            schema: self.loose.clone(),
            tx: state.config().get_extension::<TxWrites>(),
        };
        Ok(Arc::new(DataSinkExec::new(input, Arc::new(sink), None)))
    }

    async fn delete_from(
        &self,
        state: &dyn Session,
        filters: Vec<Expr>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let n = match txn::active(state) {
            Some(tx) => {
                self.change_tx(state, &tx, &[], conjunction(filters))
                    .await?
            }
            None => self.delete_in(state, conjunction(filters)).await?,
        };
        Ok(count_plan(n)?)
    }

    async fn update(
        &self,
        state: &dyn Session,
        assignments: Vec<(String, Expr)>,
        filters: Vec<Expr>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let n = match txn::active(state) {
            Some(tx) => {
                self.change_tx(state, &tx, &assignments, conjunction(filters))
                    .await?
            }
            None => {
                self.update_in(state, assignments, conjunction(filters))
                    .await?
            }
        };
        Ok(count_plan(n)?)
    }

    async fn truncate(&self, state: &dyn Session) -> DFResult<Arc<dyn ExecutionPlan>> {
        let n = self.row_count_estimate() as u64;
        match (txn::active(state), self.me.upgrade()) {
            (Some(tx), Some(me)) => tx.truncate(&me).await?,
            _ => Table::truncate(self).await?,
        }
        Ok(count_plan(n)?)
    }
}

/// The conjunction of the filters DataFusion can turn into a physical predicate (for Parquet
/// row-group statistics pruning); filters that fail to convert are simply not used for pruning.
fn physical_predicate(
    state: &dyn Session,
    schema: &SchemaRef,
    filters: &[Expr],
) -> Option<Arc<dyn datafusion::physical_expr::PhysicalExpr>> {
    let df_schema = DFSchema::try_from(schema.as_ref().clone()).ok()?;
    let usable: Vec<Expr> = filters
        .iter()
        .map(super::dml::unqualify)
        .filter(|f| state.create_physical_expr(f.clone(), &df_schema).is_ok())
        .collect();
    let expr = conjunction(usable)?;
    state.create_physical_expr(expr, &df_schema).ok()
}

fn split_round_robin<T>(items: Vec<T>, n: usize) -> Vec<Vec<T>> {
    let n = n.clamp(1, items.len().max(1));
    let mut out: Vec<Vec<T>> = (0..n).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        if let Some(bucket) = out.get_mut(i % n) {
            bucket.push(item);
        }
    }
    out
}
