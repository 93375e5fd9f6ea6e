//! Per-table manifest (`tables/<dir>/manifest.json`): the live Parquet segments and the WAL
//! position they cover. Replacing it (atomic rename) is the commit point of every flush,
//! compaction, DELETE, UPDATE and TRUNCATE.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::StorageError;
use super::fsutil;
use super::segment::SegmentMeta;

pub(crate) const MANIFEST: &str = "manifest.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub version: u32,
    /// Every WAL insert record of this table with an LSN <= this is reflected in `segments`.
    pub flushed_lsn: u64,
    pub next_segment_id: u64,
    pub segments: Vec<SegmentMeta>,
}

impl Manifest {
    pub fn empty(flushed_lsn: u64) -> Self {
        Manifest {
            version: VERSION,
            flushed_lsn,
            next_segment_id: 1,
            segments: Vec::new(),
        }
    }

    pub fn load(table_dir: &Path) -> Result<Manifest, StorageError> {
        let path = table_dir.join(MANIFEST);
        let bytes = std::fs::read(&path)
            .map_err(|e| StorageError::Corrupt(format!("{}: {e}", path.display())))?;
        let m: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| StorageError::Corrupt(format!("{}: {e}", path.display())))?;
        if m.version != VERSION {
            return Err(StorageError::Corrupt(format!(
                "{}: unsupported manifest version {}",
                path.display(),
                m.version
            )));
        }
        Ok(m)
    }

    pub fn save(&self, table_dir: &Path) -> Result<(), StorageError> {
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| StorageError::Corrupt(format!("manifest encode: {e}")))?;
        fsutil::atomic_write(&table_dir.join(MANIFEST), &bytes)?;
        Ok(())
    }
}
