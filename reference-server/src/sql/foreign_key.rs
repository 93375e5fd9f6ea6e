//! FOREIGN KEY enforcement (NO ACTION / RESTRICT, and ON DELETE CASCADE / SET NULL / SET
//! DEFAULT, which act on the orphaned referencing rows before the check): a write to a table that has foreign keys,
//! or that foreign keys reference, runs inside the session's transaction buffer (an autocommit
//! statement gets one of its own), and afterwards every affected constraint is checked with one
//! anti-join over the buffered view of the tables. A violation undoes the statement's writes
//! and raises PostgreSQL's 23503 with its message, DETAIL and fields; otherwise an autocommit
//! statement commits its buffer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use datafusion::sql::sqlparser::ast::{FromTable, ObjectName, Statement, TableFactor, TableObject};

use super::SqlError;
use super::execute::Outcome;
use crate::catalog::SessionCatalog;
use crate::catalog::constraints::{object, value_text};
use crate::session::Session;
use crate::storage::{ConstraintDef, FkAction, Table};

/// One foreign key to check after a write.
struct Check {
    name: String,
    child: Arc<Table>,
    columns: Vec<String>,
    parent: String,
    ref_columns: Vec<String>,
    /// The statement wrote the referencing table (else only the referenced one).
    on_child: bool,
    on_delete: FkAction,
}

/// The table a DML statement writes, and whether it may add or change referencing rows
/// (INSERT/UPDATE) and remove or change referenced ones (UPDATE/DELETE, upserts).
fn target(stmt: &Statement) -> Option<(&ObjectName, bool, bool)> {
    match stmt {
        Statement::Insert(i) => match &i.table {
            TableObject::TableName(n) => Some((n, true, i.on.is_some())),
            _ => None,
        },
        Statement::Update(u) => match &u.table.relation {
            TableFactor::Table { name, .. } => Some((name, true, true)),
            _ => None,
        },
        Statement::Delete(d) => {
            let (FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f)) = &d.from;
            match &f.first()?.relation {
                TableFactor::Table { name, .. } => Some((name, false, true)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Check {
    fn child_columns(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| format!("__c.{}", quote(c)))
            .collect()
    }

    /// Rows of the referencing table `__c` whose key has no referenced row (NULL keys
    /// never violate).
    fn orphan_condition(&self) -> String {
        let cols = self.child_columns();
        let not_null: Vec<String> = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect();
        let join: Vec<String> = self
            .ref_columns
            .iter()
            .zip(&cols)
            .map(|(r, c)| format!("__p.{} = {c}", quote(r)))
            .collect();
        format!(
            "{} AND NOT EXISTS (SELECT 1 FROM {} AS __p WHERE {})",
            not_null.join(" AND "),
            quote(&self.parent),
            join.join(" AND "),
        )
    }

    /// The first referencing key that has no referenced row.
    fn orphan_sql(&self) -> String {
        format!(
            "SELECT {} FROM {} AS __c WHERE {} LIMIT 1",
            self.child_columns().join(", "),
            quote(&self.child.def().name),
            self.orphan_condition(),
        )
    }

    /// The ON DELETE action on the referencing rows left without a referenced row, if the
    /// key has one (NO ACTION / RESTRICT only check).
    fn action_sql(&self) -> Option<String> {
        let child = quote(&self.child.def().name);
        let cond = self.orphan_condition();
        let set = |default: bool| {
            self.columns
                .iter()
                .map(|c| {
                    let value = self
                        .child
                        .def()
                        .defaults
                        .iter()
                        .find(|d| default && d.column == *c)
                        .map_or("NULL", |d| d.expr.as_str());
                    format!("{} = {value}", quote(c))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self.on_delete {
            FkAction::Cascade => Some(format!("DELETE FROM {child} AS __c WHERE {cond}")),
            FkAction::SetNull => Some(format!(
                "UPDATE {child} AS __c SET {} WHERE {cond}",
                set(false)
            )),
            FkAction::SetDefault => Some(format!(
                "UPDATE {child} AS __c SET {} WHERE {cond}",
                set(true)
            )),
            FkAction::NoAction | FkAction::Restrict => None,
        }
    }

    fn violation(&self, values: &[String]) -> SqlError {
        let child = &self.child.def().name;
        let (message, detail) = if self.on_child {
            (
                format!(
                    "insert or update on table \"{child}\" violates foreign key constraint \"{}\"",
                    self.name
                ),
                format!(
                    "Key ({})=({}) is not present in table \"{}\".",
                    self.columns.join(", "),
                    values.join(", "),
                    self.parent
                ),
            )
        } else {
            (
                format!(
                    "update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{child}\"",
                    self.parent, self.name
                ),
                format!(
                    "Key ({})=({}) is still referenced from table \"{child}\".",
                    self.ref_columns.join(", "),
                    values.join(", ")
                ),
            )
        };
        SqlError::new("23503", message)
            .with_detail(detail)
            .with_object(object(self.child.def(), None, Some(&self.name)))
    }
}

impl Session {
    /// The foreign keys a write of `stmt` can violate.
    fn fk_checks(&self, stmt: &Statement) -> Vec<Check> {
        let Some((name, adds, removes)) = target(stmt) else {
            return Vec::new();
        };
        let Ok(written) = self.shared.catalog.find_table(&self.ctx, name) else {
            return Vec::new();
        };
        let written = written.table.def().name.clone();
        let Some(session) = SessionCatalog::of(&self.ctx) else {
            return Vec::new();
        };
        let mut checks = Vec::new();
        for (_, table) in session.tables() {
            for c in &table.def().constraints {
                let ConstraintDef::ForeignKey {
                    name,
                    columns,
                    ref_table,
                    ref_columns,
                    on_delete,
                } = c
                else {
                    continue;
                };
                let on_child = adds && table.def().name == written;
                if on_child || (removes && *ref_table == written) {
                    checks.push(Check {
                        name: name.clone(),
                        child: table.clone(),
                        columns: columns.clone(),
                        parent: ref_table.clone(),
                        ref_columns: ref_columns.clone(),
                        on_child,
                        on_delete: *on_delete,
                    });
                }
            }
        }
        checks
    }

    /// Runs the write `run` of `stmt`, enforcing the foreign keys it can violate.
    pub(super) async fn fk_checked(
        &self,
        stmt: &Statement,
        run: impl Future<Output = Result<Outcome, SqlError>>,
    ) -> Result<Outcome, SqlError> {
        let checks = self.fk_checks(stmt);
        if checks.is_empty() {
            return run.await;
        }
        let deletes = matches!(stmt, Statement::Delete(_));
        self.all_or_nothing(async {
            let outcome = run.await?;
            for check in &checks {
                if deletes && !check.on_child {
                    self.fk_action(check).await?;
                }
                self.check_fk(check).await?;
            }
            Ok(outcome)
        })
        .await
    }

    /// Runs a key's ON DELETE action (CASCADE, SET NULL, SET DEFAULT) on the referencing
    /// rows a DELETE left without a referenced row, in the same write scope; that write's
    /// own foreign keys act and are checked in turn.
    async fn fk_action(&self, check: &Check) -> Result<(), SqlError> {
        let Some(sql) = check.action_sql() else {
            return Ok(());
        };
        let orphans = self.ctx.sql(&check.orphan_sql()).await?.collect().await?;
        if orphans.iter().all(|b| b.num_rows() == 0) {
            return Ok(());
        }
        let stmt = super::parse::parse(&sql)?
            .pop()
            .ok_or_else(|| SqlError::syntax("empty statement"))?;
        self.fk_write(&stmt).await.map(|_| ())
    }

    /// An action's write with its own foreign keys; boxed with a named type, as it recurses.
    fn fk_write<'a>(
        &'a self,
        stmt: &'a Statement,
    ) -> Pin<Box<dyn Future<Output = Result<Outcome, SqlError>> + Send + 'a>> {
        Box::pin(async move { self.fk_checked(stmt, self.run_update_from(stmt)).await })
    }

    async fn check_fk(&self, check: &Check) -> Result<(), SqlError> {
        let batches = self.ctx.sql(&check.orphan_sql()).await?.collect().await?;
        let Some(batch) = batches.iter().find(|b| b.num_rows() > 0) else {
            return Ok(());
        };
        let schema = batch.schema();
        let values: Vec<String> = batch
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(c, f)| value_text(c.as_ref(), 0, f))
            .collect();
        Err(check.violation(&values))
    }
}
