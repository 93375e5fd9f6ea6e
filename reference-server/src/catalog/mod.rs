//! The database's table namespace: DataFusion's catalog over `crate::storage` tables,
//! shared by every session's context.
//!
//! One database (`postgres`) with the shared schema `public` and each session's own
//! `pg_temp` (temporary tables, in memory, gone with the session). Every session sees the
//! shared schemas through its own [`SessionCatalog`], whose `public` looks in the session's
//! `pg_temp` first, so a temporary table shadows a permanent one of the same name, as with
//! PostgreSQL's default `search_path`.

pub mod alter;
pub mod constraints;
mod create;
mod ddl;
pub mod sequence;
mod session_catalog;
pub mod system;

pub use create::{ident, split_name};
pub use ddl::DdlResult;
pub use session_catalog::{SEARCH_PATH, SessionCatalog, TableRef};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, MemoryCatalogProvider, SchemaProvider, TableProvider};
use datafusion::common::DataFusionError;
use datafusion::prelude::SessionContext;

use crate::sql::SqlError;
use crate::storage::{Storage, StorageError};

/// Database name reported by `current_database()` and used as DataFusion's catalog name.
pub const DATABASE: &str = "postgres";
/// The default schema.
pub const SCHEMA: &str = "public";
/// The schema of the session's temporary tables.
pub const TEMP_SCHEMA: &str = "pg_temp";

pub struct Catalog {
    provider: Arc<MemoryCatalogProvider>,
    pub storage: Arc<Storage>,
    /// Bumped by every DDL statement so cached prepared plans know to re-plan.
    version: AtomicU64,
}

impl Catalog {
    pub fn new(storage: Arc<Storage>) -> Self {
        let provider = Arc::new(MemoryCatalogProvider::new());
        // A fresh provider has no schemas, so registering cannot replace one.
        let _ = provider.register_schema(
            SCHEMA,
            Arc::new(StorageSchema {
                storage: storage.clone(),
            }),
        );
        Self {
            provider,
            storage,
            version: AtomicU64::new(0),
        }
    }

    /// Make this catalog the default one of a session context, with a fresh `pg_temp`, the
    /// session's `pg_catalog` and its `information_schema`.
    pub fn attach(&self, ctx: &SessionContext, sys: system::SysContext) {
        let tables = Arc::new(SessionCatalog::new(
            self.provider.clone(),
            self.storage.clone(),
        ));
        system::register(ctx, DATABASE, tables, sys);
        ctx.state_ref()
            .write()
            .config_mut()
            .options_mut()
            .catalog
            .default_schema = SEARCH_PATH.to_owned();
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    pub fn bump(&self) {
        self.version.fetch_add(1, Ordering::AcqRel);
    }
}

/// `public`: every storage table, by name.
#[derive(Debug)]
pub(crate) struct StorageSchema {
    pub storage: Arc<Storage>,
}

#[async_trait]
impl SchemaProvider for StorageSchema {
    fn table_names(&self) -> Vec<String> {
        self.storage.table_names()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>, DataFusionError> {
        Ok(self
            .storage
            .table(name)
            .map(|t| t as Arc<dyn TableProvider>))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.storage.table(name).is_some()
    }
}

impl From<StorageError> for SqlError {
    fn from(e: StorageError) -> Self {
        let code = match &e {
            StorageError::AlreadyExists(_) => "42P07",
            StorageError::NotFound(_) => "42P01",
            StorageError::NotNullViolation { .. } => "23502",
            StorageError::SchemaMismatch(_) => "42804",
            StorageError::InvalidDefinition(_) => "42P16",
            StorageError::DataFusion(df) => return SqlError::from_datafusion_ref(df),
            _ => "XX000",
        };
        SqlError::new(code, e.to_string())
    }
}
