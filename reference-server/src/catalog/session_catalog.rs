//! A session's view of the database: the shared schemas plus its own `pg_temp`.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, MemoryCatalogProvider, SchemaProvider, TableProvider};
use datafusion::common::{DataFusionError, Result as DFResult};
use datafusion::prelude::SessionContext;

use super::{DATABASE, SCHEMA, StorageSchema, TEMP_SCHEMA};
use crate::storage::{Storage, StorageOptions, Table};

/// The catalog a session's `SessionContext` resolves names in.
#[derive(Debug, Clone)]
pub struct SessionCatalog {
    shared: Arc<MemoryCatalogProvider>,
    public: Arc<SearchPath>,
    temp: Arc<StorageSchema>,
}

/// A table found by name, and whether it is the session's temporary table.
#[derive(Debug, Clone)]
pub struct TableRef {
    pub table: Arc<Table>,
    pub temporary: bool,
    /// The storage holding it (the session's temporary storage or the shared one).
    pub storage: Arc<Storage>,
}

impl SessionCatalog {
    pub fn new(shared: Arc<MemoryCatalogProvider>, storage: Arc<Storage>) -> Self {
        let temp = Storage::in_memory(StorageOptions {
            sync: false,
            ..StorageOptions::default()
        });
        SessionCatalog {
            shared,
            public: Arc::new(SearchPath {
                temp: temp.clone(),
                shared: storage,
            }),
            temp: Arc::new(StorageSchema { storage: temp }),
        }
    }

    /// The session catalog of a context (made by [`super::Catalog::attach`]).
    pub fn of(ctx: &SessionContext) -> Option<SessionCatalog> {
        let cat = ctx.catalog(DATABASE)?;
        let tables = super::system::tables_of(&cat).unwrap_or(cat);
        tables.as_ref().downcast_ref::<SessionCatalog>().cloned()
    }

    /// The session's temporary-table storage.
    pub fn temp_storage(&self) -> &Arc<Storage> {
        &self.temp.storage
    }

    /// The shared (durable) storage.
    pub fn shared_storage(&self) -> &Arc<Storage> {
        &self.public.shared
    }

    /// Looks a table up as PostgreSQL's search path does: `schema` `None` = `pg_temp` then
    /// `public`; `Some("pg_temp")` / `Some("public")` = that schema only.
    pub fn lookup(&self, schema: Option<&str>, name: &str) -> Option<TableRef> {
        let temp = || {
            self.temp.storage.table(name).map(|table| TableRef {
                table,
                temporary: true,
                storage: self.temp.storage.clone(),
            })
        };
        let shared = || {
            self.public.shared.table(name).map(|table| TableRef {
                table,
                temporary: false,
                storage: self.public.shared.clone(),
            })
        };
        match schema {
            None => temp().or_else(shared),
            Some(s) if s.eq_ignore_ascii_case(TEMP_SCHEMA) => temp(),
            Some(s) if s == SCHEMA => shared(),
            Some(_) => None,
        }
    }

    /// Every table the session can see, with its schema name (`pg_temp` or `public`), for
    /// catalog views.
    pub fn tables(&self) -> Vec<(&'static str, Arc<Table>)> {
        let mut out = Vec::new();
        for name in self.temp.storage.table_names() {
            if let Some(t) = self.temp.storage.table(&name) {
                out.push((TEMP_SCHEMA, t));
            }
        }
        for name in self.public.shared.table_names() {
            if let Some(t) = self.public.shared.table(&name) {
                out.push((SCHEMA, t));
            }
        }
        out
    }
}

impl CatalogProvider for SessionCatalog {
    fn schema_names(&self) -> Vec<String> {
        let mut names = self.shared.schema_names();
        names.push(TEMP_SCHEMA.to_owned());
        names.sort();
        names.dedup();
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        match name {
            SEARCH_PATH => Some(self.public.clone()),
            TEMP_SCHEMA => Some(self.temp.clone()),
            other => self.shared.schema(other),
        }
    }

    fn register_schema(
        &self,
        name: &str,
        schema: Arc<dyn SchemaProvider>,
    ) -> DFResult<Option<Arc<dyn SchemaProvider>>> {
        if name == SCHEMA || name == TEMP_SCHEMA || name == SEARCH_PATH {
            return Err(DataFusionError::Plan(format!(
                "schema \"{name}\" already exists"
            )));
        }
        self.shared.register_schema(name, schema)
    }
}

/// The schema unqualified names resolve in (the session context's default schema): the
/// session's temporary tables, then `public`'s, as PostgreSQL's default `search_path`
/// finds them. An explicit `public.t` resolves in `public` alone and never finds a
/// temporary table. Not a valid unquoted identifier, so no SQL names it by accident.
pub const SEARCH_PATH: &str = "$search_path";

/// Unqualified names: the session's temporary tables shadow the shared ones.
#[derive(Debug)]
struct SearchPath {
    temp: Arc<Storage>,
    shared: Arc<Storage>,
}

#[async_trait]
impl SchemaProvider for SearchPath {
    fn table_names(&self) -> Vec<String> {
        self.shared.table_names()
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        Ok(self
            .temp
            .table(name)
            .or_else(|| self.shared.table(name))
            .map(|t| t as Arc<dyn TableProvider>))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.temp.table(name).is_some() || self.shared.table(name).is_some()
    }
}
