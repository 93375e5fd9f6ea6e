//! Data-modifying statements in WITH: `WITH ins AS (INSERT ... RETURNING ...) SELECT ... FROM
//! ins`, which DataFusion does not plan. Each INSERT / UPDATE / DELETE of the WITH list runs
//! once, in order, in one transaction with the rest of the statement (as PostgreSQL runs them);
//! its RETURNING rows are held in a table of a private catalog, and the CTE is rewritten to read
//! that table, so the main query plans like any other.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::catalog::{
    CatalogProvider, MemoryCatalogProvider, MemorySchemaProvider, SchemaProvider,
};
use datafusion::datasource::MemTable;
use datafusion::physical_plan::memory::MemoryStream;
use datafusion::sql::sqlparser::ast::{Query, SetExpr, Statement};
use futures::TryStreamExt;

use super::SqlError;
use super::execute::Outcome;
use crate::session::Session;

/// The catalog holding RETURNING rows while the statement plans and runs; its name is not a
/// database name a client can use.
const CATALOG: &str = "pgcompat dml cte";
const SCHEMA: &str = "rows";

/// Tells tables of concurrent statements (and of earlier ones) apart.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Whether `stmt` is a query with a data-modifying statement in its WITH list.
pub fn applies(stmt: &Statement) -> bool {
    let Statement::Query(q) = stmt else {
        return false;
    };
    q.with
        .as_ref()
        .is_some_and(|w| w.cte_tables.iter().any(|c| dml(&c.query).is_some()))
}

/// The INSERT / UPDATE / DELETE a CTE's query is, if it is one.
fn dml(q: &Query) -> Option<&Statement> {
    match q.body.as_ref() {
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => Some(s),
        _ => None,
    }
}

/// The result columns named as PostgreSQL names them (`upper(ins.msg)` is `upper`).
fn pg_names(stmt: &Statement, schema: SchemaRef) -> SchemaRef {
    let names = super::classify::statement_column_names(stmt);
    crate::protocol::rows::rename(&schema, names.as_deref())
}

/// The tables registered for one statement, dropped again when it is done (or fails).
struct Held {
    schema: Arc<dyn SchemaProvider>,
    names: Vec<String>,
}

impl Drop for Held {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = self.schema.deregister_table(n);
        }
    }
}

impl Session {
    /// Runs a query whose WITH list writes: the writes and the query commit together, or (on
    /// any error) none of them.
    pub(super) async fn run_dml_cte(&self, stmt: &Statement) -> Result<Outcome, SqlError> {
        let (schema, batches) = self.all_or_nothing(self.dml_cte_rows(stmt)).await?;
        let stream = MemoryStream::try_new(batches, schema.clone(), None)?;
        Ok(Outcome::Rows {
            schema,
            stream: Box::pin(stream),
        })
    }

    /// The result columns of such a query, without writing anything (for Describe).
    pub(super) async fn dml_cte_schema(&self, stmt: &Statement) -> Result<SchemaRef, SqlError> {
        let (query, _held) = self.with_dml_rows(stmt, false).await?;
        let plan = self.plan(&query).await?;
        Ok(pg_names(stmt, Arc::new(plan.schema().as_arrow().clone())))
    }

    async fn dml_cte_rows(
        &self,
        stmt: &Statement,
    ) -> Result<(SchemaRef, Vec<RecordBatch>), SqlError> {
        let (query, _held) = self.with_dml_rows(stmt, true).await?;
        let plan = self.plan(&query).await?;
        let schema = pg_names(stmt, Arc::new(plan.schema().as_arrow().clone()));
        let batches = self
            .ctx
            .execute_logical_plan(plan)
            .await?
            .collect()
            .await?
            .into_iter()
            .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SqlError::new("XX000", e.to_string()))?;
        Ok((schema, batches))
    }

    /// `stmt` with every data-modifying CTE replaced by a read of its RETURNING rows: the
    /// rows it wrote when `run`, none (only the columns) otherwise.
    async fn with_dml_rows(
        &self,
        stmt: &Statement,
        run: bool,
    ) -> Result<(Statement, Held), SqlError> {
        let Statement::Query(q) = stmt else {
            return Err(SqlError::new("XX000", "not a query with WITH"));
        };
        let mut q = q.clone();
        let mut held = Held {
            schema: self.dml_cte_schema_provider()?,
            names: Vec::new(),
        };
        let Some(with) = q.with.as_mut() else {
            return Ok((Statement::Query(q), held));
        };
        let mut kept = Vec::new();
        for mut cte in std::mem::take(&mut with.cte_tables) {
            let Some(write) = dml(&cte.query).cloned() else {
                kept.push(cte);
                continue;
            };
            let returns = self.returning_schema(&write)?;
            let rows = if run {
                self.run_cte_write(&write).await?
            } else {
                Vec::new()
            };
            // Without RETURNING the statement still runs; the CTE has nothing to read.
            let Some(schema) = returns else {
                continue;
            };
            let name = format!("w{}", NEXT.fetch_add(1, Ordering::Relaxed));
            let plain = Arc::new(Schema::new(schema.fields().clone()));
            let rows = rows
                .into_iter()
                .map(|b| b.with_schema(plain.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| SqlError::new("XX000", e.to_string()))?;
            let table = MemTable::try_new(plain, vec![rows])?;
            held.schema.register_table(name.clone(), Arc::new(table))?;
            held.names.push(name.clone());
            let read = format!("SELECT * FROM \"{CATALOG}\".\"{SCHEMA}\".\"{name}\"");
            let Some(Statement::Query(body)) = super::parse::parse(&read)?.pop() else {
                return Err(SqlError::new("XX000", "could not read WITH rows"));
            };
            cte.query = body;
            kept.push(cte);
        }
        with.cte_tables = kept;
        if with.cte_tables.is_empty() {
            q.with = None;
        }
        Ok((Statement::Query(q), held))
    }

    /// Runs one write of the WITH list; its RETURNING rows (none without RETURNING).
    async fn run_cte_write(&self, write: &Statement) -> Result<Vec<RecordBatch>, SqlError> {
        let returns = matches!(write,
            Statement::Insert(i) if i.returning.is_some() || i.on.is_some())
            || matches!(write, Statement::Update(u) if u.returning.is_some())
            || matches!(write, Statement::Delete(d) if d.returning.is_some());
        if !returns {
            self.fk_checked(write, async {
                self.write(write.clone()).await?;
                Ok(super::execute::done("WITH"))
            })
            .await?;
            return Ok(Vec::new());
        }
        match self.fk_checked(write, self.write_returning(write)).await? {
            Outcome::Rows { stream, .. } => Ok(stream.try_collect().await?),
            _ => Ok(Vec::new()),
        }
    }

    /// The private catalog's schema, registered in this session's context on first use.
    fn dml_cte_schema_provider(&self) -> Result<Arc<dyn SchemaProvider>, SqlError> {
        let catalog = match self.ctx.catalog(CATALOG) {
            Some(c) => c,
            None => {
                let c = Arc::new(MemoryCatalogProvider::new());
                c.register_schema(SCHEMA, Arc::new(MemorySchemaProvider::new()))?;
                self.ctx.register_catalog(CATALOG, c.clone());
                c
            }
        };
        catalog
            .schema(SCHEMA)
            .ok_or_else(|| SqlError::new("XX000", "WITH rows schema is missing"))
    }
}
