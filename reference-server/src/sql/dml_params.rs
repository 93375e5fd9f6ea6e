//! `$n` parameters of the statements the extended protocol does not plan at Parse: INSERT /
//! UPDATE / DELETE with RETURNING or ON CONFLICT, writes in WITH, UPDATE … FROM and DELETE …
//! USING. Their parameter types come from plans of the plain statements they are made of (the
//! same inference a plain INSERT / UPDATE / DELETE gets: a target column's type for
//! `VALUES ($1)` and `SET c = $1`, the compared column's in WHERE); at Execute each `$n`
//! becomes its bound value as a typed literal, and the statement runs as if written so.

use std::ops::ControlFlow;

use bytes::BytesMut;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::sql::sqlparser::ast::{
    Expr, Insert, OnConflictAction, OnInsert, Query, SetExpr, Statement, TableObject, Value,
    visit_expressions, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;
use pgwire::api::Type;

use super::{Command, SqlError};
use crate::pgtypes::{FormatSettings, PgColumnType, arrow_to_pg, encode_text};
use crate::session::Session;

/// The statement whose parameters [`Session::write_param_fields`] types: one the protocol
/// does not plan at Parse.
pub fn unplanned(cmd: &Command) -> Option<&Statement> {
    match cmd {
        Command::Write(stmt) => Some(stmt),
        Command::Plan { stmt, .. } if super::update_from::applies(stmt) => Some(stmt),
        _ => None,
    }
}

/// `cmd` with its `$n` replaced by `values` (typed as `types`), for statements
/// [`unplanned`] names; `None` for any other command.
pub fn bind_command(
    cmd: &Command,
    values: &[ScalarValue],
    types: &[Type],
) -> Result<Option<Command>, SqlError> {
    Ok(match cmd {
        Command::Write(stmt) => Some(Command::Write(Box::new(bind(stmt, values, types)?))),
        Command::Plan { stmt, kind, names } if super::update_from::applies(stmt) => {
            Some(Command::Plan {
                stmt: Box::new(bind(stmt, values, types)?),
                kind: *kind,
                names: names.clone(),
            })
        }
        _ => None,
    })
}

/// The highest `$n` in `stmt` (0 without parameters).
fn max_placeholder(stmt: &Statement) -> usize {
    let mut max = 0;
    let _ = visit_expressions(stmt, |e| {
        if let Some(n) = placeholder(e) {
            max = max.max(n);
        }
        ControlFlow::<()>::Continue(())
    });
    max
}

/// `n` of a `$n` expression.
fn placeholder(e: &Expr) -> Option<usize> {
    let Expr::Value(v) = e else {
        return None;
    };
    let Value::Placeholder(p) = &v.value else {
        return None;
    };
    p.strip_prefix('$')?
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=usize::from(u16::MAX)).contains(n))
}

/// `stmt` with each `$n` replaced by `'value'::type` (or `NULL::type`).
fn bind(stmt: &Statement, values: &[ScalarValue], types: &[Type]) -> Result<Statement, SqlError> {
    let literals = values
        .iter()
        .zip(types)
        .map(|(v, t)| literal(v, t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = stmt.clone();
    let _ = visit_expressions_mut(&mut out, |e| {
        if let Some(lit) = placeholder(e).and_then(|n| literals.get(n - 1)) {
            *e = Expr::Nested(Box::new(lit.clone()));
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(out)
}

/// A bound value as SQL: its PostgreSQL text, cast to the parameter's type.
fn literal(value: &ScalarValue, ty: &Type) -> Result<Expr, SqlError> {
    let target = PgColumnType::new(ty.clone()).type_name();
    let array = value.to_array().map_err(SqlError::from)?;
    let mut text = BytesMut::new();
    let present = encode_text(
        array.as_ref(),
        0,
        &arrow_to_pg(&value.data_type()),
        &FormatSettings::default(),
        &mut text,
    )
    .map_err(|e| SqlError::new("XX000", e.to_string()))?;
    let sql = if present {
        format!(
            "'{}'::{target}",
            String::from_utf8_lossy(&text).replace('\'', "''")
        )
    } else {
        format!("NULL::{target}")
    };
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| SqlError::syntax(e.to_string()))
}

fn parse_one(sql: &str) -> Result<Statement, SqlError> {
    super::parse::parse(sql)?
        .pop()
        .ok_or_else(|| SqlError::syntax("empty statement"))
}

/// Fills the unset slots of `into` from `from` (the first plan to type a parameter wins).
fn merge(into: &mut Vec<Option<FieldRef>>, from: Vec<Option<FieldRef>>) {
    if into.len() < from.len() {
        into.resize(from.len(), None);
    }
    for (slot, f) in into.iter_mut().zip(from) {
        if slot.is_none() {
            *slot = f;
        }
    }
}

impl Session {
    /// The parameter types of a statement [`unplanned`] names, in `$1..$n` order (`None`:
    /// nothing says, the client's type or text applies).
    pub async fn write_param_fields(
        &self,
        stmt: &Statement,
        declared: &[Option<DataType>],
    ) -> Result<Vec<Option<FieldRef>>, SqlError> {
        let mut out = Vec::new();
        for part in plain_parts(stmt)? {
            let plan = self.plan_with_types(&part, declared).await?;
            let mut fields: Vec<Option<FieldRef>> = Vec::new();
            for (id, f) in plan.get_parameter_fields()? {
                let Some(i) = id
                    .strip_prefix('$')
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| (1..=usize::from(u16::MAX)).contains(n))
                else {
                    continue;
                };
                if fields.len() < i {
                    fields.resize(i, None);
                }
                fields[i - 1] = f;
            }
            merge(&mut out, fields);
        }
        let n = max_placeholder(stmt).max(declared.len());
        if out.len() < n {
            out.resize(n, None);
        }
        // A declared type the plans did not use still types the parameter.
        for (slot, d) in out.iter_mut().zip(declared) {
            if slot.is_none()
                && let Some(d) = d
            {
                *slot = Some(std::sync::Arc::new(Field::new("", d.clone(), true)));
            }
        }
        Ok(out)
    }
}

/// The plannable statements that hold `stmt`'s parameters.
fn plain_parts(stmt: &Statement) -> Result<Vec<Statement>, SqlError> {
    let mut out = Vec::new();
    match stmt {
        Statement::Query(q) => {
            for cte in q.with.iter().flat_map(|w| &w.cte_tables) {
                if let Some(s) = cte_dml(&cte.query) {
                    out.extend(plain_parts(s)?);
                }
            }
        }
        Statement::Insert(ins) => {
            let mut plain = ins.clone();
            plain.returning = None;
            plain.on = None;
            plain.table_alias = None;
            out.push(Statement::Insert(plain));
            if let Some(update) = conflict_update(ins)? {
                out.push(update);
            }
        }
        Statement::Update(u) if super::update_from::applies(stmt) => {
            // `SELECT 1 FROM target, from WHERE col = (value) AND … AND (where)`: each SET
            // value compared with its column types it as the column.
            let mut conds: Vec<String> = u
                .assignments
                .iter()
                .map(|a| format!("{} = ({})", a.target, a.value))
                .collect();
            if let Some(w) = &u.selection {
                conds.push(format!("({w})"));
            }
            let mut from = u.table.to_string();
            if let Some(f) = &u.from {
                let (datafusion::sql::sqlparser::ast::UpdateTableFromKind::BeforeSet(t)
                | datafusion::sql::sqlparser::ast::UpdateTableFromKind::AfterSet(t)) = f;
                for t in t {
                    from.push_str(&format!(", {t}"));
                }
            }
            out.push(parse_one(&format!(
                "SELECT 1 FROM {from} WHERE {}",
                if conds.is_empty() {
                    "true".to_owned()
                } else {
                    conds.join(" AND ")
                }
            ))?);
        }
        Statement::Delete(d) if super::update_from::applies(stmt) => {
            let (datafusion::sql::sqlparser::ast::FromTable::WithFromKeyword(tables)
            | datafusion::sql::sqlparser::ast::FromTable::WithoutKeyword(tables)) = &d.from;
            let mut from: Vec<String> = tables.iter().map(ToString::to_string).collect();
            from.extend(d.using.iter().flatten().map(ToString::to_string));
            let cond = d
                .selection
                .as_ref()
                .map_or_else(|| "true".to_owned(), ToString::to_string);
            out.push(parse_one(&format!(
                "SELECT 1 FROM {} WHERE {cond}",
                from.join(", ")
            ))?);
        }
        Statement::Update(u) => {
            let mut plain = u.clone();
            plain.returning = None;
            out.push(Statement::Update(plain));
        }
        Statement::Delete(d) => {
            let mut plain = d.clone();
            plain.returning = None;
            out.push(Statement::Delete(plain));
        }
        _ => {}
    }
    Ok(out)
}

/// The INSERT / UPDATE / DELETE a CTE's query is, if it is one.
fn cte_dml(q: &Query) -> Option<&Statement> {
    match q.body.as_ref() {
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => Some(s),
        _ => None,
    }
}

/// ON CONFLICT DO UPDATE as a plain UPDATE of the table, `EXCLUDED.c` read as the
/// table's `c` (the same type), for its SET and WHERE parameters.
fn conflict_update(ins: &Insert) -> Result<Option<Statement>, SqlError> {
    let Some(OnInsert::OnConflict(oc)) = &ins.on else {
        return Ok(None);
    };
    let OnConflictAction::DoUpdate(update) = &oc.action else {
        return Ok(None);
    };
    let TableObject::TableName(table) = &ins.table else {
        return Ok(None);
    };
    let Some(name) = table.0.last().and_then(|p| p.as_ident().cloned()) else {
        return Ok(None);
    };
    let alias = ins.table_alias.as_ref().map(|a| a.alias.value.as_str());
    let mut sets = Vec::new();
    // `EXCLUDED.c` and `alias.c` both become `table.c` (a plain UPDATE takes no alias).
    let unexclude = |e: &mut Expr| {
        let _ = visit_expressions_mut(e, |x| {
            if let Expr::CompoundIdentifier(parts) = x
                && let [q, _] = parts.as_mut_slice()
                && (q.value.eq_ignore_ascii_case("excluded") || Some(q.value.as_str()) == alias)
            {
                *q = name.clone();
            }
            ControlFlow::<()>::Continue(())
        });
    };
    for a in &update.assignments {
        let mut v = a.value.clone();
        unexclude(&mut v);
        sets.push(format!("{} = {v}", a.target));
    }
    let mut sql = format!("UPDATE {table} SET {}", sets.join(", "));
    if let Some(sel) = &update.selection {
        let mut sel = sel.clone();
        unexclude(&mut sel);
        sql.push_str(&format!(" WHERE {sel}"));
    }
    parse_one(&sql).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(sql: &str) -> Statement {
        match parse_one(sql) {
            Ok(s) => s,
            Err(e) => panic!("{sql}: {e:?}"),
        }
    }

    #[test]
    fn placeholders_become_typed_literals() {
        let s = stmt("INSERT INTO t (a, b) VALUES ($1, $2) RETURNING $3");
        assert_eq!(max_placeholder(&s), 3);
        let bound = bind(
            &s,
            &[
                ScalarValue::Int32(Some(7)),
                ScalarValue::Utf8(Some("it's".into())),
                ScalarValue::Utf8(None),
            ],
            &[Type::INT4, Type::TEXT, Type::TEXT],
        );
        let want = stmt(
            "INSERT INTO t (a, b) VALUES (('7'::int4), ('it''s'::text)) RETURNING (NULL::text)",
        );
        assert_eq!(bound.ok(), Some(want));
    }

    #[test]
    fn conflict_update_reads_excluded_as_the_table() {
        let s = stmt(
            "INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v + $3 WHERE kv.v < $4",
        );
        let Statement::Insert(ins) = &s else {
            panic!("not an insert")
        };
        let update = conflict_update(ins).ok().flatten();
        assert_eq!(
            update,
            Some(stmt("UPDATE kv SET v = kv.v + $3 WHERE kv.v < $4"))
        );
    }
}
