//! Segments: immutable, time-partitioned chunks of a table's flushed rows. A segment is a
//! Parquet file (durable tables) or a list of Arrow batches (in-memory storage); both are
//! produced, pruned, rewritten and compacted by the same code.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use serde::{Deserialize, Serialize};

use super::StorageError;
use super::fsutil;
use super::timecol::PartitionKey;

#[derive(Debug)]
pub(crate) enum SegmentData {
    Memory(Vec<RecordBatch>),
    Parquet { path: PathBuf, size: u64 },
}

/// Bytes of Arrow data all Parquet segments of the process may keep in memory (see
/// [`Segment::with_cache`]).
const CACHE_BYTES: usize = 1 << 30;
/// Bytes currently kept.
static CACHED: AtomicUsize = AtomicUsize::new(0);
/// Rows per cached batch: DataFusion's batch size, so scans of cached rows stream and
/// spread over partitions like Parquet scans do.
const CACHE_BATCH_ROWS: usize = 8192;

#[derive(Debug)]
pub(crate) struct Segment {
    pub meta: SegmentMeta,
    pub data: SegmentData,
    /// Set when a committed manifest no longer lists this segment; the file is deleted once
    /// the last reader (scans pin segments) lets go.
    obsolete: AtomicBool,
    /// The rows of a Parquet segment still in memory from when it was written.
    cache: Option<Cache>,
}

#[derive(Debug)]
struct Cache {
    batches: Vec<RecordBatch>,
    bytes: usize,
}

/// What the manifest records about a Parquet segment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct SegmentMeta {
    pub id: u64,
    /// Partition number (time / partition width), None = NULL times or no time column.
    pub partition: PartitionKey,
    /// Inclusive min/max of the time column in microseconds, None if unknown/all NULL.
    pub range: Option<(i64, i64)>,
    pub rows: usize,
    /// Path relative to the table directory (Parquet segments only).
    #[serde(default)]
    pub file: String,
}

/// Keeps a segment (and its file) alive while a scan plan or stream references it.
#[derive(Debug)]
pub(crate) struct SegmentPin {
    pub _segment: Arc<Segment>,
}

impl Segment {
    pub fn memory(meta: SegmentMeta, batches: Vec<RecordBatch>) -> Self {
        Segment {
            meta,
            data: SegmentData::Memory(batches),
            obsolete: AtomicBool::new(false),
            cache: None,
        }
    }

    pub fn parquet(meta: SegmentMeta, path: PathBuf, size: u64) -> Self {
        Segment {
            meta,
            data: SegmentData::Parquet { path, size },
            obsolete: AtomicBool::new(false),
            cache: None,
        }
    }

    /// A Parquet segment listed by a manifest; checks the file exists.
    pub fn open_parquet(meta: SegmentMeta, table_dir: &Path) -> Result<Self, StorageError> {
        let path = table_dir.join(&meta.file);
        let size = std::fs::metadata(&path)
            .map_err(|e| {
                StorageError::Corrupt(format!(
                    "segment file {} listed in manifest: {e}",
                    path.display()
                ))
            })?
            .len();
        Ok(Segment {
            meta,
            data: SegmentData::Parquet { path, size },
            obsolete: AtomicBool::new(false),
            cache: None,
        })
    }

    /// Keeps `batches` (this Parquet segment's rows, just written) in memory for scans and
    /// compaction, while the process-wide budget allows: decoding Parquet costs more than
    /// the query that reads it.
    pub fn with_cache(mut self, batches: &[RecordBatch]) -> Self {
        let bytes: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
        let reserved = CACHED
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&n| n <= CACHE_BYTES)
            })
            .is_ok();
        if reserved {
            let batches = batches
                .iter()
                .flat_map(|b| {
                    (0..b.num_rows())
                        .step_by(CACHE_BATCH_ROWS)
                        .map(|at| b.slice(at, CACHE_BATCH_ROWS.min(b.num_rows() - at)))
                })
                .collect();
            self.cache = Some(Cache { batches, bytes });
        }
        self
    }

    /// The segment's rows when they are in memory (memory segments, cached Parquet ones).
    pub fn in_memory(&self) -> Option<&[RecordBatch]> {
        match (&self.data, &self.cache) {
            (SegmentData::Memory(b), _) => Some(b),
            (_, Some(c)) => Some(&c.batches),
            _ => None,
        }
    }

    pub fn mark_obsolete(&self) {
        self.obsolete.store(true, Ordering::Release);
    }

    /// All rows of the segment, with the table's schema (including field metadata).
    pub async fn read(&self, schema: &SchemaRef) -> Result<Vec<RecordBatch>, StorageError> {
        if let Some(c) = &self.cache {
            return Ok(c.batches.clone());
        }
        match &self.data {
            SegmentData::Memory(b) => Ok(b.clone()),
            SegmentData::Parquet { path, .. } => {
                let path = path.clone();
                let schema = schema.clone();
                tokio::task::spawn_blocking(move || read_parquet(&path, &schema))
                    .await
                    .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
            }
        }
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        if let Some(c) = &self.cache {
            CACHED.fetch_sub(c.bytes, Ordering::AcqRel);
        }
        if self.obsolete.load(Ordering::Acquire)
            && let SegmentData::Parquet { path, .. } = &self.data
        {
            // Best effort: a leftover file is not in any manifest and is removed on next open.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Directory name of a partition: its UTC start time, readable by operators.
pub(crate) fn partition_dir(key: PartitionKey, width_micros: i64) -> String {
    match key {
        None => "all".to_string(),
        Some(k) => {
            let start = k.saturating_mul(width_micros);
            match chrono::DateTime::from_timestamp_micros(start) {
                Some(t) => t.format("%Y%m%dT%H%M%SZ").to_string(),
                None => format!("p{start}"),
            }
        }
    }
}

/// LZ4: several times cheaper than ZSTD to write (flushes) and to read (scans), for files
/// somewhat larger.
fn writer_props() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::LZ4_RAW)
        .set_statistics_enabled(EnabledStatistics::Page)
        .build()
}

/// Writes `batches` as a durable Parquet file (fsync file and directory) and returns its size.
pub(crate) fn write_parquet(
    path: &Path,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<u64, StorageError> {
    if let Some(dir) = path.parent() {
        fsutil::create_dir_durable(dir)?;
    }
    let file = File::create(path)?;
    let mut w = ArrowWriter::try_new(file, schema.clone(), Some(writer_props()))?;
    for b in batches {
        w.write(b)?;
    }
    let file = w.into_inner()?;
    file.sync_all()?;
    let size = file.metadata()?.len();
    if let Some(dir) = path.parent() {
        fsutil::sync_dir(dir)?;
    }
    Ok(size)
}

fn read_parquet(path: &Path, schema: &SchemaRef) -> Result<Vec<RecordBatch>, StorageError> {
    let corrupt = |e: &dyn std::fmt::Display| {
        StorageError::Corrupt(format!("segment file {}: {e}", path.display()))
    };
    let file = File::open(path)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| corrupt(&e))?
        .build()
        .map_err(|e| corrupt(&e))?;
    let mut out = Vec::new();
    for b in reader {
        let b = b.map_err(|e| corrupt(&e))?;
        out.push(
            RecordBatch::try_new(schema.clone(), b.columns().to_vec()).map_err(|e| corrupt(&e))?,
        );
    }
    Ok(out)
}
