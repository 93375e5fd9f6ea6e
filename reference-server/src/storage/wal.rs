//! Write-ahead log with group commit.
//!
//! Files `wal/<first-lsn, 20 digits>.wal`, each a sequence of records
//! `[u32 body length][u32 crc32(body)][body]`, body = `[u64 lsn][u8 kind][u64 table id][payload]`.
//! LSNs increase by one per record. Writers append under a short lock, then wait in
//! [`Wal::sync_to`]: one of them fsyncs for everybody who appended before it (group commit).
//! A segment is fsynced before a new one is started, so only the newest segment can end in a
//! torn record; recovery ignores (and cuts off) such a tail, since it was never acknowledged.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::StorageError;
use super::fsutil;

/// Rotate to a new segment once the current one exceeds this size.
const SEGMENT_BYTES: u64 = 64 << 20;
const HEADER: usize = 8;
const BODY_FIXED: usize = 8 + 1 + 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum RecordKind {
    /// Payload: Arrow IPC stream of the inserted batches.
    Insert = 1,
}

impl RecordKind {
    fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(RecordKind::Insert),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Record {
    pub lsn: u64,
    pub kind: RecordKind,
    pub table_id: u64,
    pub payload: Vec<u8>,
}

struct Inner {
    /// None for in-memory storage: LSNs are still assigned (memtable bookkeeping).
    file: Option<File>,
    seg_first: u64,
    seg_bytes: u64,
    next_lsn: u64,
    /// First LSNs of older, closed segments (ascending).
    closed: Vec<u64>,
    /// Per table: the oldest LSN still only in its memtable (WAL needed for recovery).
    unflushed: HashMap<u64, u64>,
}

pub(crate) struct Wal {
    dir: Option<PathBuf>,
    fsync: bool,
    inner: Mutex<Inner>,
    sync_lock: tokio::sync::Mutex<()>,
    synced: AtomicU64,
    poisoned: OnceLock<String>,
}

fn seg_path(dir: &Path, first: u64) -> PathBuf {
    dir.join(format!("{first:020}.wal"))
}

/// Parsed WAL contents found at startup.
pub(crate) struct Recovered {
    pub records: Vec<Record>,
    /// First LSNs of existing segments, ascending.
    pub segments: Vec<u64>,
    pub last_lsn: u64,
}

impl Wal {
    pub fn in_memory() -> Self {
        Self::with(None, false, Inner::new(None, 1, 1, Vec::new()))
    }

    fn with(dir: Option<PathBuf>, fsync: bool, inner: Inner) -> Self {
        Wal {
            dir,
            fsync,
            synced: AtomicU64::new(inner.next_lsn.saturating_sub(1)),
            inner: Mutex::new(inner),
            sync_lock: tokio::sync::Mutex::new(()),
            poisoned: OnceLock::new(),
        }
    }

    /// Reads every segment under `dir` (creating it if needed). A torn tail of the newest
    /// segment is cut off; any other damage is `Corrupt`.
    pub fn recover(dir: &Path) -> Result<Recovered, StorageError> {
        fsutil::create_dir_durable(dir)?;
        let mut segments = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if let Some(stem) = name.strip_suffix(".wal") {
                let first = stem.parse::<u64>().map_err(|_| {
                    StorageError::Corrupt(format!("unexpected WAL file name {name}"))
                })?;
                segments.push(first);
            } else if name.ends_with(".tmp") {
                fs::remove_file(entry.path())?;
            }
        }
        segments.sort_unstable();
        let mut records = Vec::new();
        let mut last_lsn = 0u64;
        for (i, &first) in segments.iter().enumerate() {
            let path = seg_path(dir, first);
            let bytes = fs::read(&path)?;
            let is_last = i + 1 == segments.len();
            let (recs, valid_len) = parse_segment(&bytes, first, is_last, &path)?;
            if let Some(r) = recs.first()
                && r.lsn <= last_lsn
            {
                return Err(StorageError::Corrupt(format!(
                    "{}: LSN {} not after previous segment's {last_lsn}",
                    path.display(),
                    r.lsn
                )));
            }
            if let Some(r) = recs.last() {
                last_lsn = r.lsn;
            }
            last_lsn = last_lsn.max(first.saturating_sub(1));
            if valid_len < bytes.len() {
                let f = OpenOptions::new().write(true).open(&path)?;
                f.set_len(valid_len as u64)?;
                f.sync_all()?;
            }
            records.extend(recs);
        }
        Ok(Recovered {
            records,
            segments,
            last_lsn,
        })
    }

    /// Opens the WAL for appending in a fresh segment starting after `last_lsn`.
    pub fn open(
        dir: &Path,
        fsync: bool,
        existing: Vec<u64>,
        last_lsn: u64,
    ) -> Result<Self, StorageError> {
        let first = last_lsn + 1;
        let file = create_segment(dir, first)?;
        let closed = existing.into_iter().filter(|&s| s < first).collect();
        Ok(Self::with(
            Some(dir.to_path_buf()),
            fsync,
            Inner::new(Some(file), first, first, closed),
        ))
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StorageError> {
        if let Some(p) = self.poisoned.get() {
            return Err(StorageError::Poisoned(p.clone()));
        }
        self.inner
            .lock()
            .map_err(|_| StorageError::Poisoned("WAL lock poisoned".into()))
    }

    fn poison(&self, e: &std::io::Error) -> StorageError {
        let msg = format!("WAL write failed: {e}");
        let _ = self.poisoned.set(msg.clone());
        StorageError::Poisoned(msg)
    }

    /// Appends a record (not yet durable: see [`Wal::sync_to`]) and returns its LSN.
    pub fn append(
        &self,
        kind: RecordKind,
        table_id: u64,
        payload: &[u8],
    ) -> Result<u64, StorageError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let lsn = inner.next_lsn;
        if let Some(file) = inner.file.as_mut() {
            // The payload (a COPY's rows can be hundreds of MB) is written as it is, not
            // copied into the record first.
            let head = encode_head(lsn, kind, table_id, payload)?;
            if let Err(e) = file.write_all(&head).and_then(|()| file.write_all(payload)) {
                return Err(self.poison(&e));
            }
            inner.seg_bytes += (head.len() + payload.len()) as u64;
        }
        inner.next_lsn += 1;
        inner.unflushed.entry(table_id).or_insert(lsn);
        if inner.seg_bytes >= SEGMENT_BYTES {
            self.rotate(inner)?;
        }
        Ok(lsn)
    }

    /// The LSN of the last appended record.
    pub fn last_lsn(&self) -> Result<u64, StorageError> {
        Ok(self.lock()?.next_lsn - 1)
    }

    /// Waits until every record up to `lsn` is on stable storage.
    pub async fn sync_to(&self, lsn: u64) -> Result<(), StorageError> {
        if !self.fsync || self.synced.load(Ordering::Acquire) >= lsn {
            return Ok(());
        }
        let _leader = self.sync_lock.lock().await;
        if self.synced.load(Ordering::Acquire) >= lsn {
            return Ok(());
        }
        let (file, upto) = {
            let inner = self.lock()?;
            let Some(f) = inner.file.as_ref() else {
                return Ok(());
            };
            (f.try_clone()?, inner.next_lsn - 1)
        };
        let res = tokio::task::spawn_blocking(move || file.sync_data())
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r);
        if let Err(e) = res {
            return Err(self.poison(&e));
        }
        self.synced.fetch_max(upto, Ordering::AcqRel);
        Ok(())
    }

    /// Records that `table_id`'s memtable now starts at `oldest` (None = empty), i.e. older
    /// records of the table are in Parquet and the WAL no longer needs them.
    pub fn set_unflushed(&self, table_id: u64, oldest: Option<u64>) -> Result<(), StorageError> {
        let mut inner = self.lock()?;
        match oldest {
            Some(l) => inner.unflushed.insert(table_id, l),
            None => inner.unflushed.remove(&table_id),
        };
        Ok(())
    }

    /// Deletes segments whose records are all flushed; when nothing at all is unflushed the
    /// current segment is rotated first so it can go too.
    pub fn cleanup(&self) -> Result<(), StorageError> {
        let Some(dir) = self.dir.clone() else {
            return Ok(());
        };
        let mut inner = self.lock()?;
        let needed = inner.unflushed.values().min().copied();
        if needed.is_none() && inner.seg_bytes > 0 {
            self.rotate(&mut inner)?;
        }
        let needed = needed.unwrap_or(inner.next_lsn);
        // Segment i holds LSNs [first_i, first_{i+1}); deletable if first_{i+1} <= needed.
        let mut bounds: Vec<u64> = inner.closed.clone();
        bounds.push(inner.seg_first);
        let mut keep = Vec::new();
        let mut removed = false;
        for w in bounds.windows(2) {
            if let [first, next] = *w {
                if next <= needed {
                    fs::remove_file(seg_path(&dir, first))?;
                    removed = true;
                } else {
                    keep.push(first);
                }
            }
        }
        inner.closed = keep;
        if removed {
            fsutil::sync_dir(&dir)?;
        }
        Ok(())
    }

    /// Makes the current segment durable and starts a new one.
    fn rotate(&self, inner: &mut Inner) -> Result<(), StorageError> {
        let Some(dir) = self.dir.as_ref() else {
            return Ok(());
        };
        if let Some(f) = inner.file.as_ref()
            && let Err(e) = f.sync_all()
        {
            return Err(self.poison(&e));
        }
        self.synced.fetch_max(inner.next_lsn - 1, Ordering::AcqRel);
        let file = create_segment(dir, inner.next_lsn).map_err(|e| match e {
            StorageError::Io(e) => self.poison(&e),
            other => other,
        })?;
        let old = inner.seg_first;
        inner.closed.push(old);
        inner.file = Some(file);
        inner.seg_first = inner.next_lsn;
        inner.seg_bytes = 0;
        Ok(())
    }

    /// Makes everything appended so far durable (used at close).
    pub async fn sync_all(&self) -> Result<(), StorageError> {
        let last = self.last_lsn()?;
        self.sync_to(last).await
    }
}

impl Inner {
    fn new(file: Option<File>, seg_first: u64, next_lsn: u64, closed: Vec<u64>) -> Self {
        Inner {
            file,
            seg_first,
            seg_bytes: 0,
            next_lsn,
            closed,
            unflushed: HashMap::new(),
        }
    }
}

fn create_segment(dir: &Path, first: u64) -> Result<File, StorageError> {
    let path = seg_path(dir, first);
    let file = OpenOptions::new().create(true).append(true).open(&path)?;
    if file.metadata()?.len() != 0 {
        return Err(StorageError::Corrupt(format!(
            "{} already exists and is not empty",
            path.display()
        )));
    }
    file.sync_all()?;
    fsutil::sync_dir(dir)?;
    Ok(file)
}

/// A record's bytes up to its payload: length, CRC (of everything after it, payload
/// included), LSN, kind, table.
fn encode_head(
    lsn: u64,
    kind: RecordKind,
    table_id: u64,
    payload: &[u8],
) -> Result<Vec<u8>, StorageError> {
    let body_len = BODY_FIXED + payload.len();
    let len = u32::try_from(body_len)
        .map_err(|_| StorageError::SchemaMismatch("insert too large for one WAL record".into()))?;
    let mut out = Vec::with_capacity(HEADER + BODY_FIXED);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&lsn.to_le_bytes());
    out.push(kind as u8);
    out.extend_from_slice(&table_id.to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(out.get(HEADER..).unwrap_or_default());
    crc.update(payload);
    out[4..8].copy_from_slice(&crc.finalize().to_le_bytes());
    Ok(out)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Parses one segment; returns its records and the length of its valid prefix.
fn parse_segment(
    bytes: &[u8],
    first: u64,
    is_last: bool,
    path: &Path,
) -> Result<(Vec<Record>, usize), StorageError> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut expect = first;
    while pos < bytes.len() {
        match parse_record(&bytes[pos..]) {
            Ok((rec, used)) => {
                if rec.lsn != expect {
                    return Err(StorageError::Corrupt(format!(
                        "{} at offset {pos}: LSN {} where {expect} was expected",
                        path.display(),
                        rec.lsn
                    )));
                }
                expect += 1;
                out.push(rec);
                pos += used;
            }
            Err(why) => {
                // Only a damaged *final* record of the newest segment can be a torn write.
                let torn = is_last && why.is_tail(&bytes[pos..]);
                if torn {
                    return Ok((out, pos));
                }
                return Err(StorageError::Corrupt(format!(
                    "{} at offset {pos}: {}",
                    path.display(),
                    why.describe()
                )));
            }
        }
    }
    Ok((out, pos))
}

enum Bad {
    Short,
    Crc { end: usize },
    Kind { end: usize },
}

impl Bad {
    /// A record that runs past the end of the file, or is the very last one, or is followed
    /// only by zero bytes, is an unacknowledged torn write.
    fn is_tail(&self, rest: &[u8]) -> bool {
        match self {
            Bad::Short => true,
            Bad::Crc { end } | Bad::Kind { end } => rest
                .get(*end..)
                .is_none_or(|tail| tail.iter().all(|&b| b == 0)),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Bad::Short => "truncated record",
            Bad::Crc { .. } => "checksum mismatch",
            Bad::Kind { .. } => "unknown record kind",
        }
    }
}

fn parse_record(b: &[u8]) -> Result<(Record, usize), Bad> {
    let len = u32_at(b, 0).ok_or(Bad::Short)? as usize;
    let crc = u32_at(b, 4).ok_or(Bad::Short)?;
    let end = HEADER.checked_add(len).ok_or(Bad::Short)?;
    let body = b.get(HEADER..end).ok_or(Bad::Short)?;
    if len < BODY_FIXED || crc32fast::hash(body) != crc {
        return Err(Bad::Crc { end });
    }
    let lsn = u64_at(body, 0).ok_or(Bad::Crc { end })?;
    let kind = body
        .get(8)
        .copied()
        .and_then(RecordKind::from_u8)
        .ok_or(Bad::Kind { end })?;
    let table_id = u64_at(body, 9).ok_or(Bad::Crc { end })?;
    let payload = body.get(BODY_FIXED..).ok_or(Bad::Crc { end })?.to_vec();
    Ok((
        Record {
            lsn,
            kind,
            table_id,
            payload,
        },
        end,
    ))
}
