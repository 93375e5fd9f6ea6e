//! User-defined functions (`CREATE FUNCTION ... LANGUAGE sql | plpgsql`) whose body is one
//! expression: `SELECT expr`, `RETURN expr` or PL/pgSQL's `BEGIN RETURN expr; END`. The body
//! is compiled once per session into a DataFusion physical expression over the arguments
//! (`$n` and the argument names are columns), so a call is vectorised like a built-in one,
//! and an error inside it carries PostgreSQL's CONTEXT line.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use datafusion::arrow::array::RecordBatchOptions;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{DFSchema, DataFusionError, Result as DfResult};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{Expr as SqlExpr, Ident, Value, visit_expressions_mut};

use super::SqlError;

/// One function as created: what `pg_proc` and a restart need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDef {
    /// `public` or `pg_temp`.
    pub schema: String,
    pub name: String,
    /// Argument names (if given) and PostgreSQL type names.
    pub args: Vec<(Option<String>, String)>,
    pub returns: String,
    /// `sql` or `plpgsql`.
    pub language: String,
    /// The source as written (`prosrc`).
    pub source: String,
    /// The expression the function returns.
    pub expr: String,
    pub volatility: Volatility,
}

impl FunctionDef {
    /// PostgreSQL's CONTEXT line for an error raised inside the function.
    fn context(&self) -> String {
        let types: Vec<&str> = self.args.iter().map(|(_, t)| t.as_str()).collect();
        match self.language.as_str() {
            "plpgsql" => format!(
                "SQL expression \"{}\"\nPL/pgSQL function {}({}) line 1 at RETURN",
                self.expr,
                self.name,
                types.join(",")
            ),
            _ => format!("SQL function \"{}\" statement 1", self.name),
        }
    }

    /// `name(type, ...)`, as PostgreSQL names a function in messages.
    pub fn signature(&self) -> String {
        let types: Vec<&str> = self.args.iter().map(|(_, t)| t.as_str()).collect();
        format!("{}({})", self.name, types.join(", "))
    }
}

/// Functions visible to every session (`public`), or one session's (`pg_temp`); the
/// generation tells sessions when to re-register.
#[derive(Default)]
pub struct Registry {
    defs: RwLock<Vec<FunctionDef>>,
    generation: AtomicU64,
}

impl Registry {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn all(&self) -> Vec<FunctionDef> {
        self.defs.read().map(|d| d.clone()).unwrap_or_default()
    }

    pub fn find(&self, name: &str) -> Option<FunctionDef> {
        self.all().into_iter().find(|d| d.name == name)
    }

    /// Add or replace (by name: one function per name) a function.
    pub fn put(&self, def: FunctionDef) {
        if let Ok(mut defs) = self.defs.write() {
            defs.retain(|d| d.name != def.name);
            defs.push(def);
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub fn remove(&self, name: &str) -> bool {
        let removed = self.defs.write().is_ok_and(|mut defs| {
            let before = defs.len();
            defs.retain(|d| d.name != name);
            defs.len() != before
        });
        self.generation.fetch_add(1, Ordering::AcqRel);
        removed
    }
}

/// What one session has registered in its DataFusion context, to re-sync when either
/// registry changes.
#[derive(Default)]
pub struct SessionFunctions {
    pub temp: Registry,
    seen: Mutex<(u64, u64, Vec<String>)>,
}

impl SessionFunctions {
    /// Register the current functions in `ctx` if the shared or temporary set changed since
    /// the last call (two atomic loads otherwise). A body that no longer compiles (a
    /// function it calls was dropped) leaves the function unregistered: calls get 42883.
    pub fn sync(&self, ctx: &SessionContext, shared: &Registry) {
        let now = (shared.generation(), self.temp.generation());
        let mut seen = crate::session::lock(&self.seen);
        if (seen.0, seen.1) == now {
            return;
        }
        for name in seen.2.drain(..) {
            ctx.deregister_udf(&name);
        }
        // Temporary functions shadow permanent ones of the same name (registered last).
        for def in shared.all().into_iter().chain(self.temp.all()) {
            if let Ok(udf) = compile(ctx, &def) {
                seen.2.push(def.name.clone());
                ctx.register_udf(udf);
            }
        }
        seen.0 = now.0;
        seen.1 = now.1;
    }
}

/// The function as a DataFusion UDF (also callable as `schema.name`).
pub fn compile(ctx: &SessionContext, def: &FunctionDef) -> Result<ScalarUDF, SqlError> {
    let mut arg_types = Vec::with_capacity(def.args.len());
    let (mut fields, mut columns) = (Vec::new(), Vec::new());
    for (i, (name, ty)) in def.args.iter().enumerate() {
        let dt = arrow_type(ty)?;
        fields.push(Field::new(format!("${}", i + 1), dt.clone(), true));
        columns.push(i);
        if let Some(n) = name {
            fields.push(Field::new(n.clone(), dt.clone(), true));
            columns.push(i);
        }
        arg_types.push(dt);
    }
    let schema = Arc::new(Schema::new(fields));
    let df_schema = DFSchema::try_from(schema.as_ref().clone())?;
    let returns = arrow_type(&def.returns)?;
    let state = ctx.state();
    let body = state.create_logical_expr(&placeholders_as_columns(&def.expr), &df_schema)?;
    let body = datafusion::logical_expr::cast(body, returns.clone());
    let body = state.create_physical_expr(body, &df_schema)?;
    let aliases = [format!("{}.{}", def.schema, def.name)];
    Ok(ScalarUDF::new_from_impl(UserFunction {
        name: def.name.clone(),
        aliases: aliases.to_vec(),
        signature: Signature::user_defined(def.volatility),
        arg_types,
        returns,
        schema,
        columns,
        body,
        context: def.context(),
    }))
}

/// The body with each `$n` written as the column `"$n"` that holds the n-th argument:
/// DataFusion would read `$n` as a statement parameter, which a call never binds.
fn placeholders_as_columns(body: &str) -> String {
    let Some(mut expr) = super::ast_shapes::parse_expr(body) else {
        return body.to_owned();
    };
    let _ = visit_expressions_mut(&mut expr, |e| {
        if let SqlExpr::Value(v) = e
            && let Value::Placeholder(p) = &v.value
        {
            *e = SqlExpr::Identifier(Ident::with_quote('"', p.clone()));
        }
        ControlFlow::<()>::Continue(())
    });
    expr.to_string()
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// The Arrow type of a PostgreSQL type name as written in the definition.
fn arrow_type(pg_name: &str) -> Result<DataType, SqlError> {
    let dialect = datafusion::sql::sqlparser::dialect::PostgreSqlDialect {};
    let ty = datafusion::sql::sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(pg_name)
        .and_then(|mut p| p.parse_data_type())
        .map_err(|_| SqlError::new("42704", format!("type \"{pg_name}\" does not exist")))?;
    Ok(crate::pgtypes::from_sql_type(&ty)?.0)
}

#[derive(Debug)]
struct UserFunction {
    name: String,
    aliases: Vec<String>,
    signature: Signature,
    /// The declared argument types, which calls are coerced to.
    arg_types: Vec<DataType>,
    returns: DataType,
    /// The body's input: `$n` (and the argument's name) per argument.
    schema: Arc<Schema>,
    /// For each schema column, the argument it holds.
    columns: Vec<usize>,
    body: Arc<dyn PhysicalExpr>,
    context: String,
}

impl PartialEq for UserFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.context == other.context
    }
}
impl Eq for UserFunction {}
impl std::hash::Hash for UserFunction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for UserFunction {
    fn name(&self) -> &str {
        &self.name
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    /// PostgreSQL resolves a call by implicit casts within a type category: any number for
    /// a numeric argument (an integer literal is int4 there, int8 in DataFusion), any string
    /// for a string one, NULL for anything. Other types find no function (42883).
    fn coerce_types(&self, given: &[DataType]) -> DfResult<Vec<DataType>> {
        let fits = |g: &DataType, want: &DataType| {
            g == want
                || g.is_null()
                || (g.is_numeric() && want.is_numeric())
                || (is_string(g) && is_string(want))
        };
        if given.len() == self.arg_types.len()
            && given.iter().zip(&self.arg_types).all(|(g, w)| fits(g, w))
        {
            return Ok(self.arg_types.clone());
        }
        Err(DataFusionError::Plan(format!(
            "Failed to coerce arguments to satisfy a call to '{}' function: no function matches the given name and argument types",
            self.name
        )))
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(self.returns.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<DfResult<Vec<_>>>()?;
        let columns = self
            .columns
            .iter()
            .map(|&i| {
                arrays
                    .get(i)
                    .cloned()
                    .ok_or_else(|| DataFusionError::Internal("argument count".into()))
            })
            .collect::<DfResult<Vec<_>>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        let batch = RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)?;
        let out = self.body.evaluate(&batch).map_err(|e| {
            let err = SqlError::from_datafusion_ref(&e).with_context(self.context.clone());
            DataFusionError::External(Box::new(err))
        })?;
        Ok(match out {
            ColumnarValue::Array(a) if scalar && rows == 1 => {
                ColumnarValue::Scalar(datafusion::common::ScalarValue::try_from_array(&a, 0)?)
            }
            other => other,
        })
    }
}
