//! Running classified statements: session commands here, everything else on DataFusion.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt64Type};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::memory::MemoryStream;
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{ObjectName, Statement};
use pgwire::api::results::Tag;
use pgwire::error::ErrorInfo;

use super::SqlError;
use super::classify::{Command, PlanKind};
use super::copy::CopyOptions;
use crate::session::Session;
use crate::session::transaction::TxStatus;

/// The result of one statement.
pub enum Outcome {
    /// A row-returning statement; rows are produced lazily from the stream.
    Rows {
        schema: SchemaRef,
        stream: SendableRecordBatchStream,
    },
    /// A completed command with its tag.
    Done(Tag),
    /// `COPY ... FROM STDIN` is waiting for CopyData (state kept in the session).
    CopyIn {
        columns: usize,
        options: CopyOptions,
    },
    /// `COPY ... TO STDOUT`: rows to send as CopyData.
    CopyOut {
        schema: SchemaRef,
        stream: SendableRecordBatchStream,
        options: CopyOptions,
    },
}

impl Session {
    /// Plan a statement with DataFusion (placeholders `$n` stay as parameters).
    pub async fn plan(&self, stmt: &Statement) -> Result<LogicalPlan, SqlError> {
        self.plan_with_types(stmt, &[]).await
    }

    /// Plan a statement whose parameters the client declared types for (`declared[i]` is
    /// `$i+1`'s type), typing literals and parameters as PostgreSQL does.
    pub async fn plan_with_types(
        &self,
        stmt: &Statement,
        declared: &[Option<DataType>],
    ) -> Result<LogicalPlan, SqlError> {
        self.functions.sync(&self.ctx, &self.shared.functions);
        let state = self.ctx.state();
        crate::sql::insert_defaults::check_arity(&self.shared.catalog, &self.ctx, stmt)?;
        crate::sql::insert_literals::check(&self.shared.catalog, &self.ctx, stmt)?;
        let mut stmt = crate::sql::insert_defaults::rewrite(&self.shared.catalog, &self.ctx, stmt)?;
        let temp = self.temp_storage().ok();
        super::view::expand(self.views(temp.as_deref()), &mut stmt)?;
        let plan = state
            .statement_to_plan(DFStatement::Statement(Box::new(stmt)))
            .await?;
        crate::sql::insert_defaults::check_types(&plan)?;
        super::type_match::check(&plan)?;
        let fmt = self.settings().format_settings();
        let plan = super::typing::retype_plan(plan, declared, &fmt)?;
        let plan = super::lazy_case::rewrite_plan(plan)?;
        let plan = super::datetime_text::rewrite_plan(plan, &self.ctx)?;
        Ok(super::subplan::with_subplans(&state, plan)?)
    }

    /// The result columns a command will produce, without running it (for Describe).
    pub fn result_schema(cmd: &Command, plan: Option<&LogicalPlan>) -> Option<SchemaRef> {
        match cmd {
            Command::Plan { kind, .. } if kind.returns_rows() => {
                plan.map(|p| Arc::new(p.schema().as_arrow().clone()))
            }
            Command::Show(None) => Some(show_all_schema()),
            Command::Show(Some(name)) => Some(show_schema(name)),
            _ => None,
        }
    }

    /// Run one classified statement. `plan` is a cached (parameter-bound) plan, if any.
    pub async fn run(&self, cmd: &Command, plan: Option<LogicalPlan>) -> Result<Outcome, SqlError> {
        if self.tx().status == TxStatus::Failed && !cmd.ends_failed_block() {
            return Err(SqlError::in_failed_transaction());
        }
        match cmd {
            Command::Plan { stmt, .. } if super::update_from::applies(stmt) => {
                self.fk_checked(stmt, self.run_update_from(stmt)).await
            }
            Command::Plan { stmt, kind, .. } => {
                let plan = match plan {
                    Some(p) => p,
                    None => {
                        if *kind == PlanKind::Query
                            && let Some(q) = super::point_lookup::recognise(stmt)
                            && let Some(out) = self.point_lookup(&q, &[]).await?
                        {
                            return Ok(out);
                        }
                        self.plan(stmt).await?
                    }
                };
                self.fk_checked(stmt, self.run_plan(*kind, plan)).await
            }
            Command::Begin { tag, isolation } => {
                if !self.begin_block() {
                    self.warn("25001", "there is already a transaction in progress");
                }
                if let Some(level) = isolation {
                    self.change_settings(true, |s| s.set("transaction_isolation", level))?;
                }
                Ok(done(tag))
            }
            Command::Commit | Command::Rollback => {
                let commit = matches!(cmd, Command::Commit);
                let status = self.end_block(commit).await?;
                if status == TxStatus::Idle {
                    self.warn("25P01", "there is no transaction in progress");
                }
                let failed = status == TxStatus::Failed;
                Ok(done(if commit && !failed {
                    "COMMIT"
                } else {
                    "ROLLBACK"
                }))
            }
            Command::Savepoint(name) => {
                self.savepoint(name)?;
                Ok(done("SAVEPOINT"))
            }
            Command::Release(name) => {
                self.to_savepoint(name, false)?;
                Ok(done("RELEASE"))
            }
            Command::RollbackTo(name) => {
                self.to_savepoint(name, true)?;
                Ok(done("ROLLBACK"))
            }
            Command::Set { name, value, local } => {
                self.change_settings(*local, |s| match value {
                    Some(v) => s.set(name, v),
                    None => s.reset(name),
                })?;
                Ok(done("SET"))
            }
            Command::Reset(name) => {
                self.change_settings(false, |s| match name {
                    Some(n) => s.reset(n),
                    None => {
                        s.reset_all();
                        Ok(())
                    }
                })?;
                Ok(done("RESET"))
            }
            Command::Show(name) => self.show(name.as_deref()),
            Command::Truncate(tables) => {
                for t in tables {
                    self.truncate(t).await?;
                }
                Ok(done("TRUNCATE TABLE"))
            }
            Command::NoOp(tag) => Ok(done(tag)),
            Command::NoOpOutsideBlock(tag) => {
                let tx = self.tx();
                if tx.status != TxStatus::Idle || tx.implicit {
                    return Err(SqlError::new(
                        "25001",
                        format!("{tag} cannot run inside a transaction block"),
                    ));
                }
                Ok(done(tag))
            }
            Command::DropTables {
                names,
                if_exists,
                cascade,
            } => {
                let temp = self.temp_storage().ok();
                super::view::refuse_drop_table_of_view(self.views(temp.as_deref()), names)?;
                self.drop_table_dependents(names, *cascade)?;
                let results = self
                    .shared
                    .catalog
                    .drop_tables(&self.ctx, names, *if_exists, *cascade)?;
                for r in results {
                    self.ddl_notice(r);
                }
                Ok(done("DROP TABLE"))
            }
            Command::Ddl(stmt) if super::view::is_view_ddl(stmt) => self.run_view_ddl(stmt).await,
            Command::Ddl(stmt) => {
                self.drop_column_dependents(stmt)?;
                let (tag, notices) = self.shared.catalog.run_ddl(&self.ctx, stmt).await?;
                if let Statement::CreateTable(ct) = stmt.as_ref()
                    && matches!(notices.as_slice(), [crate::catalog::DdlResult::Done])
                    && let Ok(found) = self.shared.catalog.find_table(&self.ctx, &ct.name)
                {
                    // A ROLLBACK of the transaction drops it again.
                    self.note_created(found.storage, &found.table.def().name);
                }
                for n in notices {
                    self.ddl_notice(n);
                }
                Ok(Outcome::Done(tag))
            }
            Command::Write(stmt) => self.fk_checked(stmt, self.run_write(stmt)).await,
            Command::Copy(spec) => self.start_copy(spec).await,
            Command::Cursor(c) => self.run_cursor(c, plan).await,
            Command::Do(block) => {
                self.run_do(block).await?;
                Ok(done("DO"))
            }
            Command::Notify(n) => self.run_notify_command(n),
            Command::Prepared(p) => self.run_prepare_command(p).await,
            Command::Function(f) => self.run_function_command(f).map(done),
            Command::Fail(e) => Err(e.clone()),
        }
    }

    pub(super) async fn run_plan(
        &self,
        kind: PlanKind,
        plan: LogicalPlan,
    ) -> Result<Outcome, SqlError> {
        let df = self.ctx.execute_logical_plan(plan).await?;
        if kind.is_ddl() {
            self.shared.catalog.bump();
        }
        match kind {
            PlanKind::Query | PlanKind::Explain => {
                let schema = Arc::new(df.schema().as_arrow().clone());
                let stream = df.execute_stream().await?;
                Ok(Outcome::Rows { schema, stream })
            }
            PlanKind::Insert => Ok(Outcome::Done(
                Tag::new("INSERT").with_oid(0).with_rows(count(df).await?),
            )),
            PlanKind::Update => Ok(Outcome::Done(
                Tag::new("UPDATE").with_rows(count(df).await?),
            )),
            PlanKind::Delete => Ok(Outcome::Done(
                Tag::new("DELETE").with_rows(count(df).await?),
            )),
            PlanKind::CreateTable
            | PlanKind::CreateTableAs
            | PlanKind::DropTable
            | PlanKind::CreateView
            | PlanKind::DropView
            | PlanKind::CreateSchema
            | PlanKind::DropSchema => {
                df.collect().await?;
                Ok(done(match kind {
                    PlanKind::CreateTable => "CREATE TABLE",
                    PlanKind::DropTable => "DROP TABLE",
                    PlanKind::CreateView => "CREATE VIEW",
                    PlanKind::DropView => "DROP VIEW",
                    PlanKind::CreateSchema => "CREATE SCHEMA",
                    _ => "DROP SCHEMA",
                }))
            }
        }
    }

    async fn truncate(&self, table: &ObjectName) -> Result<(), SqlError> {
        let t = self.shared.catalog.find_table(&self.ctx, table)?.table;
        self.tx_writes().truncate(&t).await?;
        Ok(())
    }

    fn show(&self, name: Option<&str>) -> Result<Outcome, SqlError> {
        let settings = self.settings();
        let (schema, columns): (SchemaRef, Vec<Vec<String>>) = match name {
            None => {
                let all = settings.all();
                (
                    show_all_schema(),
                    vec![
                        all.iter().map(|r| r.0.clone()).collect(),
                        all.iter().map(|r| r.1.clone()).collect(),
                        all.iter().map(|r| r.2.clone()).collect(),
                    ],
                )
            }
            Some(n) => (show_schema(n), vec![vec![settings.show(n)?]]),
        };
        let arrays = columns
            .into_iter()
            .map(|c| Arc::new(StringArray::from(c)) as Arc<dyn Array>)
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| SqlError::new("XX000", e.to_string()))?;
        let stream = MemoryStream::try_new(vec![batch], schema.clone(), None)?;
        Ok(Outcome::Rows {
            schema,
            stream: Box::pin(stream),
        })
    }

    fn ddl_notice(&self, result: crate::catalog::DdlResult) {
        if let crate::catalog::DdlResult::Skipped(mut info) = result {
            // PostgreSQL sends the non-localized severity (V) with every notice.
            if info.severity_nonlocalized.is_none() {
                info.severity_nonlocalized = Some(info.severity.clone());
            }
            self.notice(*info);
        }
    }

    fn warn(&self, code: &str, message: &str) {
        let mut info = ErrorInfo::new("WARNING".into(), code.into(), message.into());
        info.severity_nonlocalized = Some("WARNING".into());
        self.notice(info);
    }
}

pub(super) fn done(tag: &str) -> Outcome {
    Outcome::Done(Tag::new(tag))
}

/// Schema metadata key naming the command tag of a row-returning command that is not a
/// SELECT (`SHOW` answers with tag `SHOW`, `FETCH` with `FETCH n`).
pub const COMMAND_TAG_KEY: &str = "pg_command_tag";

/// The command a row-returning result completes as: `SELECT` unless its schema names one
/// (SHOW, FETCH, INSERT / UPDATE / DELETE ... RETURNING).
pub fn rows_command(schema: &Schema) -> &str {
    schema
        .metadata()
        .get(COMMAND_TAG_KEY)
        .map_or("SELECT", String::as_str)
}

/// The CommandComplete tag of row-returning `command` after `rows` rows.
pub fn rows_tag(command: &str, rows: usize) -> Tag {
    match command {
        "INSERT" => Tag::new(command).with_oid(0).with_rows(rows),
        "SHOW" | "EXPLAIN" => Tag::new(command),
        _ => Tag::new(command).with_rows(rows),
    }
}

fn show_schema(name: &str) -> SchemaRef {
    let col = crate::session::settings::Settings::canonical_name(name);
    Arc::new(Schema::new_with_metadata(
        vec![Field::new(col, DataType::Utf8, true)],
        std::collections::HashMap::from([(COMMAND_TAG_KEY.to_owned(), "SHOW".to_owned())]),
    ))
}

fn show_all_schema() -> SchemaRef {
    Arc::new(Schema::new_with_metadata(
        vec![
            Field::new("name", DataType::Utf8, true),
            Field::new("setting", DataType::Utf8, true),
            Field::new("description", DataType::Utf8, true),
        ],
        std::collections::HashMap::from([(COMMAND_TAG_KEY.to_owned(), "SHOW".to_owned())]),
    ))
}

/// The row count DataFusion's DML plans return as a single `count` value.
async fn count(df: datafusion::dataframe::DataFrame) -> Result<usize, SqlError> {
    let batches = df.collect().await?;
    let n = batches
        .first()
        .and_then(|b| b.columns().first().cloned())
        .and_then(|c| {
            c.as_primitive_opt::<UInt64Type>()
                .filter(|a| !a.is_empty())
                .map(|a| a.value(0))
        })
        .unwrap_or(0);
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}
