//! FOREIGN KEY enforcement (NO ACTION / RESTRICT): a write to a table that has foreign keys,
//! or that foreign keys reference, runs inside the session's transaction buffer (an autocommit
//! statement gets one of its own), and afterwards every affected constraint is checked with one
//! anti-join over the buffered view of the tables. A violation undoes the statement's writes
//! and raises PostgreSQL's 23503 with its message, DETAIL and fields; otherwise an autocommit
//! statement commits its buffer.

use std::future::Future;
use std::sync::Arc;

use datafusion::sql::sqlparser::ast::{FromTable, ObjectName, Statement, TableFactor, TableObject};

use super::SqlError;
use super::execute::Outcome;
use crate::catalog::SessionCatalog;
use crate::catalog::constraints::{object, value_text};
use crate::session::Session;
use crate::storage::{ConstraintDef, Table};

/// One foreign key to check after a write.
struct Check {
    name: String,
    child: Arc<Table>,
    columns: Vec<String>,
    parent: String,
    ref_columns: Vec<String>,
    /// The statement wrote the referencing table (else only the referenced one).
    on_child: bool,
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
    /// The first referencing key that has no referenced row (NULL keys never violate).
    fn orphan_sql(&self) -> String {
        let cols: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("__c.{}", quote(c)))
            .collect();
        let not_null: Vec<String> = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect();
        let join: Vec<String> = self
            .ref_columns
            .iter()
            .zip(&cols)
            .map(|(r, c)| format!("__p.{} = {c}", quote(r)))
            .collect();
        format!(
            "SELECT {} FROM {} AS __c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} AS __p WHERE {}) LIMIT 1",
            cols.join(", "),
            quote(&self.child.def().name),
            not_null.join(" AND "),
            quote(&self.parent),
            join.join(" AND "),
        )
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
        self.all_or_nothing(async {
            let outcome = run.await?;
            for check in &checks {
                self.check_fk(check).await?;
            }
            Ok(outcome)
        })
        .await
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
