//! RETURNING of `UPDATE … FROM` and `DELETE … USING`: the written rows are found by the
//! statement's own join (UPDATE: the target's columns with the SET values applied; DELETE: the
//! target's rows), the write then runs as without RETURNING (`super::update_from`), and the
//! RETURNING list is evaluated over those rows.

use datafusion::sql::sqlparser::ast::{FromTable, Statement, UpdateTableFromKind};

use super::execute::Outcome;
use super::returning::{new_row_items, quote, target};
use super::{SqlError, parse};
use crate::session::Session;

impl Session {
    /// Runs an UPDATE … FROM / DELETE … USING that has RETURNING.
    pub(super) async fn returning_from(&self, stmt: &Statement) -> Result<Outcome, SqlError> {
        match stmt {
            Statement::Update(u) => {
                let (table, alias) = target(&u.table)?;
                let t = self.shared.catalog.find_table(&self.ctx, &table)?.table;
                let name = alias.unwrap_or_else(|| t.def().name.clone());
                let items = new_row_items(t.def(), &u.assignments, Some(&name));
                let from = match &u.from {
                    Some(UpdateTableFromKind::AfterSet(f) | UpdateTableFromKind::BeforeSet(f)) => {
                        f.iter().map(|t| format!(", {t}")).collect::<String>()
                    }
                    None => String::new(),
                };
                let sql = format!(
                    "SELECT DISTINCT {} FROM {}{from}{}",
                    items.join(", "),
                    u.table,
                    where_clause(u.selection.as_ref())
                );
                let rows = self.collect_sql(&sql).await?;
                let mut plain = u.clone();
                let returning = plain.returning.take().unwrap_or_default();
                self.run_update_from(&Statement::Update(plain)).await?;
                self.returning(&t, &name, rows, &returning, "UPDATE").await
            }
            Statement::Delete(d) => {
                let (FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f)) = &d.from;
                let [first] = f.as_slice() else {
                    return Err(SqlError::syntax("DELETE of more than one table"));
                };
                let (table, alias) = target(first)?;
                let t = self.shared.catalog.find_table(&self.ctx, &table)?.table;
                let name = alias.unwrap_or_else(|| t.def().name.clone());
                let using: String = d.using.iter().flatten().map(|t| format!(", {t}")).collect();
                let sql = format!(
                    "SELECT DISTINCT {}.* FROM {first}{using}{}",
                    quote(&name),
                    where_clause(d.selection.as_ref())
                );
                let rows = self.collect_sql(&sql).await?;
                let mut plain = d.clone();
                let returning = plain.returning.take().unwrap_or_default();
                self.run_update_from(&Statement::Delete(plain)).await?;
                self.returning(&t, &name, rows, &returning, "DELETE").await
            }
            _ => Err(SqlError::unsupported("RETURNING is not supported here")),
        }
    }

    /// Plans (with the session's rewrites) and collects one query.
    async fn collect_sql(
        &self,
        sql: &str,
    ) -> Result<Vec<datafusion::arrow::array::RecordBatch>, SqlError> {
        let stmt = parse::parse(sql)?
            .pop()
            .ok_or_else(|| SqlError::syntax("empty statement"))?;
        let plan = self.plan(&stmt).await?;
        Ok(self.ctx.execute_logical_plan(plan).await?.collect().await?)
    }
}

fn where_clause(selection: Option<&datafusion::sql::sqlparser::ast::Expr>) -> String {
    selection.map(|s| format!(" WHERE {s}")).unwrap_or_default()
}
