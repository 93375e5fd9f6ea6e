//! Sort parsed statements into what the session handles itself (transactions, settings,
//! no-ops) and what DataFusion plans and runs, remembering the PostgreSQL command tag.

use super::SqlError;
use super::copy::CopySpec;
use datafusion::sql::sqlparser::ast::{
    self, ContextModifier, CreateTableOptions, Expr, ObjectName, ObjectType, Set, Statement, Value,
};

/// What a DataFusion-planned statement is, for its command tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    Query,
    Insert,
    Update,
    Delete,
    CreateTable,
    /// `CREATE TABLE ... AS SELECT`: PostgreSQL's tag is `SELECT n`.
    CreateTableAs,
    DropTable,
    CreateView,
    DropView,
    CreateSchema,
    DropSchema,
    Explain,
}

impl PlanKind {
    /// Whether this statement changes the catalog (cached plans must be re-planned).
    pub fn is_ddl(self) -> bool {
        matches!(
            self,
            Self::CreateTable
                | Self::CreateTableAs
                | Self::DropTable
                | Self::CreateView
                | Self::DropView
                | Self::CreateSchema
                | Self::DropSchema
        )
    }

    pub fn returns_rows(self) -> bool {
        matches!(self, Self::Query | Self::Explain)
    }
}

/// A classified statement.
#[derive(Debug, Clone)]
pub enum Command {
    Plan {
        stmt: Box<Statement>,
        kind: PlanKind,
        /// PostgreSQL's result column names, from the statement as written (see
        /// [`Command::column_names`]).
        names: Option<Vec<Option<String>>>,
    },
    /// BEGIN / START TRANSACTION (the tag), with the block's isolation level if given.
    Begin {
        tag: &'static str,
        isolation: Option<String>,
    },
    Commit,
    Rollback,
    Savepoint(String),
    Release(String),
    RollbackTo(String),
    /// `SET [LOCAL] name = value`; `None` is `DEFAULT`; `local` lasts until the block ends.
    Set {
        name: String,
        value: Option<String>,
        local: bool,
    },
    /// `RESET name`; `None` is `RESET ALL`.
    Reset(Option<String>),
    /// `SHOW name`; `None` is `SHOW ALL`.
    Show(Option<String>),
    Truncate(Vec<ObjectName>),
    /// Accepted and ignored, answering with this tag (VACUUM, ANALYZE, DISCARD...).
    NoOp(&'static str),
    /// Like `NoOp`, but PostgreSQL refuses it inside a transaction block, explicit or
    /// implicit (VACUUM): SQLSTATE 25001.
    NoOpOutsideBlock(&'static str),
    /// `DROP TABLE a, b, ... [CASCADE]` (run by the catalog: temporary tables first).
    DropTables {
        names: Vec<ObjectName>,
        if_exists: bool,
        cascade: bool,
    },
    /// CREATE TABLE, ALTER TABLE, CREATE / DROP INDEX: run by `crate::catalog`.
    Ddl(Box<Statement>),
    /// INSERT / UPDATE / DELETE with RETURNING or ON CONFLICT, and queries with one in WITH:
    /// run by `super::returning`.
    Write(Box<Statement>),
    Copy(Box<CopySpec>),
    /// DECLARE / FETCH / CLOSE: run by `super::cursor`.
    Cursor(Box<super::cursor::CursorCommand>),
    /// `DO $$ ... $$`: run by `super::plpgsql`.
    Do(Box<super::do_block::DoBlock>),
    /// PREPARE / DEALLOCATE / DISCARD: run by `super::prepare`.
    Prepared(Box<super::prepare::PrepareCommand>),
    /// LISTEN / UNLISTEN / NOTIFY.
    Notify(super::listen::NotifyCommand),
    /// CREATE / DROP FUNCTION: run by `super::create_function`.
    Function(Box<super::create_function::FunctionCommand>),
    /// A statement that is known to fail (unsupported, invalid options...).
    Fail(SqlError),
}

impl Command {
    /// The statement the extended protocol plans at Parse (typing its parameters) and binds
    /// values into: a query or DML, or the query of DECLARE CURSOR.
    pub fn planned_statement(&self) -> Option<&Statement> {
        match self {
            Command::Plan { stmt, .. } if !super::update_from::applies(stmt) => Some(stmt),
            Command::Cursor(c) => c.query(),
            _ => None,
        }
    }

    /// Commands allowed in a failed transaction block.
    pub fn ends_failed_block(&self) -> bool {
        matches!(self, Self::Commit | Self::Rollback | Self::RollbackTo(_))
    }
}

pub fn classify(mut stmt: Statement) -> Command {
    if let Err(e) = super::parse_analysis::check(&stmt) {
        return Command::Fail(e);
    }
    // Before the rewrites: PREPARE keeps its statement as written, for EXECUTE to classify.
    if let Some(p) = super::prepare::PrepareCommand::from_statement(&stmt) {
        return Command::Prepared(Box::new(p));
    }
    let names = statement_column_names(&stmt);
    super::rewrite::rewrite(&mut stmt);
    super::catalog_rewrite::rewrite(&mut stmt);
    if let Some(cursor) = super::cursor::CursorCommand::from_statement(&stmt) {
        return cursor.map_or_else(Command::Fail, |c| Command::Cursor(Box::new(c)));
    }
    let plan = |kind| Command::Plan {
        stmt: Box::new(stmt.clone()),
        kind,
        names: names.clone(),
    };
    if let Some(block) = super::do_block::recognise(&stmt) {
        return Command::Do(Box::new(block));
    }
    if let Some(cmd) = super::listen::NotifyCommand::from_statement(&stmt) {
        return Command::Notify(cmd);
    }
    match &stmt {
        Statement::Query(_) if super::dml_cte::applies(&stmt) => {
            Command::Write(Box::new(stmt.clone()))
        }
        Statement::Query(_) => plan(PlanKind::Query),
        Statement::Insert(i) if i.returning.is_some() || i.on.is_some() => {
            Command::Write(Box::new(stmt.clone()))
        }
        Statement::Update(u) if u.returning.is_some() => Command::Write(Box::new(stmt.clone())),
        Statement::Delete(d) if d.returning.is_some() => Command::Write(Box::new(stmt.clone())),
        Statement::Insert(_) => plan(PlanKind::Insert),
        Statement::Update(_) => plan(PlanKind::Update),
        Statement::Delete(_) => plan(PlanKind::Delete),
        Statement::Explain { .. } => plan(PlanKind::Explain),
        Statement::CreateTable(ct) => {
            let mut ct = ct.clone();
            // Storage parameters (fillfactor...) mean nothing here; PostgreSQL accepts them.
            ct.table_options = CreateTableOptions::None;
            Command::Ddl(Box::new(Statement::CreateTable(ct)))
        }
        Statement::AlterTable(_) | Statement::CreateIndex(_) => {
            Command::Ddl(Box::new(stmt.clone()))
        }
        Statement::Drop {
            object_type: ObjectType::Index | ObjectType::View,
            ..
        } => Command::Ddl(Box::new(stmt.clone())),
        Statement::CreateView(_) => Command::Ddl(Box::new(stmt.clone())),
        Statement::CreateSchema { .. } => plan(PlanKind::CreateSchema),
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            if_exists,
            cascade,
            ..
        } => Command::DropTables {
            names: names.clone(),
            if_exists: *if_exists,
            cascade: *cascade,
        },
        Statement::Drop {
            object_type, names, ..
        } => match object_type {
            _ if names.len() > 1 => unsupported("DROP of several objects in one statement"),
            ObjectType::Schema => plan(PlanKind::DropSchema),
            other => unsupported(&format!("DROP {other}")),
        },
        Statement::Copy {
            source,
            to,
            target,
            options,
            legacy_options,
            ..
        } => match CopySpec::new(source, *to, target, options, legacy_options) {
            Ok(spec) => Command::Copy(Box::new(spec)),
            Err(e) => Command::Fail(e),
        },
        Statement::StartTransaction { modes, begin, .. } => Command::Begin {
            tag: if *begin { "BEGIN" } else { "START TRANSACTION" },
            isolation: isolation(modes),
        },
        Statement::Commit { .. } => Command::Commit,
        Statement::Rollback {
            savepoint: None, ..
        } => Command::Rollback,
        Statement::Rollback {
            savepoint: Some(sp),
            ..
        } => Command::RollbackTo(sp.value.clone()),
        Statement::Savepoint { name } => Command::Savepoint(name.value.clone()),
        Statement::ReleaseSavepoint { name } => Command::Release(name.value.clone()),
        Statement::Set(set) => classify_set(set),
        Statement::Reset(r) => match &r.reset {
            ast::Reset::ALL => Command::Reset(None),
            ast::Reset::ConfigurationParameter(n) => Command::Reset(Some(object_name(n))),
        },
        Statement::ShowVariable { variable } => {
            let name = variable
                .iter()
                .map(|i| i.value.clone())
                .collect::<Vec<_>>()
                .join(" ");
            match name.to_ascii_lowercase().as_str() {
                "all" => Command::Show(None),
                "time zone" => Command::Show(Some("TimeZone".into())),
                "transaction isolation level" => {
                    Command::Show(Some("transaction_isolation".into()))
                }
                "session authorization" => Command::Show(Some("session_authorization".into())),
                // The parser splits `SHOW my.custom` at the dot.
                _ => Command::Show(Some(name.replace(' ', "."))),
            }
        }
        Statement::Truncate(t) => {
            Command::Truncate(t.table_names.iter().map(|t| t.name.clone()).collect())
        }
        Statement::CreateFunction(f) => function(super::create_function::classify_create(f)),
        Statement::DropFunction(d) => function(super::create_function::classify_drop(d)),
        Statement::Vacuum(_) => Command::NoOpOutsideBlock("VACUUM"),
        Statement::Analyze(_) => Command::NoOp("ANALYZE"),
        other => {
            let text = other.to_string();
            let head: String = text
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            if head.eq_ignore_ascii_case("LOCK TABLE") {
                // No lock manager: a table's readers never block its writers (pg_dump locks
                // the tables it dumps, then reads them in its snapshot).
                return Command::NoOp("LOCK TABLE");
            }
            unsupported(&head)
        }
    }
}

fn function(cmd: Result<super::create_function::FunctionCommand, SqlError>) -> Command {
    cmd.map_or_else(Command::Fail, |c| Command::Function(Box::new(c)))
}

fn unsupported(what: &str) -> Command {
    Command::Fail(SqlError::unsupported(format!("{what} is not supported")))
}

fn classify_set(set: &Set) -> Command {
    match set {
        Set::SingleAssignment {
            variable,
            values,
            scope,
            ..
        } => {
            let name = object_name(variable);
            let value = if values.len() == 1
                && matches!(&values[0], Expr::Identifier(i) if i.value.eq_ignore_ascii_case("default"))
            {
                None
            } else {
                Some(values.iter().map(expr_text).collect::<Vec<_>>().join(", "))
            };
            let local = matches!(scope, Some(ContextModifier::Local));
            Command::Set { name, value, local }
        }
        Set::SetTimeZone { value, local } => {
            let v = expr_text(value);
            let value = if v.eq_ignore_ascii_case("default") || v.eq_ignore_ascii_case("local") {
                None
            } else {
                Some(v)
            };
            Command::Set {
                name: "TimeZone".into(),
                value,
                local: *local,
            }
        }
        Set::SetNames { charset_name, .. } => Command::Set {
            name: "client_encoding".into(),
            value: Some(charset_name.value.clone()),
            local: false,
        },
        // SET TRANSACTION lasts for the block (SET LOCAL); SET SESSION CHARACTERISTICS sets the
        // session default.
        Set::SetTransaction { modes, session, .. } => match isolation(modes) {
            Some(level) if *session => Command::Set {
                name: "default_transaction_isolation".into(),
                value: Some(level),
                local: false,
            },
            Some(level) => Command::Set {
                name: "transaction_isolation".into(),
                value: Some(level),
                local: true,
            },
            None => Command::NoOp("SET"),
        },
        Set::SetSessionAuthorization(_) | Set::SetRole { .. } => Command::NoOp("SET"),
        other => unsupported(&other.to_string()),
    }
}

/// The isolation level among transaction modes, as `SHOW transaction_isolation` spells it.
fn isolation(modes: &[ast::TransactionMode]) -> Option<String> {
    modes.iter().find_map(|m| match m {
        ast::TransactionMode::IsolationLevel(level) => Some(
            match level {
                ast::TransactionIsolationLevel::ReadUncommitted => "read uncommitted",
                ast::TransactionIsolationLevel::ReadCommitted => "read committed",
                ast::TransactionIsolationLevel::RepeatableRead => "repeatable read",
                ast::TransactionIsolationLevel::Serializable
                | ast::TransactionIsolationLevel::Snapshot => "serializable",
            }
            .to_owned(),
        ),
        _ => None,
    })
}

fn object_name(n: &ObjectName) -> String {
    n.0.iter()
        .map(|p| match p.as_ident() {
            Some(i) => i.value.clone(),
            None => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The text of a SET value: string literals unquoted, identifiers and numbers as written.
fn expr_text(e: &Expr) -> String {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s)
            | Value::DoubleQuotedString(s)
            | Value::EscapedStringLiteral(s) => s.clone(),
            Value::Boolean(b) => if *b { "on" } else { "off" }.to_owned(),
            other => other.to_string(),
        },
        Expr::Identifier(i) => i.value.clone(),
        other => other.to_string(),
    }
}

impl Command {
    /// PostgreSQL's names for the result columns of a plain SELECT, where they differ
    /// from DataFusion's (`count` not `count(*)`, `?column?` for unnamed expressions).
    /// `None` entries keep DataFusion's name; `None` overall when it cannot be derived.
    pub fn column_names(&self) -> Option<Vec<Option<String>>> {
        match self {
            Command::Plan {
                kind: PlanKind::Query,
                names,
                ..
            } => names.clone(),
            _ => None,
        }
    }
}

pub(super) fn statement_column_names(stmt: &Statement) -> Option<Vec<Option<String>>> {
    let Statement::Query(q) = stmt else {
        return None;
    };
    set_expr_names(q.body.as_ref())
}

/// A set operation (`UNION`...) is named after its first branch.
fn set_expr_names(body: &ast::SetExpr) -> Option<Vec<Option<String>>> {
    let select = match body {
        ast::SetExpr::Select(select) => select,
        ast::SetExpr::SetOperation { left, .. } => return set_expr_names(left),
        ast::SetExpr::Query(q) => return set_expr_names(q.body.as_ref()),
        _ => return None,
    };
    select
        .projection
        .iter()
        .map(|item| match item {
            ast::SelectItem::UnnamedExpr(e) => Some(Some(expr_column_name(e))),
            ast::SelectItem::ExprWithAlias { alias, .. } => Some(Some(alias.value.clone())),
            _ => None,
        })
        .collect()
}

/// The column name PostgreSQL gives an unaliased expression (FigureColname).
pub(crate) fn expr_column_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::CompoundIdentifier(parts) => parts
            .last()
            .map(|i| i.value.clone())
            .unwrap_or_else(|| "?column?".into()),
        Expr::Function(f) => f
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(|i| i.value.to_ascii_lowercase())
            .unwrap_or_else(|| "?column?".into()),
        Expr::Cast {
            expr, data_type, ..
        } => match expr_column_name(expr).as_str() {
            "?column?" => cast_type_name(data_type),
            name => name.to_owned(),
        },
        Expr::Nested(inner) => expr_column_name(inner),
        // `DATE '2024-01-01'` is named after its type, like a cast.
        Expr::TypedString(ts) => cast_type_name(&ts.data_type),
        Expr::Case { .. } => "case".into(),
        Expr::Exists { .. } => "exists".into(),
        Expr::Array(_) => "array".into(),
        Expr::Substring { .. } => "substring".into(),
        Expr::Trim { .. } => "btrim".into(),
        Expr::Extract { .. } => "extract".into(),
        Expr::Ceil { .. } => "ceil".into(),
        Expr::Floor { .. } => "floor".into(),
        Expr::Overlay { .. } => "overlay".into(),
        Expr::Subquery(q) => match q.body.as_ref() {
            ast::SetExpr::Select(s) => match s.projection.first() {
                Some(ast::SelectItem::UnnamedExpr(e)) => expr_column_name(e),
                Some(ast::SelectItem::ExprWithAlias { alias, .. }) => alias.value.clone(),
                _ => "?column?".into(),
            },
            _ => "?column?".into(),
        },
        _ => "?column?".into(),
    }
}

/// `'1'::int` is named after the type as PostgreSQL spells it internally (`int4`).
fn cast_type_name(t: &ast::DataType) -> String {
    use ast::DataType as T;
    match t {
        T::Int(_) | T::Integer(_) | T::Int4(_) => "int4".into(),
        T::BigInt(_) | T::Int8(_) => "int8".into(),
        T::SmallInt(_) | T::Int2(_) => "int2".into(),
        T::Real | T::Float4 => "float4".into(),
        T::Double(_) | T::DoublePrecision | T::Float8 => "float8".into(),
        T::Boolean | T::Bool => "bool".into(),
        T::Text => "text".into(),
        T::Varchar(_) | T::CharacterVarying(_) => "varchar".into(),
        T::Char(_) | T::Character(_) => "bpchar".into(),
        T::Numeric(_) | T::Decimal(_) => "numeric".into(),
        T::Date => "date".into(),
        T::Timestamp(_, tz) => match tz {
            ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => "timestamptz".into(),
            _ => "timestamp".into(),
        },
        T::Interval { .. } => "interval".into(),
        T::Bytea => "bytea".into(),
        other => other.to_string().to_ascii_lowercase(),
    }
}
