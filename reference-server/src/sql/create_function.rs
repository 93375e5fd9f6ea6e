//! CREATE [OR REPLACE] FUNCTION and DROP FUNCTION for [`super::user_functions`]: the
//! definition checked as PostgreSQL checks it at creation (language, types, a body that
//! compiles), then kept in the shared registry (or the session's, for `pg_temp`).

use datafusion::logical_expr::Volatility;
use datafusion::sql::sqlparser::ast::{
    self, CreateFunction, CreateFunctionBody, DropFunction, Expr, FunctionBehavior,
    FunctionReturnType, ObjectName, SelectItem, SetExpr, Statement,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::SqlError;
use super::user_functions::{FunctionDef, compile};
use crate::session::Session;

#[derive(Debug, Clone)]
pub enum FunctionCommand {
    Create {
        def: FunctionDef,
        or_replace: bool,
    },
    Drop {
        names: Vec<(String, String)>,
        if_exists: bool,
    },
}

/// The command for a CREATE FUNCTION, or the error PostgreSQL gives for it.
pub fn classify_create(f: &CreateFunction) -> Result<FunctionCommand, SqlError> {
    let (schema, name) = split(&f.name)?;
    let language = f
        .language
        .as_ref()
        .map(|l| l.value.to_ascii_lowercase())
        .ok_or_else(|| SqlError::syntax("no language specified"))?;
    if language != "sql" && language != "plpgsql" {
        return Err(SqlError::new(
            "42704",
            format!("language \"{language}\" does not exist"),
        ));
    }
    let returns = match &f.return_type {
        Some(FunctionReturnType::DataType(t)) => t.to_string().to_ascii_lowercase(),
        Some(FunctionReturnType::SetOf(_)) => {
            return Err(SqlError::unsupported(
                "set-returning user functions are not supported",
            ));
        }
        None => {
            return Err(SqlError::new(
                "42P13",
                "function result type must be specified",
            ));
        }
    };
    let args = f
        .args
        .iter()
        .flatten()
        .map(|a| {
            if a.mode
                .as_ref()
                .is_some_and(|m| !matches!(m, ast::ArgMode::In))
                || a.default_expr.is_some()
            {
                return Err(SqlError::unsupported(
                    "OUT, INOUT and default arguments of user functions are not supported",
                ));
            }
            Ok((
                a.name.as_ref().map(|n| n.value.to_ascii_lowercase()),
                a.data_type.to_string().to_ascii_lowercase(),
            ))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (source, expr) = body(f, &language)?;
    let volatility = match f.behavior {
        Some(FunctionBehavior::Immutable) => Volatility::Immutable,
        Some(FunctionBehavior::Stable) => Volatility::Stable,
        _ => Volatility::Volatile,
    };
    Ok(FunctionCommand::Create {
        def: FunctionDef {
            schema,
            name,
            args,
            returns,
            language,
            source,
            expr,
            volatility,
        },
        or_replace: f.or_replace,
    })
}

pub fn classify_drop(d: &DropFunction) -> Result<FunctionCommand, SqlError> {
    let names = d
        .func_desc
        .iter()
        .map(|f| split(&f.name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FunctionCommand::Drop {
        names,
        if_exists: d.if_exists,
    })
}

/// `(schema, name)`: `public` unless written `pg_temp.name`.
fn split(name: &ObjectName) -> Result<(String, String), SqlError> {
    let parts: Vec<String> = name
        .0
        .iter()
        .filter_map(|p| p.as_ident())
        .map(|i| match i.quote_style {
            Some(_) => i.value.clone(),
            None => i.value.to_ascii_lowercase(),
        })
        .collect();
    match parts.as_slice() {
        [n] => Ok(("public".into(), n.clone())),
        [s, n] if s == "public" || s == "pg_temp" => Ok((s.clone(), n.clone())),
        [s, _] => Err(SqlError::new(
            "3F000",
            format!("schema \"{s}\" does not exist"),
        )),
        _ => Err(SqlError::syntax(format!(
            "improper qualified name (too many dotted names): {name}"
        ))),
    }
}

/// The source text and the one expression the body returns.
fn body(f: &CreateFunction, language: &str) -> Result<(String, String), SqlError> {
    let text = match &f.function_body {
        Some(CreateFunctionBody::AsBeforeOptions { body, .. })
        | Some(CreateFunctionBody::AsAfterOptions(body)) => string_value(body),
        Some(CreateFunctionBody::Return(e)) | Some(CreateFunctionBody::AsReturnExpr(e)) => {
            return Ok((format!("RETURN {e}"), e.to_string()));
        }
        _ => None,
    };
    let text = text.ok_or_else(|| SqlError::new("42P13", "no function body specified"))?;
    let expr = match language {
        "plpgsql" => plpgsql_return(&text),
        _ => sql_select(&text),
    };
    let expr = expr.ok_or_else(|| {
        SqlError::unsupported(format!(
            "{language} function bodies other than one returned expression are not supported"
        ))
    })?;
    Ok((text, expr))
}

fn string_value(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            ast::Value::DollarQuotedString(d) => Some(d.value.clone()),
            ast::Value::SingleQuotedString(s) | ast::Value::EscapedStringLiteral(s) => {
                Some(s.clone())
            }
            _ => None,
        },
        _ => None,
    }
}

/// `SELECT expr[;]` without FROM, WHERE or other clauses.
fn sql_select(text: &str) -> Option<String> {
    let mut stmts = Parser::parse_sql(&PostgreSqlDialect {}, text).ok()?;
    let Some(Statement::Query(q)) = stmts.pop().filter(|_| stmts.is_empty()) else {
        return None;
    };
    let SetExpr::Select(s) = q.body.as_ref() else {
        return None;
    };
    let plain = s.from.is_empty()
        && s.selection.is_none()
        && s.having.is_none()
        && q.order_by.is_none()
        && q.limit_clause.is_none();
    match s.projection.as_slice() {
        [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] if plain => {
            Some(e.to_string())
        }
        _ => None,
    }
}

/// `BEGIN RETURN expr; END` (any case, optional final `;`).
fn plpgsql_return(text: &str) -> Option<String> {
    let t = text.trim().trim_end_matches(';').trim_end();
    let lower = t.to_ascii_lowercase();
    if !lower.starts_with("begin") || !lower.ends_with("end") {
        return None;
    }
    let inner = t.get(5..t.len() - 3)?.trim().trim_end_matches(';').trim();
    let rest = inner
        .get(..6)
        .filter(|w| w.eq_ignore_ascii_case("return"))?;
    let expr = inner.get(rest.len()..)?.trim();
    // One statement only: no further `;` outside the expression's own strings.
    let parsed = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(expr)
        .and_then(|mut p| p.parse_expr().map(|e| (e, p.peek_token())))
        .ok()?;
    matches!(
        parsed.1.token,
        datafusion::sql::sqlparser::tokenizer::Token::EOF
    )
    .then(|| parsed.0.to_string())
}

impl Session {
    pub(super) fn run_function_command(
        &self,
        cmd: &FunctionCommand,
    ) -> Result<&'static str, SqlError> {
        let shared = &self.shared.functions;
        match cmd {
            FunctionCommand::Create { def, or_replace } => {
                let registry = if def.schema == "pg_temp" {
                    &self.functions.temp
                } else {
                    shared
                };
                if !or_replace && let Some(old) = registry.find(&def.name) {
                    return Err(SqlError::new(
                        "42723",
                        format!(
                            "function \"{}\" already exists with same argument types",
                            old.name
                        ),
                    ));
                }
                compile(&self.ctx, def)?;
                registry.put(def.clone());
                Ok("CREATE FUNCTION")
            }
            FunctionCommand::Drop { names, if_exists } => {
                for (schema, name) in names {
                    let found = match schema.as_str() {
                        "pg_temp" => self.functions.temp.remove(name),
                        _ => shared.remove(name),
                    };
                    if !found && !if_exists {
                        return Err(SqlError::new(
                            "42883",
                            format!("could not find a function named \"{name}\""),
                        ));
                    }
                    if !found {
                        let mut info = pgwire::error::ErrorInfo::new(
                            "NOTICE".into(),
                            "00000".into(),
                            format!("function {name}() does not exist, skipping"),
                        );
                        info.severity_nonlocalized = Some("NOTICE".into());
                        self.notice(info);
                    }
                }
                Ok("DROP FUNCTION")
            }
        }
    }
}
