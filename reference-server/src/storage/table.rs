//! A table: memtable (acknowledged inserts not yet in segments) + immutable segments.
//!
//! Concurrency: `state` (a short std mutex) guards the memtable and segment list; every
//! operation that replaces segments (flush, compaction, DELETE, UPDATE, TRUNCATE) also holds
//! the async `ops` mutex, so they run one at a time per table while inserts and scans go on.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::compute::{CastOptions, cast_with_options, concat_batches};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::util::display::FormatOptions;

use super::StorageError;
use super::StorageOptions;
use super::catalog::TableDef;
use super::manifest::Manifest;
use super::segment::{self, Segment, SegmentMeta};
use super::timecol::{self, PartitionKey};
use super::wal::{RecordKind, Wal};

/// State shared by all tables of one [`super::Storage`].
pub(crate) struct Shared {
    pub wal: Wal,
    pub opts: StorageOptions,
    pub closed: AtomicBool,
}

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
        Ok(Arc::new_cyclic(|me| Table {
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
        let batch = if batches.len() == 1 {
            batches
                .into_iter()
                .next()
                .ok_or_else(|| StorageError::Corrupt("no batch".into()))?
        } else {
            concat_batches(&self.def.schema, &batches)?
        };
        let rows = batch.num_rows();
        let payload = if self.dir.is_some() {
            encode_ipc(&batch)?
        } else {
            Vec::new()
        };
        let (lsn, mem_rows) = {
            let mut st = self.lock_state()?;
            let lsn = self
                .shared
                .wal
                .append(RecordKind::Insert, self.id, &payload)?;
            st.push(lsn, batch)?;
            (lsn, st.mem_rows)
        };
        self.shared.wal.sync_to(lsn).await?;
        if mem_rows >= self.shared.opts.memtable_rows
            && let Ok(_ops) = self.ops.try_lock()
        {
            // The rows are committed (in the WAL); a failed flush is retried later.
            if let Err(e) = self.flush_and_compact_locked().await {
                tracing::warn!(table = %self.def.name, "flush failed: {e}");
            }
        }
        Ok(rows as u64)
    }

    /// Casts columns to the table's types, checks NOT NULL, and attaches the table schema.
    pub(crate) fn conform(&self, batch: RecordBatch) -> Result<RecordBatch, StorageError> {
        conform(&self.def, batch)
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
        self.commit(segments, hi, next_id, k).await?;
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
                    let size = tokio::task::spawn_blocking(move || {
                        segment::write_parquet(&path, &schema, &[batch])
                    })
                    .await
                    .map_err(|e| StorageError::Io(std::io::Error::other(e)))??;
                    let path = dir.join(&meta.file);
                    Segment::parquet(meta, path, size)
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
        self.commit(list, flushed, next_id, 0).await
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
        self.commit(Vec::new(), lsn, next_id, k).await
    }
}

pub(crate) fn encode_ipc(batch: &RecordBatch) -> Result<Vec<u8>, StorageError> {
    let mut buf = Vec::new();
    let mut w = StreamWriter::try_new(&mut buf, &batch.schema())?;
    w.write(batch)?;
    w.finish()?;
    drop(w);
    Ok(buf)
}

pub(crate) fn decode_ipc(bytes: &[u8]) -> Result<Vec<RecordBatch>, StorageError> {
    let reader = StreamReader::try_new(Cursor::new(bytes), None)?;
    Ok(reader.collect::<Result<Vec<_>, _>>()?)
}

/// Casts columns to the table's types, checks NOT NULL, and attaches the table schema.
pub(crate) fn conform(def: &TableDef, batch: RecordBatch) -> Result<RecordBatch, StorageError> {
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
        if !field.is_nullable() && col.null_count() > 0 {
            return Err(StorageError::NotNullViolation {
                table: def.name.clone(),
                column: field.name().clone(),
            });
        }
        cols.push(col);
    }
    Ok(RecordBatch::try_new(def.schema.clone(), cols)?)
}
