//! SQL-level prepared statements as PostgreSQL runs them: `PREPARE name [(types)] AS stmt`,
//! `EXECUTE name [(args)]`, `DEALLOCATE [PREPARE] name | ALL` and `DISCARD ALL | PLANS |
//! TEMP | SEQUENCES`. The names live in the session's registry
//! ([`crate::session::prepared`]), shared with the protocol's Parse.
//!
//! `EXECUTE` is expanded before classification: the prepared statement's text with each
//! `$n` replaced by its argument cast to the parameter's type, so it then runs (and is
//! described, tagged and named) exactly like the statement itself.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    self, DataType, DiscardObject, Expr, Ident, ObjectName, Statement, Value, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::classify::{Command, classify};
use super::execute::{Outcome, done};
use super::{SqlError, parse};
use crate::session::Session;
use crate::session::prepared::{PreparedStatement, missing};
use crate::session::transaction::TxStatus;

/// A classified PREPARE / DEALLOCATE / DISCARD.
#[derive(Debug, Clone)]
pub enum PrepareCommand {
    Prepare {
        name: String,
        types: Vec<DataType>,
        body: Box<Statement>,
    },
    /// `None` is `DEALLOCATE ALL`.
    Deallocate(Option<String>),
    Discard(DiscardObject),
}

impl PrepareCommand {
    pub fn from_statement(stmt: &Statement) -> Option<Self> {
        Some(match stmt {
            Statement::Prepare {
                name,
                data_types,
                statement,
            } => Self::Prepare {
                name: name.value.clone(),
                types: data_types.clone(),
                body: statement.clone(),
            },
            Statement::Deallocate { name, .. } => Self::Deallocate(
                (name.quote_style.is_some() || !name.value.eq_ignore_ascii_case("all"))
                    .then(|| name.value.clone()),
            ),
            Statement::Discard { object_type } => Self::Discard(*object_type),
            _ => return None,
        })
    }
}

/// The statement `EXECUTE name(args)` stands for; other statements are returned as they are.
/// Errors are PostgreSQL's: 26000 for an unknown name, 42601 for a wrong argument count.
pub fn expand_execute(session: &Session, stmt: Statement) -> Result<Statement, SqlError> {
    let Statement::Execute {
        name: Some(name),
        parameters,
        immediate: false,
        ..
    } = &stmt
    else {
        return Ok(stmt);
    };
    let name = object_name(name);
    let Some(prepared) = session.prepared().get(&name).cloned() else {
        if session.tx().status == TxStatus::Failed {
            return Err(SqlError::in_failed_transaction());
        }
        return Err(missing(&name));
    };
    let want = prepared.param_types.len();
    if parameters.len() != want {
        return Err(SqlError::new(
            "42601",
            format!("wrong number of parameters for prepared statement \"{name}\""),
        )
        .with_detail(format!(
            "Expected {want} parameters but got {}.",
            parameters.len()
        )));
    }
    let args = parameters
        .iter()
        .zip(&prepared.param_types)
        .map(|(arg, ty)| cast_to(arg.clone(), ty))
        .collect::<Result<Vec<_>, _>>()?;
    let mut body = parse::parse(&prepared.body)?;
    let (Some(mut body), true) = (body.pop(), body.is_empty()) else {
        return Err(SqlError::new(
            "42601",
            format!("prepared statement \"{name}\" is not one statement"),
        ));
    };
    let _ = visit_expressions_mut(&mut body, |e| {
        if let Expr::Value(v) = e
            && let Value::Placeholder(p) = &v.value
            && let Some(arg) = p
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| args.get(i))
        {
            *e = arg.clone();
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(body)
}

fn object_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .filter_map(|p| p.as_ident().map(|i| i.value.clone()))
        .collect::<Vec<_>>()
        .join(".")
}

/// `arg` cast to the PostgreSQL type named `ty` (`(arg)::integer`).
fn cast_to(arg: Expr, ty: &str) -> Result<Expr, SqlError> {
    let data_type = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(ty)
        .and_then(|mut p| p.parse_data_type())
        .map_err(|e| SqlError::new("42704", format!("type \"{ty}\" does not exist: {e}")))?;
    Ok(Expr::Cast {
        kind: ast::CastKind::DoubleColon,
        expr: Box::new(Expr::Nested(Box::new(arg))),
        data_type,
        array: false,
        format: None,
    })
}

/// PostgreSQL's name of a declared parameter type, as `pg_prepared_statements` shows it.
fn pg_type_name(t: &DataType) -> String {
    // PostgreSQL's own name for the type (`format_type` without the typmod), from the same
    // mapping CREATE TABLE uses; a type the server lacks keeps its written name.
    match crate::pgtypes::from_sql_type(t) {
        Ok((_, col)) => type_name_of(&col.ty),
        Err(_) => t.to_string().to_ascii_lowercase(),
    }
}

impl Session {
    pub(super) async fn run_prepare_command(
        &self,
        cmd: &PrepareCommand,
    ) -> Result<Outcome, SqlError> {
        match cmd {
            PrepareCommand::Prepare { name, types, body } => {
                self.sql_prepare(name, types, body).await?;
                Ok(done("PREPARE"))
            }
            PrepareCommand::Deallocate(Some(name)) => {
                self.prepared().deallocate(name)?;
                Ok(done("DEALLOCATE"))
            }
            PrepareCommand::Deallocate(None) => {
                self.prepared().deallocate_all(false);
                Ok(done("DEALLOCATE ALL"))
            }
            PrepareCommand::Discard(what) => self.discard(*what).await,
        }
    }

    /// Analyses the statement now (PostgreSQL reports a missing table at PREPARE), then
    /// registers it; parameter types not declared are the ones the plan infers.
    async fn sql_prepare(
        &self,
        name: &str,
        types: &[DataType],
        body: &Statement,
    ) -> Result<(), SqlError> {
        let mut param_types: Vec<String> = types.iter().map(pg_type_name).collect();
        match classify(body.clone()) {
            Command::Fail(e) => return Err(e),
            cmd => {
                if let Some(stmt) = cmd.planned_statement() {
                    let declared = param_types
                        .iter()
                        .map(|t| declared_arrow(t))
                        .collect::<Vec<_>>();
                    let plan = self.plan_with_types(stmt, &declared).await?;
                    let inferred = plan.get_parameter_fields()?;
                    for (id, field) in inferred {
                        let Some(i) = id
                            .strip_prefix('$')
                            .and_then(|n| n.parse::<usize>().ok())
                            .and_then(|n| n.checked_sub(1))
                            .filter(|&i| i < usize::from(u16::MAX))
                        else {
                            continue;
                        };
                        if param_types.len() <= i {
                            param_types.resize(i + 1, "text".to_owned());
                            if let Some(f) = field {
                                param_types[i] = type_name_of(&crate::pgtypes::pg_type_of(&f).ty);
                            }
                        }
                    }
                }
            }
        }
        let source = self.prepared().source().to_owned();
        self.prepared().insert(
            name,
            PreparedStatement {
                source,
                body: body.to_string(),
                param_types,
                prepare_time: now_micros(),
                from_sql: true,
            },
        )
    }

    /// DISCARD: ALL is CLOSE ALL + RESET ALL + DEALLOCATE ALL + UNLISTEN * + DISCARD TEMP
    /// (refused in a transaction block, as in PostgreSQL); PLANS and SEQUENCES have nothing
    /// to drop here (no plan cache survives DDL, no sequence cache).
    async fn discard(&self, what: DiscardObject) -> Result<Outcome, SqlError> {
        let tag = match what {
            DiscardObject::ALL => {
                let in_block = {
                    let tx = self.tx();
                    tx.status != TxStatus::Idle || tx.implicit
                };
                if in_block {
                    return Err(SqlError::new(
                        "25001",
                        "DISCARD ALL cannot run inside a transaction block",
                    ));
                }
                *crate::session::lock(&self.cursors) = Default::default();
                self.change_settings(false, |s| {
                    s.reset_all();
                    Ok(())
                })?;
                self.prepared().deallocate_all(true);
                self.mailbox.unlisten(None);
                self.drop_temp_tables().await?;
                "DISCARD ALL"
            }
            DiscardObject::TEMP => {
                self.drop_temp_tables().await?;
                "DISCARD TEMP"
            }
            DiscardObject::PLANS => "DISCARD PLANS",
            DiscardObject::SEQUENCES => "DISCARD SEQUENCES",
        };
        Ok(done(tag))
    }

    async fn drop_temp_tables(&self) -> Result<(), SqlError> {
        let names: Vec<ObjectName> = self
            .ctx
            .catalog(crate::catalog::DATABASE)
            .and_then(|c| c.schema("pg_temp"))
            .map(|s| s.table_names())
            .unwrap_or_default()
            .into_iter()
            .map(|t| ObjectName::from(vec![Ident::new("pg_temp"), Ident::new(t)]))
            .collect();
        if names.is_empty() {
            return Ok(());
        }
        let drop = Command::DropTables {
            names,
            if_exists: true,
            cascade: true,
        };
        Box::pin(self.run(&drop, None)).await.map(|_| ())
    }
}

/// The Arrow type a declared parameter type plans as (`None`: let the plan infer it).
fn declared_arrow(pg_name: &str) -> Option<datafusion::arrow::datatypes::DataType> {
    use pgwire::api::Type;
    let t = match pg_name {
        "integer" => Type::INT4,
        "smallint" => Type::INT2,
        "bigint" => Type::INT8,
        "text" => Type::TEXT,
        "boolean" => Type::BOOL,
        "real" => Type::FLOAT4,
        "double precision" => Type::FLOAT8,
        "numeric" => Type::NUMERIC,
        "character varying" => Type::VARCHAR,
        "date" => Type::DATE,
        "timestamp with time zone" => Type::TIMESTAMPTZ,
        "timestamp without time zone" => Type::TIMESTAMP,
        "uuid" => Type::UUID,
        "json" => Type::JSON,
        "jsonb" => Type::JSONB,
        "bytea" => Type::BYTEA,
        _ => return None,
    };
    Some(crate::protocol::params::arrow_type(&t))
}

/// PostgreSQL's display name of a protocol type (`int4` → `integer`).
pub fn type_name_of(t: &pgwire::api::Type) -> String {
    crate::catalog::system::format_type(None, i64::from(t.oid()), None)
}

pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_type_names_are_postgresql_names() {
        let names: Vec<String> = ["int", "TEXT", "varchar(10)", "numeric(10,2)", "int[]"]
            .iter()
            .filter_map(|t| {
                Parser::new(&PostgreSqlDialect {})
                    .try_with_sql(t)
                    .and_then(|mut p| p.parse_data_type())
                    .ok()
            })
            .map(|t| pg_type_name(&t))
            .collect();
        assert_eq!(
            names,
            [
                "integer",
                "text",
                "character varying",
                "numeric",
                "integer[]"
            ]
        );
    }
}
