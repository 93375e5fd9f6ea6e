//! Transaction write buffers: while a session's transaction is open, INSERT/COPY/UPDATE/DELETE/
//! TRUNCATE are recorded here instead of reaching the WAL, so other sessions cannot see them and
//! ROLLBACK only has to drop the buffer.
//!
//! The buffer is an ordered log of row-wise operations per table. Every operation decides the fate
//! of each row on its own (no cross-row effects), so the session's view of a table is the committed
//! rows streamed through the log's UPDATE/DELETE/TRUNCATE steps, plus each buffered insert passed
//! through the steps that came after it; nothing of the committed table is materialized.
//!
//! COMMIT replays each table's log against the table's state *at commit time* (predicates are
//! re-evaluated, so concurrent commits are never overwritten with stale rows):
//! - a table with only inserts gets one WAL record, fsynced before COMMIT returns;
//! - any other table is rewritten like a DELETE (flush, rewrite only segments an UPDATE/DELETE may
//!   touch, buffered inserts as new segments) and committed by one manifest swap.
//!
//! Each table's part is atomic and durable. A crash in the middle of committing a transaction
//! that wrote to several tables can leave the earlier tables committed and the later ones not.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::{concat_batches, filter_record_batch, not};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result as DFResult};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::union::UnionExec;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties, execute_stream,
};
use futures::StreamExt;

use super::StorageError;
use super::dml::Prepared;
use super::segment::Segment;
use super::table::Table;
use super::timecol::TimeRange;
use crate::catalog::constraints::KeyIndex;

/// Buffered data above this size fails the statement (PostgreSQL would spill; a time-series
/// server keeps a transaction's writes in memory, so it bounds them instead).
const MAX_BUFFER_BYTES: usize = 512 << 20;

/// One buffered write.
#[derive(Clone)]
pub(crate) enum TxOp {
    Insert(RecordBatch),
    /// DELETE (`update` false) or UPDATE; `range` bounds the time column of rows it can match.
    Change {
        prepared: Arc<Prepared>,
        range: TimeRange,
        update: bool,
    },
    Truncate,
}

struct Pending {
    table: Arc<Table>,
    op: TxOp,
}

#[derive(Default)]
struct Inner {
    active: bool,
    ops: Vec<Pending>,
    bytes: usize,
    /// Per table id: the unique keys of the rows this transaction inserted (built on first
    /// use from the buffered inserts, forgotten when a savepoint rolls some back).
    keys: HashMap<u64, KeyIndex>,
}

/// One session's transaction buffer. Installed as a `SessionConfig` extension, so the storage
/// tables find it in the `Session` DataFusion hands to `scan`, `insert_into`, `delete_from`...
#[derive(Default)]
pub struct TxWrites {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for TxWrites {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.lock();
        f.debug_struct("TxWrites")
            .field("active", &inner.active)
            .field("ops", &inner.ops.len())
            .finish()
    }
}

impl TxWrites {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// While active, writes are buffered; otherwise they go straight to storage (autocommit).
    pub fn set_active(&self, active: bool) {
        self.lock().active = active;
    }

    pub fn is_active(&self) -> bool {
        self.lock().active
    }

    /// A position to roll back to (a savepoint).
    pub fn mark(&self) -> usize {
        self.lock().ops.len()
    }

    /// Drops every write buffered after `mark`.
    pub fn rollback_to(&self, mark: usize) {
        let mut inner = self.lock();
        inner.ops.truncate(mark);
        inner.bytes = inner.ops.iter().map(|p| op_bytes(&p.op)).sum();
        inner.keys.clear();
    }

    /// Drops every buffered write (ROLLBACK).
    pub fn clear(&self) {
        self.rollback_to(0);
    }

    pub fn is_empty(&self) -> bool {
        self.lock().ops.is_empty()
    }

    pub(crate) fn push(&self, table: &Arc<Table>, op: TxOp) -> Result<(), StorageError> {
        let mut inner = self.lock();
        let bytes = inner.bytes.saturating_add(op_bytes(&op));
        if bytes > MAX_BUFFER_BYTES {
            return Err(StorageError::DataFusion(
                DataFusionError::ResourcesExhausted(format!(
                    "a transaction may buffer at most {} MiB of written rows",
                    MAX_BUFFER_BYTES >> 20
                )),
            ));
        }
        inner.bytes = bytes;
        inner.ops.push(Pending {
            table: table.clone(),
            op,
        });
        Ok(())
    }

    /// The buffered writes to one table, oldest first.
    pub(crate) fn ops_for(&self, table_id: u64) -> Vec<TxOp> {
        self.lock()
            .ops
            .iter()
            .filter(|p| p.table.id == table_id)
            .map(|p| p.op.clone())
            .collect()
    }

    /// INSERT/COPY rows: buffered while active, else inserted durably now.
    pub async fn insert(
        &self,
        table: &Arc<Table>,
        batches: Vec<RecordBatch>,
    ) -> Result<u64, StorageError> {
        if !self.is_active() {
            return table.insert(batches).await;
        }
        table.check_usable()?;
        let batches = batches
            .into_iter()
            .map(|b| table.conform(b))
            .collect::<Result<Vec<_>, _>>()?;
        let batch = concat_batches(&table.def.schema, &batches)?;
        let rows = batch.num_rows() as u64;
        if rows > 0 {
            self.check_unique(table, &batch).await?;
            self.push(table, TxOp::Insert(batch))?;
        }
        Ok(rows)
    }

    /// PostgreSQL refuses a duplicate key when the row is written, not at COMMIT: `batch` is
    /// checked against the committed rows and this transaction's earlier inserts (whose keys
    /// it then joins). Once the transaction has updated, deleted or truncated rows of the
    /// table, the check is left to COMMIT, which checks every row.
    async fn check_unique(
        &self,
        table: &Arc<Table>,
        batch: &RecordBatch,
    ) -> Result<(), StorageError> {
        let rules = table.rules();
        if !rules.has_unique() {
            return Ok(());
        }
        let mut earlier = Vec::new();
        for op in self.ops_for(table.id) {
            match op {
                TxOp::Insert(b) => earlier.push(b),
                _ => return Ok(()),
            }
        }
        table.check_unique(batch).await?;
        let mut inner = self.lock();
        let keys = match inner.keys.entry(table.id) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(KeyIndex::build(rules, &earlier)?),
        };
        keys.insert(rules, table.def(), batch)
    }

    /// TRUNCATE: buffered while active, else applied durably now.
    pub async fn truncate(&self, table: &Arc<Table>) -> Result<(), StorageError> {
        if !self.is_active() {
            return table.truncate().await;
        }
        table.check_usable()?;
        self.push(table, TxOp::Truncate)
    }

    /// Applies and empties the buffer (see the module docs for what is atomic). The buffer is
    /// emptied even on error: a failed COMMIT ends the transaction, as in PostgreSQL.
    pub async fn commit(&self) -> Result<(), StorageError> {
        let ops = std::mem::take(&mut self.lock().ops);
        self.lock().bytes = 0;
        let mut groups: Vec<(Arc<Table>, Vec<TxOp>)> = Vec::new();
        for p in ops {
            match groups.iter_mut().find(|(t, _)| t.id == p.table.id) {
                Some((_, list)) => list.push(p.op),
                None => groups.push((p.table, vec![p.op])),
            }
        }
        for (table, ops) in groups {
            if table.dropped.load(std::sync::atomic::Ordering::Acquire) {
                continue; // dropped since (DDL is not transactional): its writes have no target
            }
            if ops.iter().all(|o| matches!(o, TxOp::Insert(_))) {
                let batches = ops
                    .into_iter()
                    .filter_map(|o| match o {
                        TxOp::Insert(b) => Some(b),
                        _ => None,
                    })
                    .collect();
                table.insert(batches).await?;
            } else {
                table.apply_tx(&ops).await?;
            }
        }
        Ok(())
    }
}

fn op_bytes(op: &TxOp) -> usize {
    match op {
        TxOp::Insert(b) => b.get_array_memory_size(),
        _ => 0,
    }
}

/// The buffer of the session DataFusion runs a plan for, if its transaction is open.
pub(crate) fn active(state: &dyn Session) -> Option<Arc<TxWrites>> {
    state
        .config()
        .get_extension::<TxWrites>()
        .filter(|t| t.is_active())
}

impl TxOp {
    /// Applies this operation to rows; returns the rows after it and how many it matched.
    fn apply(&self, table: &Table, b: RecordBatch) -> Result<(RecordBatch, usize), StorageError> {
        match self {
            TxOp::Insert(_) => Ok((b, 0)),
            TxOp::Truncate => {
                let n = b.num_rows();
                Ok((b.slice(0, 0), n))
            }
            TxOp::Change {
                prepared, update, ..
            } => {
                let mask = table.matches(prepared, &b)?;
                let hits = mask.true_count();
                if hits == 0 {
                    return Ok((b, 0));
                }
                let keep = filter_record_batch(&b, &not(&mask)?)?;
                if !update {
                    return Ok((keep, hits));
                }
                let changed =
                    table.apply_assignments(prepared, &filter_record_batch(&b, &mask)?)?;
                Ok((concat_batches(&table.def.schema, [&keep, &changed])?, hits))
            }
        }
    }
}

/// Passes rows through `ops` in order; returns the result and how many rows any op matched.
fn apply_all(
    table: &Table,
    ops: &[TxOp],
    mut b: RecordBatch,
) -> Result<(RecordBatch, usize), StorageError> {
    let mut hits = 0;
    for op in ops {
        if b.num_rows() == 0 {
            break;
        }
        let (next, n) = op.apply(table, b)?;
        hits += n;
        b = next;
    }
    Ok((b, hits))
}

/// Buffered inserts as they look after the operations that followed them.
fn inserted_rows(table: &Table, ops: &[TxOp]) -> Result<Vec<RecordBatch>, StorageError> {
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if let TxOp::Insert(b) = op {
            let (b, _) = apply_all(table, ops.get(i + 1..).unwrap_or_default(), b.clone())?;
            if b.num_rows() > 0 {
                out.push(b);
            }
        }
    }
    Ok(out)
}

/// The operations committed rows go through: all but inserts, unless a TRUNCATE removes them.
fn committed_ops(ops: &[TxOp]) -> Option<Vec<TxOp>> {
    if ops.iter().any(|o| matches!(o, TxOp::Truncate)) {
        return None;
    }
    Some(
        ops.iter()
            .filter(|o| !matches!(o, TxOp::Insert(_)))
            .cloned()
            .collect(),
    )
}

impl Table {
    /// A scan of this table as the session with buffered `ops` sees it.
    pub(crate) async fn scan_tx(
        &self,
        state: &dyn Session,
        ops: &[TxOp],
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let schema = self.loose.clone();
        let mut children: Vec<Arc<dyn ExecutionPlan>> = Vec::new();
        if let Some(steps) = committed_ops(ops) {
            if steps.is_empty() {
                children.push(self.scan_committed(state, projection, filters).await?);
            } else {
                // An UPDATE can move rows into the filters' range: prune nothing then.
                let has_update = steps
                    .iter()
                    .any(|o| matches!(o, TxOp::Change { update: true, .. }));
                let pushed = if has_update { &[][..] } else { filters };
                let input = self.scan_committed(state, None, pushed).await?;
                let table = self
                    .me
                    .upgrade()
                    .ok_or_else(|| StorageError::NotFound(self.def.name.clone()))?;
                children.push(Arc::new(TxOverlayExec::new(
                    input,
                    table,
                    Arc::new(steps),
                    projection.cloned(),
                )?));
            }
        }
        let inserted = inserted_rows(self, ops)?;
        if !inserted.is_empty() {
            children.push(MemorySourceConfig::try_new_exec(
                &[inserted],
                schema.clone(),
                projection.cloned(),
            )?);
        }
        match children.len() {
            0 => {
                let projected = match projection {
                    Some(p) => Arc::new(schema.project(p)?),
                    None => schema,
                };
                Ok(Arc::new(EmptyExec::new(projected)))
            }
            1 => children
                .pop()
                .ok_or_else(|| DataFusionError::Internal("no scan".into())),
            _ => UnionExec::try_new(children),
        }
    }

    /// DELETE/UPDATE inside a transaction: validated and counted against the session's view
    /// now, buffered for COMMIT (where the predicate is evaluated again on committed rows).
    pub(crate) async fn change_tx(
        &self,
        state: &dyn Session,
        tx: &TxWrites,
        assignments: &[(String, Expr)],
        predicate: Option<Expr>,
    ) -> Result<u64, StorageError> {
        self.check_usable()?;
        let table = self
            .me
            .upgrade()
            .ok_or_else(|| StorageError::NotFound(self.def.name.clone()))?;
        let op = TxOp::Change {
            prepared: Arc::new(self.prepare(state, assignments, predicate.as_ref())?),
            range: self.filter_range(predicate.as_slice()),
            update: !assignments.is_empty(),
        };
        let mut ops = tx.ops_for(self.id);
        let plan = self
            .scan_tx(state, &ops, None, predicate.as_slice())
            .await?;
        let mut stream = execute_stream(plan, state.task_ctx())?;
        let mut hits = 0u64;
        while let Some(b) = stream.next().await {
            let (_, n) = op.apply(self, b?)?;
            hits += n as u64;
        }
        if hits > 0 && self.sets_key(assignments) {
            ops.push(op.clone());
            self.check_keys_tx(state, &ops).await?;
        }
        tx.push(&table, op)?;
        Ok(hits)
    }

    /// Whether an UPDATE's assignments change a unique key column (`c = c` changes nothing).
    fn sets_key(&self, assignments: &[(String, Expr)]) -> bool {
        assignments.iter().any(|(name, expr)| {
            let same = matches!(expr, Expr::Column(c) if c.name == *name);
            !same
                && self
                    .def
                    .schema
                    .index_of(name)
                    .is_ok_and(|i| self.rules.is_key_column(i))
        })
    }

    /// 23505 if the table as the session sees it after `ops` holds a duplicate key:
    /// PostgreSQL refuses the UPDATE itself, not the COMMIT.
    async fn check_keys_tx(&self, state: &dyn Session, ops: &[TxOp]) -> Result<(), StorageError> {
        let plan = self.scan_tx(state, ops, None, &[]).await?;
        let mut stream = execute_stream(plan, state.task_ctx())?;
        let mut keys = KeyIndex::build(&self.rules, &[])?;
        while let Some(b) = stream.next().await {
            let b = b?;
            let b = RecordBatch::try_new(self.def.schema.clone(), b.columns().to_vec())?;
            keys.insert(&self.rules, &self.def, &b)?;
        }
        Ok(())
    }

    /// Commits one table's buffered log that holds more than inserts, as one manifest swap.
    async fn apply_tx(&self, ops: &[TxOp]) -> Result<(), StorageError> {
        self.check_usable()?;
        let _ops = self.ops.lock().await;
        self.flush_locked().await?;
        let (segments, flushed, mut next_id) = {
            let st = self.lock_state()?;
            (st.segments.clone(), st.flushed_lsn, st.next_segment_id)
        };
        let mut touched: HashSet<u64> = HashSet::new();
        let mut outputs: Vec<RecordBatch> = Vec::new();
        let mut removed: Vec<RecordBatch> = Vec::new();
        let steps = committed_ops(ops);
        let truncated = steps.is_none();
        match steps {
            None => touched.extend(segments.iter().map(|s| s.meta.id)),
            Some(steps) => {
                for seg in self.candidates(&segments, &steps) {
                    let mut out = Vec::new();
                    let mut hits = 0;
                    let before = seg.read(&self.def.schema).await?;
                    for b in &before {
                        let (b, n) = apply_all(self, &steps, b.clone())?;
                        hits += n;
                        out.push(b);
                    }
                    if hits > 0 {
                        touched.insert(seg.meta.id);
                        removed.extend(before);
                        outputs.extend(out.into_iter().filter(|b| b.num_rows() > 0));
                    }
                }
            }
        }
        outputs.extend(inserted_rows(self, ops)?);
        if touched.is_empty() && outputs.is_empty() {
            return Ok(());
        }
        // The unique-key index follows the rows (and refuses a key a concurrent commit took);
        // after a TRUNCATE it is rebuilt from the rows on next use.
        if truncated {
            self.reset_keys().await;
        } else {
            self.change_keys(&removed, &outputs).await?;
        }
        let written = async {
            let new = self.write_segments(outputs, &mut next_id).await?;
            let mut list: Vec<Arc<Segment>> = segments
                .into_iter()
                .filter(|s| !touched.contains(&s.meta.id))
                .collect();
            list.extend(new);
            self.commit(list, flushed, next_id, 0).await
        }
        .await;
        if written.is_err() {
            self.reset_keys().await;
        }
        written
    }

    /// Segments holding rows some UPDATE/DELETE of `steps` may match.
    fn candidates(&self, segments: &[Arc<Segment>], steps: &[TxOp]) -> Vec<Arc<Segment>> {
        let mut ids = HashSet::new();
        let mut out = Vec::new();
        for op in steps {
            let range = match op {
                TxOp::Change { range, .. } => *range,
                _ => TimeRange::default(),
            };
            for s in self.prune(segments, &range) {
                if ids.insert(s.meta.id) {
                    out.push(s.clone());
                }
            }
        }
        out
    }
}

/// Streams committed rows through a transaction's buffered UPDATE/DELETE steps.
#[derive(Debug)]
struct TxOverlayExec {
    input: Arc<dyn ExecutionPlan>,
    table: Arc<Table>,
    steps: Arc<Vec<TxOp>>,
    projection: Option<Vec<usize>>,
    schema: SchemaRef,
    props: Arc<PlanProperties>,
}

impl std::fmt::Debug for TxOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TxOp::Insert(b) => write!(f, "Insert({} rows)", b.num_rows()),
            TxOp::Change { update, .. } => {
                write!(f, "{}", if *update { "Update" } else { "Delete" })
            }
            TxOp::Truncate => write!(f, "Truncate"),
        }
    }
}

impl TxOverlayExec {
    fn new(
        input: Arc<dyn ExecutionPlan>,
        table: Arc<Table>,
        steps: Arc<Vec<TxOp>>,
        projection: Option<Vec<usize>>,
    ) -> DFResult<Self> {
        let schema = match &projection {
            Some(p) => Arc::new(table.loose.project(p)?),
            None => table.loose.clone(),
        };
        let partitions = input.properties().output_partitioning().partition_count();
        let props = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Incremental,
            Boundedness::Bounded,
        ));
        Ok(Self {
            input,
            table,
            steps,
            projection,
            schema,
            props,
        })
    }
}

impl DisplayAs for TxOverlayExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "TxOverlayExec: steps={}", self.steps.len())
    }
}

impl ExecutionPlan for TxOverlayExec {
    fn name(&self) -> &str {
        "TxOverlayExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DFResult<TreeNodeRecursion>,
    ) -> DFResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let input = children
            .into_iter()
            .next()
            .ok_or_else(|| DataFusionError::Internal("TxOverlayExec needs one child".into()))?;
        Ok(Arc::new(Self::new(
            input,
            self.table.clone(),
            self.steps.clone(),
            self.projection.clone(),
        )?))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let table = self.table.clone();
        let steps = self.steps.clone();
        let projection = self.projection.clone();
        let out = input.map(move |b| {
            let (b, _) = apply_all(&table, &steps, b?)?;
            Ok(match &projection {
                Some(p) => b.project(p)?,
                None => b,
            })
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            out,
        )))
    }
}
