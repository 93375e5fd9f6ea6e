//! DROP TABLE (temporary tables first, as the search path finds them) and the result type
//! of DDL statements.

use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{self, ObjectName, Statement};
use pgwire::api::results::Tag;
use pgwire::error::ErrorInfo;

use super::create::split_name;
use super::{Catalog, SessionCatalog, TableRef};
use crate::sql::SqlError;
use crate::storage::ConstraintDef;

/// What a DDL statement did, for its tag and notices.
pub enum DdlResult {
    Done,
    /// `IF [NOT] EXISTS` made it a no-op; PostgreSQL sends this NOTICE.
    Skipped(Box<ErrorInfo>),
}

impl Catalog {
    /// The table a (possibly qualified) name refers to in this session: its temporary table
    /// of that name, else the shared one. 42P01 if there is none.
    pub fn find_table(
        &self,
        ctx: &SessionContext,
        name: &ObjectName,
    ) -> Result<TableRef, SqlError> {
        let (schema, table) = split_name(name);
        SessionCatalog::of(ctx)
            .and_then(|s| s.lookup(schema.as_deref(), &table))
            .ok_or_else(|| SqlError::new("42P01", format!("relation \"{table}\" does not exist")))
    }

    /// `DROP TABLE [IF EXISTS] a, b [CASCADE]`: all names are checked before any is dropped.
    /// Returns one NOTICE per missing table under IF EXISTS.
    pub fn drop_tables(
        &self,
        ctx: &SessionContext,
        names: &[ObjectName],
        if_exists: bool,
        cascade: bool,
    ) -> Result<Vec<DdlResult>, SqlError> {
        let mut found = Vec::new();
        let mut results = Vec::new();
        for n in names {
            match self.find_table(ctx, n) {
                Ok(t) => found.push(t),
                Err(_) if if_exists => results.push(DdlResult::Skipped(Box::new(ErrorInfo::new(
                    "NOTICE".into(),
                    "00000".into(),
                    format!("table \"{}\" does not exist, skipping", split_name(n).1),
                )))),
                Err(_) => {
                    return Err(SqlError::new(
                        "42P01",
                        format!("table \"{}\" does not exist", split_name(n).1),
                    ));
                }
            }
        }
        if !cascade {
            self.check_dependents(ctx, &found)?;
        }
        for t in &found {
            t.storage.drop_table(&t.table.def().name, true)?;
            results.push(DdlResult::Done);
        }
        self.bump();
        Ok(results)
    }

    /// 2BP01 when a table outside `dropping` has a foreign key to one of them.
    fn check_dependents(
        &self,
        ctx: &SessionContext,
        dropping: &[TableRef],
    ) -> Result<(), SqlError> {
        let Some(session) = SessionCatalog::of(ctx) else {
            return Ok(());
        };
        let names: Vec<&str> = dropping
            .iter()
            .map(|t| t.table.def().name.as_str())
            .collect();
        for (_, other) in session.tables() {
            if names.contains(&other.def().name.as_str()) {
                continue;
            }
            for c in &other.def().constraints {
                if let ConstraintDef::ForeignKey {
                    name, ref_table, ..
                } = c
                    && names.contains(&ref_table.as_str())
                {
                    return Err(SqlError::new(
                        "2BP01",
                        format!("cannot drop table {ref_table} because other objects depend on it"),
                    )
                    .with_detail(format!(
                        "constraint {name} on table {} depends on table {ref_table}",
                        other.def().name
                    )));
                }
            }
        }
        Ok(())
    }
}

impl Catalog {
    /// Runs CREATE TABLE, ALTER TABLE, CREATE INDEX or DROP INDEX; returns the command tag
    /// and any NOTICEs.
    pub async fn run_ddl(
        &self,
        ctx: &SessionContext,
        stmt: &Statement,
    ) -> Result<(Tag, Vec<DdlResult>), SqlError> {
        match stmt {
            Statement::CreateTable(ct) => {
                let (result, rows) = self.create_table_stmt(ctx, ct).await?;
                let tag = if ct.query.is_some() {
                    Tag::new("SELECT").with_rows(rows)
                } else {
                    Tag::new("CREATE TABLE")
                };
                Ok((tag, vec![result]))
            }
            Statement::AlterTable(a) => {
                self.alter_table(ctx, a).await?;
                Ok((Tag::new("ALTER TABLE"), Vec::new()))
            }
            Statement::CreateIndex(ci) => {
                let result = self.create_index(ctx, ci).await?;
                Ok((Tag::new("CREATE INDEX"), vec![result]))
            }
            Statement::Drop {
                names, if_exists, ..
            } => {
                let mut results = Vec::new();
                for n in names {
                    results.push(self.drop_index(ctx, n, *if_exists).await?);
                }
                Ok((Tag::new("DROP INDEX"), results))
            }
            other => Err(SqlError::unsupported(format!("{other} is not supported"))),
        }
    }

    /// CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON t (cols): recorded with the table
    /// (unique ones enforced; existing duplicates fail with 23505).
    async fn create_index(
        &self,
        ctx: &SessionContext,
        ci: &ast::CreateIndex,
    ) -> Result<DdlResult, SqlError> {
        let t = self.find_table(ctx, &ci.table_name)?;
        let columns: Vec<String> = ci
            .columns
            .iter()
            .map(|c| match &c.column.expr {
                ast::Expr::Identifier(i) => Ok(super::ident(i)),
                other => Err(SqlError::unsupported(format!(
                    "index on expression {other} is not supported"
                ))),
            })
            .collect::<Result<_, _>>()?;
        let def = t.table.def();
        if let Some(missing) = columns.iter().find(|c| def.schema.index_of(c).is_err()) {
            return Err(SqlError::new(
                "42703",
                format!("column \"{missing}\" does not exist"),
            ));
        }
        let name = match &ci.name {
            Some(n) => split_name(n).1,
            None => {
                let base = format!("{}_{}_idx", def.name, columns.join("_"));
                let mut name = base.clone();
                let mut k = 0;
                while self.index_owner(ctx, &name).is_some() {
                    k += 1;
                    name = format!("{base}{k}");
                }
                name
            }
        };
        if self.index_owner(ctx, &name).is_some()
            || self
                .find_table(ctx, &ObjectName::from(vec![ast::Ident::new(&name)]))
                .is_ok()
        {
            if ci.if_not_exists {
                return Ok(DdlResult::Skipped(Box::new(ErrorInfo::new(
                    "NOTICE".into(),
                    "42P07".into(),
                    format!("relation \"{name}\" already exists, skipping"),
                ))));
            }
            return Err(SqlError::new(
                "42P07",
                format!("relation \"{name}\" already exists"),
            ));
        }
        let mut new = def.clone();
        new.constraints.push(ConstraintDef::Index {
            name,
            columns,
            unique: ci.unique,
        });
        self.redefine(&t, new).await?;
        Ok(DdlResult::Done)
    }

    /// The table holding index `name`, if any.
    fn index_owner(&self, ctx: &SessionContext, name: &str) -> Option<TableRef> {
        let session = SessionCatalog::of(ctx)?;
        session.tables().into_iter().find_map(|(schema, t)| {
            t.def()
                .constraints
                .iter()
                .any(|k| matches!(k, ConstraintDef::Index { name: n, .. } if n == name))
                .then(|| session.lookup(Some(schema), &t.def().name))
                .flatten()
        })
    }

    async fn drop_index(
        &self,
        ctx: &SessionContext,
        name: &ObjectName,
        if_exists: bool,
    ) -> Result<DdlResult, SqlError> {
        let name = split_name(name).1;
        let Some(t) = self.index_owner(ctx, &name) else {
            if if_exists {
                return Ok(DdlResult::Skipped(Box::new(ErrorInfo::new(
                    "NOTICE".into(),
                    "00000".into(),
                    format!("index \"{name}\" does not exist, skipping"),
                ))));
            }
            return Err(SqlError::new(
                "42704",
                format!("index \"{name}\" does not exist"),
            ));
        };
        let mut new = t.table.def().clone();
        new.constraints
            .retain(|k| !matches!(k, ConstraintDef::Index { name: n, .. } if *n == name));
        self.redefine(&t, new).await?;
        Ok(DdlResult::Done)
    }

    /// Replaces a table's definition keeping its rows (checked against the new definition).
    async fn redefine(&self, t: &TableRef, def: crate::storage::TableDef) -> Result<(), SqlError> {
        let rules = super::constraints::Rules::compile(&def)?;
        let rows = t.table.all_rows().await?;
        let mut keys = super::constraints::KeyIndex::build(&rules, &[])?;
        for b in &rows {
            keys.insert(&rules, &def, b)?;
        }
        t.storage
            .replace_table(&t.table.def().name.clone(), def, rows)
            .await?;
        self.bump();
        Ok(())
    }
}
