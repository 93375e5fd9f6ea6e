//! Storage errors. Callers map `NotNullViolation` to SQLSTATE 23502, `AlreadyExists` to 42P07,
//! `NotFound` to 42P01.

use datafusion::arrow::error::ArrowError;
use datafusion::error::DataFusionError;
use datafusion::parquet::errors::ParquetError;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("relation \"{0}\" already exists")]
    AlreadyExists(String),
    #[error("relation \"{0}\" does not exist")]
    NotFound(String),
    #[error(
        "null value in column \"{column}\" of relation \"{table}\" violates not-null constraint"
    )]
    NotNullViolation { table: String, column: String },
    #[error("schema mismatch: {0}")]
    SchemaMismatch(String),
    #[error("invalid table definition: {0}")]
    InvalidDefinition(String),
    #[error("storage I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("storage is corrupt: {0}")]
    Corrupt(String),
    #[error("storage is closed")]
    Closed,
    /// A previous WAL write or fsync failed; acknowledging more writes could lose data.
    #[error("storage is unusable after an earlier write failure: {0}")]
    Poisoned(String),
    #[error(transparent)]
    DataFusion(#[from] DataFusionError),
}

impl From<ArrowError> for StorageError {
    fn from(e: ArrowError) -> Self {
        StorageError::DataFusion(DataFusionError::ArrowError(Box::new(e), None))
    }
}

impl From<ParquetError> for StorageError {
    fn from(e: ParquetError) -> Self {
        StorageError::DataFusion(DataFusionError::ParquetError(Box::new(e)))
    }
}

impl From<StorageError> for DataFusionError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::DataFusion(e) => e,
            other => DataFusionError::External(Box::new(other)),
        }
    }
}
