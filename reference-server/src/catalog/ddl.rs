//! CREATE TABLE [AS] and DROP TABLE against storage, from DataFusion's DDL plans.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::Constraint;
use datafusion::logical_expr::{CreateMemoryTable, DropTable};
use datafusion::prelude::SessionContext;
use pgwire::error::ErrorInfo;

use super::Catalog;
use crate::sql::SqlError;
use crate::storage::{StorageError, TableDef};

/// What a DDL statement did, for its tag and notices.
pub enum DdlResult {
    Done,
    /// `IF [NOT] EXISTS` made it a no-op; PostgreSQL sends this NOTICE.
    Skipped(Box<ErrorInfo>),
}

impl Catalog {
    /// CREATE TABLE (with or without AS): returns the rows inserted by AS.
    pub async fn create_table(
        &self,
        ctx: &SessionContext,
        c: &CreateMemoryTable,
    ) -> Result<(DdlResult, usize), SqlError> {
        let name = c.name.table().to_owned();
        let pk: Vec<usize> = c
            .constraints
            .iter()
            .flat_map(|k| match k {
                Constraint::PrimaryKey(cols) => cols.clone(),
                Constraint::Unique(_) => Vec::new(),
            })
            .collect();
        let input_schema = c.input.schema().as_arrow().clone();
        let fields: Vec<Field> = input_schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = f.as_ref().clone();
                // PRIMARY KEY implies NOT NULL, as in PostgreSQL.
                if pk.contains(&i) {
                    f.with_nullable(false)
                } else {
                    f
                }
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let time_column = schema
            .fields()
            .iter()
            .find(|f| matches!(f.data_type(), DataType::Timestamp(_, _)))
            .map(|f| f.name().clone());
        let def = TableDef {
            name: name.clone(),
            schema: schema.clone(),
            time_column,
            primary_key: pk
                .iter()
                .filter_map(|i| schema.fields().get(*i).map(|f| f.name().clone()))
                .collect(),
        };
        let created = match self.storage.create_table(def, c.if_not_exists) {
            Ok(created) => created,
            Err(StorageError::AlreadyExists(n)) => {
                return Err(SqlError::new(
                    "42P07",
                    format!("relation \"{n}\" already exists"),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        self.bump();
        if !created {
            return Ok((
                DdlResult::Skipped(Box::new(ErrorInfo::new(
                    "NOTICE".into(),
                    "42P07".into(),
                    format!("relation \"{name}\" already exists, skipping"),
                ))),
                0,
            ));
        }
        let is_ctas = !matches!(
            c.input.as_ref(),
            datafusion::logical_expr::LogicalPlan::EmptyRelation(_)
        );
        if !is_ctas {
            return Ok((DdlResult::Done, 0));
        }
        let inserted = async {
            let batches = ctx
                .execute_logical_plan(c.input.as_ref().clone())
                .await?
                .collect()
                .await?;
            let table = self.storage.table(&name).ok_or_else(|| {
                SqlError::new("42P01", format!("relation \"{name}\" does not exist"))
            })?;
            let batches = batches
                .into_iter()
                .map(|b| b.with_schema(schema.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| SqlError::new("42804", e.to_string()))?;
            Ok::<u64, SqlError>(table.insert(batches).await?)
        }
        .await;
        match inserted {
            Ok(n) => Ok((DdlResult::Done, usize::try_from(n).unwrap_or(usize::MAX))),
            Err(e) => {
                // The table must not outlive a failed CREATE TABLE AS.
                let _ = self.storage.drop_table(&name, true);
                self.bump();
                Err(e)
            }
        }
    }

    pub fn drop_table(&self, d: &DropTable) -> Result<DdlResult, SqlError> {
        let name = d.name.table();
        let dropped = self
            .storage
            .drop_table(name, d.if_exists)
            .map_err(|e| match e {
                StorageError::NotFound(n) => {
                    SqlError::new("42P01", format!("table \"{n}\" does not exist"))
                }
                other => other.into(),
            })?;
        self.bump();
        Ok(if dropped {
            DdlResult::Done
        } else {
            DdlResult::Skipped(Box::new(ErrorInfo::new(
                "NOTICE".into(),
                "00000".into(),
                format!("table \"{name}\" does not exist, skipping"),
            )))
        })
    }
}
