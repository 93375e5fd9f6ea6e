//! A table: memtable (acknowledged inserts not yet in segments) + immutable segments.
//!
//! Concurrency: `state` (a short std mutex) guards the memtable and segment list; every
//! operation that replaces segments (flush, compaction, DELETE, UPDATE, TRUNCATE) also holds
//! the async `ops` mutex, so they run one at a time per table while inserts and scans go on.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use datafusion::arrow::array::AsArray;
use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::compute::{CastOptions, cast_with_options, concat_batches};
use datafusion::arrow::datatypes::{DataType, Int64Type, SchemaRef};
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::util::display::FormatOptions;

use super::StorageError;
use super::StorageOptions;
use super::catalog::TableDef;
use super::lookup::Slot;
use super::manifest::Manifest;
use super::segment::{self, Segment, SegmentMeta};
use super::timecol::{self, PartitionKey};
use super::wal::{RecordKind, Wal};
use crate::catalog::constraints::{KeyIndex, Rules};

/// State shared by all tables of one [`super::Storage`].
pub(crate) struct Shared {
    pub wal: Wal,
    pub opts: StorageOptions,
    pub closed: AtomicBool,
}

/// An insert of at least this many rows (a bulk COPY) is acknowledged once its WAL record
/// is durable, without waiting for the memtable flush it triggers: that runs in the
/// background. Smaller inserts flush inline, which paces a stream of them.
const BACKGROUND_FLUSH_ROWS: usize = 65_536;
/// Inserts wait for the flush when this many memtables' worth of older rows are unflushed.
const BACKLOG_MEMTABLES: usize = 4;

/// Memtable entries smaller than this are merged together to keep scans cheap.
const SMALL_BATCH_ROWS: usize = 1024;
const SMALL_TAIL_MERGE: usize = 64;

/// Acknowledged rows not yet in a segment, tagged with the WAL LSNs they came from.
pub(crate) struct MemEntry {
    pub lo: u64,
    pub hi: u64,
    pub batch: RecordBatch,
}

#[derive(Default)]
pub(crate) struct State {
    pub mem: Vec<MemEntry>,
    pub mem_rows: usize,
    small_tail: usize,
    /// Leading entries a running flush/truncate will drain; merging must not touch them.
    frozen: usize,
    pub segments: Vec<Arc<Segment>>,
    /// The unique-key → row index of point lookups (see [`super::lookup`]).
    pub(crate) lookup: Slot,
    pub flushed_lsn: u64,
    pub next_segment_id: u64,
}

impl State {
    pub fn new() -> Self {
        State {
            next_segment_id: 1,
            ..State::default()
        }
    }

    pub fn from_manifest(m: &Manifest, segments: Vec<Arc<Segment>>) -> Self {
        State {
            segments,
            flushed_lsn: m.flushed_lsn,
            next_segment_id: m.next_segment_id,
            ..State::default()
        }
    }

    pub fn push(&mut self, lsn: u64, batch: RecordBatch) -> Result<(), StorageError> {
        self.mem_rows += batch.num_rows();
        self.lookup.on_insert(&batch);
        let small = batch.num_rows() < SMALL_BATCH_ROWS;
        self.mem.push(MemEntry {
            lo: lsn,
            hi: lsn,
            batch,
        });
        self.small_tail = if small { self.small_tail + 1 } else { 0 };
        if self.small_tail >= SMALL_TAIL_MERGE {
            self.merge_tail(self.small_tail)?;
        }
        Ok(())
    }

    fn merge_tail(&mut self, n: usize) -> Result<(), StorageError> {
        let start = self.mem.len().saturating_sub(n).max(self.frozen);
        if self.mem.len() < start + 2 {
            return Ok(());
        }
        let tail = self.mem.get(start..).unwrap_or_default();
        let (Some(first), Some(last)) = (tail.first(), tail.last()) else {
            return Ok(());
        };
        let (lo, hi) = (first.lo, last.hi);
        let batch = concat_batches(&first.batch.schema(), tail.iter().map(|e| &e.batch))?;
        self.mem.truncate(start);
        self.small_tail = 0;
        self.mem.push(MemEntry { lo, hi, batch });
        Ok(())
    }

    fn oldest_unflushed(&self) -> Option<u64> {
        self.mem.first().map(|e| e.lo)
    }
}

/// A durable (or in-memory) table. Implements DataFusion's `TableProvider`.
pub struct Table {
    pub(crate) def: TableDef,
    pub(crate) id: u64,
    pub(crate) time_idx: Option<usize>,
    pub(crate) width: i64,
    /// The table's directory; None for in-memory storage.
    pub(crate) dir: Option<PathBuf>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) state: Mutex<State>,
    pub(crate) ops: tokio::sync::Mutex<()>,
    pub(crate) dropped: AtomicBool,
    /// `def.schema` with every field nullable (what DataFusion sees; see `TableProvider::schema`).
    pub(crate) loose: SchemaRef,
    /// Compiled constraints and defaults of `def`.
    pub(crate) rules: Rules,
    /// Unique keys (tables with PRIMARY KEY / UNIQUE only): `None` until first needed, and
    /// after a DELETE / TRUNCATE / failed write, when it is rebuilt from the rows.
    pub(crate) keys: tokio::sync::Mutex<Option<KeyIndex>>,
    /// Self reference for plans that outlive a borrowed `&Table` (INSERT sinks).
    pub(crate) me: Weak<Table>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.def.name)
            .field("id", &self.id)
            .finish()
    }
}

impl Table {
    pub(crate) fn new(
        def: TableDef,
        id: u64,
        width: i64,
        dir: Option<PathBuf>,
        shared: Arc<Shared>,
        state: State,
    ) -> Result<Arc<Self>, StorageError> {
        let time_idx = def.time_index()?;
        let rules = Rules::compile(&def)?;
        let loose = Arc::new(datafusion::arrow::datatypes::Schema::new_with_metadata(
            def.schema
                .fields()
                .iter()
                .map(|f| f.as_ref().clone().with_nullable(true))
                .collect::<Vec<_>>(),
            def.schema.metadata().clone(),
        ));
        Ok(Arc::new_cyclic(|me| Table {
            loose,
            rules,
            keys: tokio::sync::Mutex::new(None),
            def,
            id,
            time_idx,
            width,
            dir,
            shared,
            state: Mutex::new(state),
            ops: tokio::sync::Mutex::new(()),
            dropped: AtomicBool::new(false),
            me: me.clone(),
        }))
    }

    pub fn def(&self) -> &TableDef {
        &self.def
    }

    pub fn schema(&self) -> SchemaRef {
        self.def.schema.clone()
    }

    /// Rows in memtable and segments (exact unless a DELETE/UPDATE is running).
    pub fn row_count_estimate(&self) -> usize {
        self.lock_state().map_or(0, |st| {
            st.mem_rows + st.segments.iter().map(|s| s.meta.rows).sum::<usize>()
        })
    }

    /// Number of live segments (Parquet files for durable storage).
    pub fn segment_count(&self) -> usize {
        self.lock_state().map_or(0, |st| st.segments.len())
    }

    pub(crate) fn lock_state(&self) -> Result<MutexGuard<'_, State>, StorageError> {
        self.state.lock().map_err(|_| {
            StorageError::Poisoned(format!("table \"{}\" lock poisoned", self.def.name))
        })
    }

    pub(crate) fn check_usable(&self) -> Result<(), StorageError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(StorageError::Closed);
        }
        if self.dropped.load(Ordering::Acquire) {
            return Err(StorageError::NotFound(self.def.name.clone()));
        }
        Ok(())
    }

    /// Inserts rows: validated, logged to the WAL and fsynced (group commit) before returning.
    /// All batches of one call are one WAL record: applied whole or not at all.
    pub async fn insert(&self, batches: Vec<RecordBatch>) -> Result<u64, StorageError> {
        self.check_usable()?;
        let batches = batches
            .into_iter()
            .map(|b| self.conform(b))
            .filter(|b| b.as_ref().map_or(true, |b| b.num_rows() > 0))
            .collect::<Result<Vec<_>, _>>()?;
        if batches.is_empty() {
            return Ok(0);
        }
        // Unique keys are checked and reserved on one batch, all or nothing; other tables
        // keep the batches as they come (a COPY's are large), without copying them together.
        let batches = if self.rules.has_unique() && batches.len() > 1 {
            vec![concat_batches(&self.def.schema, &batches)?]
        } else {
            batches
        };
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let payload = if self.dir.is_some() {
            encode_ipc(&batches)?
        } else {
            Vec::new()
        };
        // Held until the rows are in the memtable, so concurrent inserts of one key serialize.
        let mut keys = self.keys.lock().await;
        if self.rules.has_unique() {
            self.ensure_keys(&mut keys).await?;
            if let Some(k) = keys.as_mut() {
                for b in &batches {
                    k.insert(&self.rules, &self.def, b)?;
                }
            }
        }
        let appended = (|| {
            let mut st = self.lock_state()?;
            let lsn = self
                .shared
                .wal
                .append(RecordKind::Insert, self.id, &payload)?;
            for b in batches {
                st.push(lsn, b)?;
            }
            Ok::<_, StorageError>((lsn, st.mem_rows))
        })();
        let (lsn, mem_rows) = match appended {
            Ok(v) => v,
            Err(e) => {
                *keys = None;
                return Err(e);
            }
        };
        drop(keys);
        self.shared.wal.sync_to(lsn).await?;
        // The rows are committed (in the WAL); a failed flush is retried later.
        let memtable_rows = self.shared.opts.memtable_rows;
        if mem_rows < memtable_rows {
            return Ok(rows as u64);
        }
        let backlog = mem_rows - rows >= memtable_rows.saturating_mul(BACKLOG_MEMTABLES);
        if rows >= BACKGROUND_FLUSH_ROWS && !backlog {
            if let Some(me) = self.me.upgrade() {
                tokio::spawn(async move {
                    if let Ok(_ops) = me.ops.try_lock() {
                        me.flush_logged().await;
                    }
                });
            }
        } else if backlog {
            let _ops = self.ops.lock().await;
            self.flush_logged().await;
        } else if let Ok(_ops) = self.ops.try_lock() {
            self.flush_logged().await;
        }
        Ok(rows as u64)
    }

    /// Flushes and compacts (callers hold `ops`); a failure is logged, the WAL keeps the rows.
    async fn flush_logged(&self) {
        if self.dropped.load(Ordering::Acquire) || self.shared.closed.load(Ordering::Acquire) {
            return;
        }
        // A table dropped while its flush ran has nothing left to flush: not worth a warning.
        if let Err(e) = self.flush_and_compact_locked().await
            && !self.dropped.load(Ordering::Acquire)
        {
            tracing::warn!(table = %self.def.name, "flush failed: {e}");
        }
    }

    /// Casts columns to the table's types, checks NOT NULL and CHECK constraints, and
    /// attaches the table schema. Uniqueness is checked when rows are written.
    pub fn conform(&self, batch: RecordBatch) -> Result<RecordBatch, StorageError> {
        let loose = cast_columns(&self.def, batch)?;
        self.rules.check_rows(&self.def, &loose)?;
        Ok(RecordBatch::try_new(
            self.def.schema.clone(),
            loose.columns().to_vec(),
        )?)
    }

    /// Builds the unique-key index from the table's rows if it is not built.
    async fn ensure_keys(&self, keys: &mut Option<KeyIndex>) -> Result<(), StorageError> {
        if keys.is_none() {
            let rows = self.all_rows().await?;
            *keys = Some(KeyIndex::build(&self.rules, &rows)?);
        }
        Ok(())
    }

    /// Fails with 23505 if a row of `batch` (conformed) has the unique key of an existing
    /// row or of another row of the batch; reserves nothing.
    pub async fn check_unique(&self, batch: &RecordBatch) -> Result<(), StorageError> {
        if !self.rules.has_unique() {
            return Ok(());
        }
        let mut keys = self.keys.lock().await;
        self.ensure_keys(&mut keys).await?;
        match keys.as_ref() {
            Some(k) => k.check(&self.rules, &self.def, batch).map(|_| ()),
            None => Ok(()),
        }
    }

    /// For each row of `batch`, the index of the first unique constraint it conflicts with.
    pub async fn conflicts(&self, batch: &RecordBatch) -> Result<Vec<Option<usize>>, StorageError> {
        if !self.rules.has_unique() {
            return Ok(vec![None; batch.num_rows()]);
        }
        let mut keys = self.keys.lock().await;
        self.ensure_keys(&mut keys).await?;
        match keys.as_ref() {
            Some(k) => k.conflicts(&self.rules, batch),
            None => Ok(vec![None; batch.num_rows()]),
        }
    }

    /// UPDATE / DELETE: `removed` rows leave the table, `added` rows enter it. Fails with
    /// 23505 (changing nothing) if an added row duplicates a remaining key.
    pub(crate) async fn change_keys(
        &self,
        removed: &[RecordBatch],
        added: &[RecordBatch],
    ) -> Result<(), StorageError> {
        if !self.rules.has_unique() {
            return Ok(());
        }
        let mut keys = self.keys.lock().await;
        self.ensure_keys(&mut keys).await?;
        let Some(k) = keys.as_mut() else {
            return Ok(());
        };
        for b in removed {
            k.remove(&self.rules, b)?;
        }
        let result = match added {
            [] => Ok(()),
            [one] => k.insert(&self.rules, &self.def, one),
            many => concat_batches(&self.def.schema, many)
                .map_err(StorageError::from)
                .and_then(|b| k.insert(&self.rules, &self.def, &b)),
        };
        if result.is_err() {
            // Rebuilt from the (unchanged) rows on next use.
            *keys = None;
        }
        result
    }

    /// Forgets the unique-key index (rebuilt from the rows on next use).
    pub(crate) async fn reset_keys(&self) {
        *self.keys.lock().await = None;
    }

    /// Every row of the table: memtable and all segments.
    pub async fn all_rows(&self) -> Result<Vec<RecordBatch>, StorageError> {
        let (mut rows, segments) = self.snapshot()?;
        for s in segments {
            rows.extend(s.read(&self.def.schema).await?);
        }
        Ok(rows)
    }

    /// Starts `serial` sequences after the column's current maximum (once per open).
    pub async fn prepare_sequences(&self) -> Result<(), StorageError> {
        if self.rules.sequences.iter().all(|(_, s)| s.is_initialised()) {
            return Ok(());
        }
        let rows = self.all_rows().await?;
        for (idx, seq) in &self.rules.sequences {
            let mut max: Option<i64> = None;
            for b in &rows {
                let Some(col) = b.columns().get(*idx) else {
                    continue;
                };
                let col = cast_with_options(col, &DataType::Int64, &CastOptions::default())?;
                if let Some(m) = col
                    .as_primitive_opt::<Int64Type>()
                    .and_then(datafusion::arrow::compute::max)
                {
                    max = Some(max.map_or(m, |x| x.max(m)));
                }
            }
            seq.init_after(max);
        }
        Ok(())
    }

    /// Compiled constraints and defaults.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Memtable batches and live segments, consistent with each other.
    pub(crate) fn snapshot(&self) -> Result<(Vec<RecordBatch>, Vec<Arc<Segment>>), StorageError> {
        let st = self.lock_state()?;
        Ok((
            st.mem.iter().map(|e| e.batch.clone()).collect(),
            st.segments.clone(),
        ))
    }

    /// Flushes the memtable to segments. Callers hold `ops`.
    pub(crate) async fn flush_locked(&self) -> Result<Vec<PartitionKey>, StorageError> {
        let (k, batches, hi, mut next_id, current) = {
            let mut st = self.lock_state()?;
            st.frozen = st.mem.len();
            let Some(last) = st.mem.last() else {
                return Ok(Vec::new());
            };
            (
                st.mem.len(),
                st.mem.iter().map(|e| e.batch.clone()).collect::<Vec<_>>(),
                last.hi,
                st.next_segment_id,
                st.segments.clone(),
            )
        };
        self.shared.wal.sync_to(hi).await?;
        let merged = concat_batches(&self.def.schema, &batches)?;
        drop(batches);
        let new = self.write_segments(vec![merged], &mut next_id).await?;
        let touched = new.iter().map(|s| s.meta.partition).collect();
        let mut segments = current;
        segments.extend(new);
        self.commit_rows(segments, hi, next_id, k, true).await?;
        Ok(touched)
    }

    pub(crate) async fn flush_and_compact_locked(&self) -> Result<(), StorageError> {
        let touched = self.flush_locked().await?;
        if !touched.is_empty() {
            self.compact_locked().await?;
        }
        Ok(())
    }

    /// Flushes the memtable (and compacts) now.
    pub async fn flush(&self) -> Result<(), StorageError> {
        let _ops = self.ops.lock().await;
        if self.dropped.load(Ordering::Acquire) {
            return Ok(());
        }
        self.flush_and_compact_locked().await
    }

    /// Sorts rows by time, splits them per partition and writes one segment per partition.
    pub(crate) async fn write_segments(
        &self,
        batches: Vec<RecordBatch>,
        next_id: &mut u64,
    ) -> Result<Vec<Arc<Segment>>, StorageError> {
        let mut parts = Vec::new();
        for b in batches.iter().filter(|b| b.num_rows() > 0) {
            parts.extend(timecol::split_by_partition(b, self.time_idx, self.width)?);
        }
        let mut out = Vec::with_capacity(parts.len());
        for timecol::Part { key, batch, range } in parts {
            let id = *next_id;
            *next_id += 1;
            let mut meta = SegmentMeta {
                id,
                partition: key,
                range,
                rows: batch.num_rows(),
                file: String::new(),
            };
            let seg = match &self.dir {
                None => Segment::memory(meta, vec![batch]),
                Some(dir) => {
                    meta.file = format!("{}/{id}.parquet", segment::partition_dir(key, self.width));
                    let path = dir.join(&meta.file);
                    let schema = self.def.schema.clone();
                    let rows = batch.clone();
                    let size = tokio::task::spawn_blocking(move || {
                        segment::write_parquet(&path, &schema, &[batch])
                    })
                    .await
                    .map_err(|e| StorageError::Io(std::io::Error::other(e)))??;
                    let path = dir.join(&meta.file);
                    Segment::parquet(meta, path, size).with_cache(&[rows])
                }
            };
            out.push(Arc::new(seg));
        }
        Ok(out)
    }

    /// Atomically installs a new segment list: writes the manifest (the commit point), then
    /// swaps in-memory state and drops the first `drain` memtable entries (now in segments).
    /// Segments no longer listed are marked obsolete (deleted when unpinned).
    pub(crate) async fn commit(
        &self,
        segments: Vec<Arc<Segment>>,
        flushed_lsn: u64,
        next_segment_id: u64,
        drain: usize,
    ) -> Result<(), StorageError> {
        self.commit_rows(segments, flushed_lsn, next_segment_id, drain, false)
            .await
    }

    /// [`Self::commit`]; `same_rows` = the table holds the same rows after it (flush,
    /// compaction), so the point-lookup index stays valid.
    async fn commit_rows(
        &self,
        segments: Vec<Arc<Segment>>,
        flushed_lsn: u64,
        next_segment_id: u64,
        drain: usize,
        same_rows: bool,
    ) -> Result<(), StorageError> {
        // A background flush that outlived DROP TABLE must not write into its place.
        if self.dropped.load(Ordering::Acquire) {
            return Err(StorageError::NotFound(self.def.name.clone()));
        }
        if let Some(dir) = &self.dir {
            let manifest = Manifest {
                flushed_lsn,
                next_segment_id,
                segments: segments.iter().map(|s| s.meta.clone()).collect(),
                ..Manifest::empty(0)
            };
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || manifest.save(&dir))
                .await
                .map_err(|e| StorageError::Io(std::io::Error::other(e)))??;
        }
        let old = {
            let mut guard = self.lock_state()?;
            let st = &mut *guard;
            let n = drain.min(st.mem.len());
            let drained: usize = st.mem.drain(..n).map(|e| e.batch.num_rows()).sum();
            st.mem_rows = st.mem_rows.saturating_sub(drained);
            st.frozen = 0;
            if st.mem.is_empty() {
                st.small_tail = 0;
            }
            st.flushed_lsn = flushed_lsn;
            st.next_segment_id = next_segment_id;
            if !same_rows {
                st.lookup.invalidate();
            }
            let old = std::mem::replace(&mut st.segments, segments);
            self.shared
                .wal
                .set_unflushed(self.id, st.oldest_unflushed())?;
            old
        };
        let live: Vec<u64> = self
            .lock_state()?
            .segments
            .iter()
            .map(|s| s.meta.id)
            .collect();
        for s in old.iter().filter(|s| !live.contains(&s.meta.id)) {
            s.mark_obsolete();
        }
        drop(old);
        self.shared.wal.cleanup()?;
        Ok(())
    }

    /// Merges partitions holding at least `compact_min_files` small segments. Callers hold `ops`.
    pub(crate) async fn compact_locked(&self) -> Result<(), StorageError> {
        let min_files = self.shared.opts.compact_min_files;
        if min_files < 2 {
            return Ok(());
        }
        let small = self.shared.opts.memtable_rows.saturating_mul(4).max(1);
        let (segments, flushed, mut next_id) = {
            let st = self.lock_state()?;
            (st.segments.clone(), st.flushed_lsn, st.next_segment_id)
        };
        let mut groups: std::collections::BTreeMap<PartitionKey, Vec<Arc<Segment>>> =
            std::collections::BTreeMap::new();
        for s in segments.iter().filter(|s| s.meta.rows < small) {
            groups.entry(s.meta.partition).or_default().push(s.clone());
        }
        let victims: Vec<Arc<Segment>> = groups
            .into_values()
            .filter(|g| g.len() >= min_files)
            .flatten()
            .collect();
        if victims.is_empty() {
            return Ok(());
        }
        let mut merged_parts = std::collections::BTreeMap::<PartitionKey, Vec<RecordBatch>>::new();
        for s in &victims {
            merged_parts
                .entry(s.meta.partition)
                .or_default()
                .extend(s.read(&self.def.schema).await?);
        }
        let mut inputs = Vec::new();
        for batches in merged_parts.into_values() {
            inputs.push(concat_batches(&self.def.schema, &batches)?);
        }
        let new = self.write_segments(inputs, &mut next_id).await?;
        let victim_ids: Vec<u64> = victims.iter().map(|s| s.meta.id).collect();
        let mut list: Vec<Arc<Segment>> = segments
            .into_iter()
            .filter(|s| !victim_ids.contains(&s.meta.id))
            .collect();
        list.extend(new);
        self.commit_rows(list, flushed, next_id, 0, true).await
    }

    /// Removes all rows. Durable before returning.
    pub async fn truncate(&self) -> Result<(), StorageError> {
        self.check_usable()?;
        let _ops = self.ops.lock().await;
        let (k, lsn, next_id) = {
            let mut st = self.lock_state()?;
            st.frozen = st.mem.len();
            (
                st.mem.len(),
                self.shared.wal.last_lsn()?,
                st.next_segment_id,
            )
        };
        self.commit(Vec::new(), lsn, next_id, k).await?;
        self.reset_keys().await;
        Ok(())
    }
}

/// `batches` (one schema) as one Arrow IPC stream: a WAL insert record's payload.
pub(crate) fn encode_ipc(batches: &[RecordBatch]) -> Result<Vec<u8>, StorageError> {
    let Some(first) = batches.first() else {
        return Ok(Vec::new());
    };
    let bytes: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
    let mut buf = Vec::with_capacity(bytes + 4096);
    let mut w = StreamWriter::try_new(&mut buf, &first.schema())?;
    for b in batches {
        w.write(b)?;
    }
    w.finish()?;
    drop(w);
    Ok(buf)
}

pub(crate) fn decode_ipc(bytes: &[u8]) -> Result<Vec<RecordBatch>, StorageError> {
    let reader = StreamReader::try_new(Cursor::new(bytes), None)?;
    Ok(reader.collect::<Result<Vec<_>, _>>()?)
}

/// Casts columns to the table's types and attaches the table schema (WAL replay: rows were
/// checked when first written).
pub(crate) fn conform(def: &TableDef, batch: RecordBatch) -> Result<RecordBatch, StorageError> {
    let loose = cast_columns(def, batch)?;
    Ok(RecordBatch::try_new(
        def.schema.clone(),
        loose.columns().to_vec(),
    )?)
}

/// Casts columns to the table's types, into a batch whose columns are all nullable (so NOT
/// NULL violations can be reported with their row).
fn cast_columns(def: &TableDef, batch: RecordBatch) -> Result<RecordBatch, StorageError> {
    let fields = def.schema.fields();
    if batch.num_columns() != fields.len() {
        return Err(StorageError::SchemaMismatch(format!(
            "table \"{}\" has {} columns, got {}",
            def.name,
            fields.len(),
            batch.num_columns()
        )));
    }
    let opts = CastOptions {
        safe: false,
        format_options: FormatOptions::default(),
    };
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(fields.len());
    for (field, col) in fields.iter().zip(batch.columns()) {
        let col = if col.data_type() == field.data_type() {
            col.clone()
        } else {
            cast_with_options(col, field.data_type(), &opts).map_err(|e| {
                StorageError::SchemaMismatch(format!(
                    "column \"{}\" is {} but value is {}: {e}",
                    field.name(),
                    field.data_type(),
                    col.data_type()
                ))
            })?
        };
        cols.push(col);
    }
    let loose: Vec<_> = fields
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    Ok(RecordBatch::try_new(
        Arc::new(datafusion::arrow::datatypes::Schema::new(loose)),
        cols,
    )?)
}
