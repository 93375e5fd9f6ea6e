//! Durable time-series storage: WAL → memtable → time-partitioned Parquet, exposed to
//! DataFusion as one `TableProvider` per table.
//!
//! Layout of a storage directory:
//! - `catalog.json` — table definitions (Arrow schema as IPC bytes, so field metadata such as
//!   `pg_type` round-trips), each table with a never-reused id. Replaced atomically (temp file,
//!   fsync, rename, fsync dir); that rename commits CREATE TABLE and DROP TABLE.
//! - `wal/<first-lsn>.wal` — the write-ahead log of inserts (see [`wal`]): an insert is
//!   acknowledged only after its record is fsynced (group commit across writers).
//! - `tables/<id>_<name>/manifest.json` — the table's live Parquet segments and the WAL LSN
//!   they cover. Replacing it commits flushes, compactions, DELETE, UPDATE and TRUNCATE.
//! - `tables/<id>_<name>/<partition start, UTC>/<segment-id>.parquet` — immutable segments,
//!   sorted by the time column, zstd-compressed, with statistics for pruning.
//!
//! Inserts go to the WAL and the in-memory memtable. A memtable over `memtable_rows` (or any
//! memtable at `flush_all`/`close`) is sorted, split per time partition and written as new
//! segments; the manifest swap then makes WAL records up to its LSN unnecessary and fully
//! flushed WAL segments are deleted. Partitions with `compact_min_files` small segments are
//! merged. DELETE/UPDATE flush first, then rewrite only segments that may hold matching rows.
//! Recovery loads the catalog and manifests, deletes files no manifest lists (leftovers of an
//! interrupted flush) and replays WAL inserts newer than each table's manifest; a torn final
//! WAL record (never acknowledged) is cut off, any other damage is `StorageError::Corrupt`.
//! With no directory everything stays in memory (segments are Arrow batches).

mod catalog;
mod dml;
mod error;
mod fsutil;
mod lookup;
mod manifest;
mod provider;
mod recovery;
mod segment;
mod sink;
mod table;
mod timecol;
mod txn;
mod views;
mod wal;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

pub use catalog::{ColumnDefault, ConstraintDef, FkAction, TableDef};
pub use error::StorageError;
pub use lookup::{Lookup, key_columns};
pub use table::Table;
pub use txn::TxWrites;
pub use views::{ViewColumn, ViewDef, ViewUse};

use catalog::{CatalogEntry, CatalogFile};
use manifest::Manifest;
use table::{Shared, State};

/// Tuning knobs of a [`Storage`].
#[derive(Debug, Clone)]
pub struct StorageOptions {
    /// Flush a table's memtable to Parquet once it holds this many rows.
    pub memtable_rows: usize,
    /// Width of a time partition (new tables only; existing tables keep theirs).
    pub partition: Duration,
    /// fsync the WAL before acknowledging inserts. Off = faster, loses the last writes on an
    /// OS crash (not on a process crash).
    pub sync: bool,
    /// Merge a partition's small files once it has this many (0 or 1 = never).
    pub compact_min_files: usize,
}

impl Default for StorageOptions {
    fn default() -> Self {
        StorageOptions {
            memtable_rows: 100_000,
            partition: Duration::from_secs(86_400),
            sync: true,
            compact_min_files: 8,
        }
    }
}

impl StorageOptions {
    fn partition_micros(&self) -> i64 {
        i64::try_from(self.partition.as_micros())
            .unwrap_or(i64::MAX)
            .max(1)
    }
}

/// All tables of one server.
pub struct Storage {
    dir: Option<PathBuf>,
    shared: Arc<Shared>,
    tables: RwLock<BTreeMap<String, Arc<Table>>>,
    catalog: Mutex<CatalogFile>,
    /// Held for the storage's lifetime: a second process must not open the same directory.
    _lock: Option<std::fs::File>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("dir", &self.dir).finish()
    }
}

impl Storage {
    /// Opens storage: `None` = in memory only; `Some(dir)` = create or recover `dir`.
    pub async fn open(
        dir: Option<&Path>,
        opts: StorageOptions,
    ) -> Result<Arc<Storage>, StorageError> {
        match dir {
            None => Ok(Self::in_memory(opts)),
            Some(dir) => {
                let dir = dir.to_path_buf();
                tokio::task::spawn_blocking(move || recovery::open_dir(&dir, opts))
                    .await
                    .map_err(|e| StorageError::Io(std::io::Error::other(e)))?
            }
        }
    }

    /// Storage that lives in memory only (also a session's temporary tables).
    pub fn in_memory(opts: StorageOptions) -> Arc<Storage> {
        Arc::new(Storage {
            dir: None,
            shared: Arc::new(Shared {
                wal: wal::Wal::in_memory(),
                opts,
                closed: Default::default(),
            }),
            tables: RwLock::new(BTreeMap::new()),
            catalog: Mutex::new(CatalogFile {
                version: catalog::CATALOG_VERSION,
                next_table_id: 1,
                tables: Vec::new(),
                views: Vec::new(),
            }),
            _lock: None,
        })
    }

    fn tables_dir(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("tables"))
    }

    fn check_open(&self) -> Result<(), StorageError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(StorageError::Closed);
        }
        Ok(())
    }

    fn lock_catalog(&self) -> Result<std::sync::MutexGuard<'_, CatalogFile>, StorageError> {
        self.catalog
            .lock()
            .map_err(|_| StorageError::Poisoned("catalog lock poisoned".into()))
    }

    fn read_tables(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.tables.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write_tables(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.tables.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a table; durable before returning. `Ok(false)` if it exists and `if_not_exists`.
    pub fn create_table(&self, def: TableDef, if_not_exists: bool) -> Result<bool, StorageError> {
        self.check_open()?;
        def.validate()?;
        let mut cat = self.lock_catalog()?;
        if cat.tables.iter().any(|t| t.name == def.name)
            || cat.views.iter().any(|v| v.name == def.name)
        {
            return if if_not_exists {
                Ok(false)
            } else {
                Err(StorageError::AlreadyExists(def.name))
            };
        }
        let id = cat.next_table_id.max(1);
        let width = self.shared.opts.partition_micros();
        let entry = CatalogEntry::new(id, &def, width)?;
        let table_dir = self.tables_dir().map(|d| d.join(&entry.dir));
        if let (Some(dir), Some(table_dir)) = (&self.dir, &table_dir) {
            fsutil::create_dir_durable(table_dir)?;
            Manifest::empty(0).save(table_dir)?;
            let mut next = cat.clone();
            next.next_table_id = id + 1;
            next.tables.push(entry.clone());
            if let Err(e) = catalog::save(&dir.join("catalog.json"), &next) {
                let _ = std::fs::remove_dir_all(table_dir);
                return Err(e);
            }
        }
        cat.next_table_id = id + 1;
        cat.tables.push(entry);
        let table = Table::new(
            def.clone(),
            id,
            width,
            table_dir,
            self.shared.clone(),
            State::new(),
        )?;
        self.write_tables().insert(def.name, table);
        Ok(true)
    }

    /// Drops a table and deletes its files. `Ok(false)` if absent and `if_exists`.
    pub fn drop_table(&self, name: &str, if_exists: bool) -> Result<bool, StorageError> {
        self.check_open()?;
        let mut cat = self.lock_catalog()?;
        let Some(pos) = cat.tables.iter().position(|t| t.name == name) else {
            return if if_exists {
                Ok(false)
            } else {
                Err(StorageError::NotFound(name.to_string()))
            };
        };
        let mut next = cat.clone();
        let entry = next.tables.remove(pos);
        if let Some(dir) = &self.dir {
            catalog::save(&dir.join("catalog.json"), &next)?;
        }
        *cat = next;
        let table = self.write_tables().remove(name);
        if let Some(t) = table {
            t.dropped.store(true, Ordering::Release);
            self.shared.wal.set_unflushed(t.id, None)?;
        }
        if let Some(tables_dir) = self.tables_dir() {
            // Committed already; leftovers would be removed on the next open.
            if let Err(e) = std::fs::remove_dir_all(tables_dir.join(&entry.dir)) {
                tracing::warn!(table = name, "removing table files failed: {e}");
            }
            self.shared.wal.cleanup()?;
        }
        Ok(true)
    }

    /// Replaces table `old_name` by a new table with definition `def` (possibly renamed)
    /// holding exactly `rows` (ALTER TABLE). The new table gets a new id and directory; the
    /// catalog swap is the commit point, so a crash leaves either the old or the new table.
    pub async fn replace_table(
        &self,
        old_name: &str,
        def: TableDef,
        rows: Vec<datafusion::arrow::array::RecordBatch>,
    ) -> Result<Arc<Table>, StorageError> {
        self.check_open()?;
        def.validate()?;
        let (id, old_pos) = {
            let cat = self.lock_catalog()?;
            let pos = cat
                .tables
                .iter()
                .position(|t| t.name == old_name)
                .ok_or_else(|| StorageError::NotFound(old_name.to_string()))?;
            if def.name != old_name && cat.tables.iter().any(|t| t.name == def.name) {
                return Err(StorageError::AlreadyExists(def.name));
            }
            (cat.next_table_id.max(1), pos)
        };
        let width = self.shared.opts.partition_micros();
        let entry = CatalogEntry::new(id, &def, width)?;
        let table_dir = self.tables_dir().map(|d| d.join(&entry.dir));
        if let Some(table_dir) = &table_dir {
            fsutil::create_dir_durable(table_dir)?;
            Manifest::empty(0).save(table_dir)?;
        }
        let table = Table::new(
            def.clone(),
            id,
            width,
            table_dir.clone(),
            self.shared.clone(),
            State::new(),
        )?;
        let conformed = rows
            .into_iter()
            .map(|b| table.conform(b))
            .collect::<Result<Vec<_>, _>>()?;
        let mut next_id = 1;
        let segments = table.write_segments(conformed, &mut next_id).await?;
        let lsn = self.shared.wal.last_lsn()?;
        table.commit(segments, lsn, next_id, 0).await?;
        let mut cat = self.lock_catalog()?;
        let mut next = cat.clone();
        let Some(old) = next.tables.get_mut(old_pos).filter(|t| t.name == old_name) else {
            return Err(StorageError::NotFound(old_name.to_string()));
        };
        let old_dir = std::mem::replace(old, entry).dir;
        next.next_table_id = id + 1;
        if let Some(dir) = &self.dir
            && let Err(e) = catalog::save(&dir.join("catalog.json"), &next)
        {
            if let Some(table_dir) = &table_dir {
                let _ = std::fs::remove_dir_all(table_dir);
            }
            return Err(e);
        }
        *cat = next;
        drop(cat);
        let old = {
            let mut tables = self.write_tables();
            let old = tables.remove(old_name);
            tables.insert(def.name.clone(), table.clone());
            old
        };
        if let Some(t) = old {
            t.dropped.store(true, Ordering::Release);
            self.shared.wal.set_unflushed(t.id, None)?;
        }
        if let Some(tables_dir) = self.tables_dir() {
            if let Err(e) = std::fs::remove_dir_all(tables_dir.join(old_dir)) {
                tracing::warn!(table = old_name, "removing old table files failed: {e}");
            }
            self.shared.wal.cleanup()?;
        }
        Ok(table)
    }

    pub fn table(&self, name: &str) -> Option<Arc<Table>> {
        self.read_tables().get(name).cloned()
    }

    pub fn table_names(&self) -> Vec<String> {
        self.read_tables().keys().cloned().collect()
    }

    /// Flushes every memtable to Parquet (and compacts) and trims the WAL.
    pub async fn flush_all(&self) -> Result<(), StorageError> {
        let tables: Vec<Arc<Table>> = self.read_tables().values().cloned().collect();
        for t in tables {
            t.flush().await?;
        }
        self.shared.wal.cleanup()
    }

    /// Flushes everything and refuses further writes.
    pub async fn close(&self) -> Result<(), StorageError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        self.flush_all().await?;
        self.shared.wal.sync_all().await?;
        self.shared.closed.store(true, Ordering::Release);
        Ok(())
    }

    /// The storage directory, if durable.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }
}
