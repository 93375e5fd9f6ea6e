//! Opening a storage directory: load the catalog and manifests, remove files nothing refers to
//! (leftovers of interrupted flushes, compactions or drops), replay the WAL into memtables.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::catalog::{self, CatalogFile, TableDef};
use super::fsutil;
use super::manifest::{MANIFEST, Manifest};
use super::segment::Segment;
use super::table::{self, Shared, State, Table};
use super::wal::{RecordKind, Wal};
use super::{Storage, StorageError, StorageOptions};

struct Loaded {
    def: TableDef,
    id: u64,
    width: i64,
    dir: PathBuf,
    state: State,
}

pub(super) fn open_dir(dir: &Path, opts: StorageOptions) -> Result<Arc<Storage>, StorageError> {
    fsutil::create_dir_durable(dir)?;
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("LOCK"))?;
    lock.try_lock().map_err(|e| {
        StorageError::Io(std::io::Error::other(format!(
            "storage directory {} is in use by another process: {e}",
            dir.display()
        )))
    })?;

    let cat_path = dir.join("catalog.json");
    let cat = match catalog::load(&cat_path)? {
        Some(c) => c,
        None => {
            let c = CatalogFile {
                version: catalog::CATALOG_VERSION,
                next_table_id: 1,
                tables: Vec::new(),
                views: Vec::new(),
            };
            catalog::save(&cat_path, &c)?;
            c
        }
    };
    let tables_dir = dir.join("tables");
    fsutil::create_dir_durable(&tables_dir)?;
    let mut loaded = load_tables(&cat, &tables_dir)?;
    remove_unknown_dirs(&tables_dir, &cat)?;

    let recovered = Wal::recover(&dir.join("wal"))?;
    let by_id: HashMap<u64, usize> = loaded.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    for rec in recovered.records {
        let Some(t) = by_id.get(&rec.table_id).and_then(|&i| loaded.get_mut(i)) else {
            continue; // a dropped table
        };
        if rec.lsn <= t.state.flushed_lsn {
            continue;
        }
        match rec.kind {
            RecordKind::Insert => {
                let batches = table::decode_ipc(&rec.payload)
                    .map_err(|e| StorageError::Corrupt(format!("WAL record {}: {e}", rec.lsn)))?;
                for b in batches {
                    let b = table::conform(&t.def, b).map_err(|e| {
                        StorageError::Corrupt(format!(
                            "WAL record {} for \"{}\": {e}",
                            rec.lsn, t.def.name
                        ))
                    })?;
                    t.state.push(rec.lsn, b)?;
                }
            }
        }
    }
    let last_lsn = loaded
        .iter()
        .map(|t| t.state.flushed_lsn)
        .fold(recovered.last_lsn, u64::max);
    let wal = Wal::open(&dir.join("wal"), opts.sync, recovered.segments, last_lsn)?;
    for t in &loaded {
        if let Some(first) = t.state.mem.first() {
            wal.set_unflushed(t.id, Some(first.lo))?;
        }
    }
    // Segments fully covered by manifests (e.g. after a crash right after a flush) can go.
    wal.cleanup()?;
    let shared = Arc::new(Shared {
        wal,
        opts,
        closed: Default::default(),
    });
    let mut tables = BTreeMap::new();
    for t in loaded {
        let name = t.def.name.clone();
        let table = Table::new(t.def, t.id, t.width, Some(t.dir), shared.clone(), t.state)?;
        tables.insert(name, table);
    }
    Ok(Arc::new(Storage {
        dir: Some(dir.to_path_buf()),
        shared,
        tables: RwLock::new(tables),
        catalog: Mutex::new(cat),
        _lock: Some(lock),
    }))
}

fn load_tables(cat: &CatalogFile, tables_dir: &Path) -> Result<Vec<Loaded>, StorageError> {
    let mut names = HashSet::new();
    let mut ids = HashSet::new();
    let mut out = Vec::new();
    for entry in &cat.tables {
        if !names.insert(entry.name.as_str())
            || !ids.insert(entry.id)
            || entry.id >= cat.next_table_id
        {
            return Err(StorageError::Corrupt(format!(
                "catalog: duplicate or invalid table \"{}\" (id {})",
                entry.name, entry.id
            )));
        }
        if entry.dir.is_empty() || entry.dir.contains(['/', '\\']) || entry.dir.starts_with('.') {
            return Err(StorageError::Corrupt(format!(
                "catalog: bad directory {:?}",
                entry.dir
            )));
        }
        let def = entry.to_def()?;
        let dir = tables_dir.join(&entry.dir);
        let manifest = Manifest::load(&dir)?;
        let mut segments = Vec::with_capacity(manifest.segments.len());
        let mut files = HashSet::new();
        for meta in &manifest.segments {
            if meta.file.contains("..")
                || meta.file.starts_with('/')
                || meta.id >= manifest.next_segment_id
            {
                return Err(StorageError::Corrupt(format!(
                    "{}: bad segment entry {:?}",
                    dir.join(MANIFEST).display(),
                    meta.file
                )));
            }
            files.insert(dir.join(&meta.file));
            segments.push(Arc::new(Segment::open_parquet(meta.clone(), &dir)?));
        }
        remove_unlisted(&dir, &dir, &files)?;
        out.push(Loaded {
            def,
            id: entry.id,
            width: entry.partition_micros,
            dir,
            state: State::from_manifest(&manifest, segments),
        });
    }
    Ok(out)
}

/// Deletes files under a table directory that the manifest does not list (and empty dirs).
fn remove_unlisted(root: &Path, dir: &Path, keep: &HashSet<PathBuf>) -> Result<(), StorageError> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            remove_unlisted(root, &path, keep)?;
            if fs::read_dir(&path)?.next().is_none() {
                fs::remove_dir(&path)?;
            }
        } else if !(keep.contains(&path) || (dir == root && entry.file_name() == MANIFEST)) {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn remove_unknown_dirs(tables_dir: &Path, cat: &CatalogFile) -> Result<(), StorageError> {
    let known: HashSet<&str> = cat.tables.iter().map(|t| t.dir.as_str()).collect();
    for entry in fs::read_dir(tables_dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if !known.contains(name.to_string_lossy().as_ref()) {
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                fs::remove_dir_all(&path)?;
            } else {
                fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}
