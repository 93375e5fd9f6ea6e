//! PostgreSQL's system catalogs (`pg_catalog`) and `information_schema`, emulated over the
//! server's live state so that psql's `\d` family, pgjdbc's DatabaseMetaData and SQLAlchemy's
//! inspector work.
//!
//! Each session gets its own catalog provider: the shared user schema (`public`) plus
//! per-session system schemas, because some relations (`pg_settings`, `pg_stat_activity`'s
//! own row) and functions (`current_schemas`) read the session's state.

mod defs;
mod descriptions;
mod functions;
mod info_schema;
mod init_privs;
mod keys;
mod oids;
mod pg_catalog;
mod relations;
mod ruledefs;
mod sequence_relation;
mod table;
mod types;
mod view_rels;

pub use oids::{TableOids, table_oids};
pub use relations::{Rel, relations};
pub use table::{Col, Row, SystemTable, Val};
pub use types::{format_type, quote_ident};

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, SchemaProvider, TableProvider};
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::prelude::SessionContext;

use crate::session::control::StatementControl;
use crate::session::settings::Settings;
use crate::storage::Storage;

/// Schema names as PostgreSQL spells them.
pub const PG_CATALOG: &str = "pg_catalog";
pub const INFORMATION_SCHEMA: &str = "information_schema";

/// What the system relations and functions read: the server's tables and this session.
pub struct SysContext {
    pub storage: Arc<Storage>,
    pub settings: Arc<Mutex<Settings>>,
    pub control: Arc<StatementControl>,
    /// Roles the server knows by configuration (`--user`), besides `postgres`.
    pub users: Vec<String>,
    /// Whether this session's connection is TLS-encrypted (for `pg_stat_ssl`); set by the
    /// startup handler through `Session::set_ssl`.
    pub ssl: Arc<AtomicBool>,
    /// The session's named prepared statements (`pg_prepared_statements`).
    pub prepared: Arc<Mutex<crate::session::prepared::PreparedStatements>>,
}

impl SysContext {
    pub fn session_user(&self) -> String {
        crate::session::lock(&self.settings)
            .get("session_authorization")
            .unwrap_or_else(|| "postgres".into())
    }
}

/// [`SysContext`] plus the session's temporary tables (found through the session catalog),
/// which is what the relations and functions read.
pub struct Sys {
    ctx: SysContext,
    /// The session's `pg_temp` storage; None when the catalog is not a session catalog.
    temp: Option<Arc<Storage>>,
}

impl std::ops::Deref for Sys {
    type Target = SysContext;
    fn deref(&self) -> &SysContext {
        &self.ctx
    }
}

/// Give `ctx` a catalog named `database` that serves `inner`'s schemas plus `pg_catalog` and
/// `information_schema`, and register the catalog functions clients call.
pub fn register(
    ctx: &SessionContext,
    database: &str,
    inner: Arc<dyn CatalogProvider>,
    sys: SysContext,
) {
    let temp = inner
        .as_ref()
        .downcast_ref::<crate::catalog::SessionCatalog>()
        .map(|c| c.temp_storage().clone());
    let sys = Arc::new(Sys { ctx: sys, temp });
    let schemas = HashMap::from([
        (
            PG_CATALOG.to_owned(),
            Arc::new(SystemSchema::new(defs::PG_CATALOG, pg_catalog::rows, &sys))
                as Arc<dyn SchemaProvider>,
        ),
        (
            INFORMATION_SCHEMA.to_owned(),
            Arc::new(SystemSchema::new(
                defs::INFORMATION_SCHEMA,
                info_schema::rows,
                &sys,
            )) as Arc<dyn SchemaProvider>,
        ),
    ]);
    let storage = sys
        .temp
        .iter()
        .cloned()
        .chain([sys.storage.clone()])
        .collect();
    ctx.register_catalog(
        database,
        Arc::new(SessionCatalog {
            inner,
            schemas,
            storage,
        }),
    );
    functions::register(ctx, &sys);
}

/// The user-table catalog inside a session's catalog made by [`register`].
pub fn tables_of(catalog: &Arc<dyn CatalogProvider>) -> Option<Arc<dyn CatalogProvider>> {
    catalog
        .as_ref()
        .downcast_ref::<SessionCatalog>()
        .map(|c| c.inner.clone())
}

/// Whether `name` is one of the emulated `pg_catalog` relations (unqualified references to
/// these resolve to `pg_catalog` first, as PostgreSQL's implicit search path does).
pub fn is_pg_catalog_relation(name: &str) -> bool {
    defs::PG_CATALOG.iter().any(|(n, _)| *n == name)
}

/// `pg_catalog` relations that are always empty here (no foreign tables, inheritance,
/// triggers, rules, policies, publications, partitioning, extended statistics, text
/// search, subscriptions, security labels, default ACLs or user-defined aggregates).
const EMPTY_RELATIONS: &[&str] = &[
    "pg_foreign_table",
    "pg_inherits",
    "pg_trigger",
    "pg_rewrite",
    "pg_policy",
    "pg_publication",
    "pg_publication_rel",
    "pg_publication_namespace",
    "pg_partitioned_table",
    "pg_statistic_ext",
    "pg_aggregate",
    "pg_amop",
    "pg_amproc",
    "pg_shseclabel",
    "pg_db_role_setting",
    "pg_default_acl",
    "pg_foreign_data_wrapper",
    "pg_foreign_server",
    "pg_largeobject_metadata",
    "pg_opfamily",
    "pg_seclabels",
    "pg_subscription",
    "pg_transform",
    "pg_ts_config",
    "pg_ts_dict",
    "pg_ts_parser",
    "pg_ts_template",
    "pg_user_mapping",
];

/// Whether `name` is a `pg_catalog` relation that never has rows.
pub fn is_empty_catalog_relation(name: &str) -> bool {
    EMPTY_RELATIONS.contains(&name)
}

/// The OID of a `pg_catalog` relation (what its rows' `tableoid` holds).
pub fn catalog_relation_oid(name: &str) -> Option<i64> {
    oids::SYSTEM_RELATIONS
        .iter()
        .find(|(schema, n, ..)| *schema == PG_CATALOG && *n == name)
        .map(|(_, _, oid, ..)| *oid)
}

/// Whether `name` is an array-typed column of some `pg_catalog` relation (`polroles`,
/// `datacl`...), whose values clients compare with array literals such as `'{0}'`.
pub fn is_catalog_array_column(name: &str) -> bool {
    is_catalog_column(name, |c| {
        matches!(
            c,
            Col::TextArr | Col::OidArr | Col::I16Arr | Col::I16Vec | Col::OidVec
        )
    })
}

/// Whether `name` is an OID/integer column of some `pg_catalog` relation (`attrelid`),
/// which psql compares with quoted numbers (`a.attrelid = '16384'`).
pub fn is_catalog_integer_column(name: &str) -> bool {
    is_catalog_column(name, |c| {
        matches!(c, Col::Oid | Col::I16 | Col::I32 | Col::I64)
    })
}

/// Whether the `pg_catalog` relation `rel` has a column `col`.
pub fn catalog_relation_has_column(rel: &str, col: &str) -> bool {
    defs::PG_CATALOG
        .iter()
        .any(|(n, cols)| *n == rel && cols.iter().any(|(c, _)| *c == col))
}

fn is_catalog_column(name: &str, kind: impl Fn(Col) -> bool) -> bool {
    defs::PG_CATALOG
        .iter()
        .any(|(_, cols)| cols.iter().any(|(n, c)| *n == name && kind(*c)))
}

/// The user catalog plus the system schemas.
#[derive(Debug)]
struct SessionCatalog {
    inner: Arc<dyn CatalogProvider>,
    schemas: HashMap<String, Arc<dyn SchemaProvider>>,
    /// Where user tables live (temporary first), for their sequences.
    storage: Vec<Arc<Storage>>,
}

impl CatalogProvider for SessionCatalog {
    fn schema_names(&self) -> Vec<String> {
        let mut names = self.inner.schema_names();
        names.extend(self.schemas.keys().cloned());
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        self.schemas.get(name).cloned().or_else(|| {
            let user = self.inner.schema(name)?;
            Some(Arc::new(sequence_relation::WithSequences::new(
                user,
                self.storage.clone(),
            )) as Arc<dyn SchemaProvider>)
        })
    }

    fn register_schema(
        &self,
        name: &str,
        schema: Arc<dyn SchemaProvider>,
    ) -> DfResult<Option<Arc<dyn SchemaProvider>>> {
        if self.schemas.contains_key(name) {
            return Err(DataFusionError::Plan(format!(
                "schema \"{name}\" already exists"
            )));
        }
        self.inner.register_schema(name, schema)
    }
}

/// Produces the rows of the relation with the given name.
type SchemaRows = fn(&str, &Sys) -> Vec<Row>;

/// `pg_catalog` or `information_schema`.
struct SystemSchema {
    tables: HashMap<&'static str, Arc<SystemTable>>,
}

impl std::fmt::Debug for SystemSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemSchema")
            .field("tables", &self.tables.len())
            .finish()
    }
}

impl SystemSchema {
    fn new(
        defs: &'static [(&'static str, &'static [(&'static str, Col)])],
        rows: SchemaRows,
        sys: &Arc<Sys>,
    ) -> Self {
        let tables = defs
            .iter()
            .map(|(name, cols)| {
                (
                    *name,
                    Arc::new(SystemTable::new(name, cols, rows, sys.clone())),
                )
            })
            .collect();
        Self { tables }
    }
}

#[async_trait]
impl SchemaProvider for SystemSchema {
    fn table_names(&self) -> Vec<String> {
        self.tables.keys().map(|k| (*k).to_owned()).collect()
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>> {
        Ok(self
            .tables
            .get(name)
            .map(|t| t.clone() as Arc<dyn TableProvider>))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.tables.contains_key(name)
    }
}
