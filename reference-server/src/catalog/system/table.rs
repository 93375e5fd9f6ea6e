//! A catalog relation whose rows are computed on every scan from live server state, so
//! `pg_class` sees a table the moment another session creates it.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Float32Builder, Float64Builder, Int16Builder,
    Int32Builder, Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder,
    UInt32Builder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::Result as DfResult;
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;

use super::Sys;
use crate::pgtypes::PG_TYPE_KEY;

/// The storage kind of a catalog column (PostgreSQL's type → the server's Arrow type).
/// `oid` is UInt32, which the wire layer reports as PostgreSQL's `oid` (26); `name` and
/// `"char"` are text tagged with their PostgreSQL type, because drivers (asyncpg's type
/// introspection) decode catalog results by those exact types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Oid,
    Bool,
    Text,
    /// `information_schema`'s `character_data` / `yes_or_no` (varchar domains).
    Varchar,
    Name,
    Char,
    I16,
    I32,
    I64,
    F32,
    F64,
    Bytes,
    Tstz,
    TextArr,
    OidArr,
    I16Arr,
    /// `int2vector` (`pg_index.indkey`): an int2 array that prints as `1 2`.
    I16Vec,
    /// `oidvector` (`pg_proc.proargtypes`): an oid array that prints as `23 25`.
    OidVec,
}

impl Col {
    fn data_type(self) -> DataType {
        let list = |t: DataType| DataType::List(Arc::new(Field::new("item", t, true)));
        match self {
            Col::Oid => DataType::UInt32,
            Col::I64 => DataType::Int64,
            Col::Bool => DataType::Boolean,
            Col::Text | Col::Varchar | Col::Name | Col::Char => DataType::Utf8,
            Col::I16 => DataType::Int16,
            Col::I32 => DataType::Int32,
            Col::F32 => DataType::Float32,
            Col::F64 => DataType::Float64,
            Col::Bytes => DataType::Binary,
            Col::Tstz => DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())),
            Col::TextArr => list(DataType::Utf8),
            Col::OidArr | Col::OidVec => list(DataType::UInt32),
            Col::I16Arr | Col::I16Vec => list(DataType::Int16),
        }
    }

    /// The PostgreSQL type a column reports when its Arrow type alone would name another.
    fn pg_type(self) -> Option<&'static str> {
        match self {
            Col::Name => Some("name"),
            Col::Varchar => Some("varchar"),
            Col::Char => Some("\"char\""),
            Col::I16Vec => Some("int2vector"),
            Col::OidVec => Some("oidvector"),
            _ => None,
        }
    }

    /// The value of a column a row does not set: PG's catalogs are NOT NULL almost
    /// everywhere, so scalars default to zero/false/empty and only free text, arrays and
    /// timestamps default to NULL.
    fn default_value(self) -> Val {
        match self {
            Col::Oid | Col::I16 | Col::I32 | Col::I64 => Val::Int(0),
            Col::F32 | Col::F64 => Val::Float(0.0),
            Col::Bool => Val::Bool(false),
            Col::Name | Col::Char => Val::Text(String::new()),
            _ => Val::Null,
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Bool(bool),
    Float(f64),
    Text(String),
    /// Microseconds since the Unix epoch.
    Ts(i64),
    TextArr(Vec<String>),
    IntArr(Vec<i64>),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Text(s.to_owned())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Text(s)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<i32> for Val {
    fn from(v: i32) -> Self {
        Val::Int(i64::from(v))
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}

/// A row: the columns it sets, by name; the others take [`Col::default_value`].
pub type Row = Vec<(&'static str, Val)>;

/// Produces a relation's rows from the session's view of the server.
pub type RowSource = fn(&str, &Sys) -> Vec<Row>;

/// A `pg_catalog` / `information_schema` relation.
pub struct SystemTable {
    name: &'static str,
    schema: SchemaRef,
    cols: &'static [(&'static str, Col)],
    rows: RowSource,
    ctx: Arc<Sys>,
}

impl std::fmt::Debug for SystemTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemTable")
            .field("schema", &self.schema)
            .finish()
    }
}

impl SystemTable {
    pub fn new(
        name: &'static str,
        cols: &'static [(&'static str, Col)],
        rows: RowSource,
        ctx: Arc<Sys>,
    ) -> Self {
        let fields: Vec<Field> =
            cols.iter()
                .map(|(name, col)| {
                    let field = Field::new(*name, col.data_type(), true);
                    match col.pg_type() {
                        Some(t) => field
                            .with_metadata(HashMap::from([(PG_TYPE_KEY.to_owned(), t.to_owned())])),
                        None => field,
                    }
                })
                .collect();
        Self {
            name,
            schema: Arc::new(Schema::new(fields)),
            cols,
            rows,
            ctx,
        }
    }

    /// The relation's current contents as one batch.
    pub fn batch(&self) -> DfResult<RecordBatch> {
        let rows = (self.rows)(self.name, &self.ctx);
        let maps: Vec<HashMap<&str, &Val>> = rows
            .iter()
            .map(|r| r.iter().map(|(k, v)| (*k, v)).collect())
            .collect();
        let arrays = self
            .cols
            .iter()
            .map(|(name, col)| build(*col, maps.iter().map(|m| m.get(name).copied())))
            .collect::<Vec<_>>();
        Ok(RecordBatch::try_new(self.schema.clone(), arrays)?)
    }
}

/// One column's array; a value of the wrong shape for the column becomes NULL.
fn build<'a>(col: Col, vals: impl Iterator<Item = Option<&'a Val>>) -> ArrayRef {
    let default = col.default_value();
    let vals: Vec<&Val> = vals.map(|v| v.unwrap_or(&default)).collect();
    match col {
        Col::Oid => {
            let mut b = UInt32Builder::new();
            vals.iter()
                .for_each(|v| b.append_option(int(v).and_then(|i| u32::try_from(i).ok())));
            Arc::new(b.finish())
        }
        Col::I64 => {
            let mut b = Int64Builder::new();
            vals.iter().for_each(|v| b.append_option(int(v)));
            Arc::new(b.finish())
        }
        Col::I32 => {
            let mut b = Int32Builder::new();
            vals.iter()
                .for_each(|v| b.append_option(int(v).and_then(|i| i32::try_from(i).ok())));
            Arc::new(b.finish())
        }
        Col::I16 => {
            let mut b = Int16Builder::new();
            vals.iter()
                .for_each(|v| b.append_option(int(v).and_then(|i| i16::try_from(i).ok())));
            Arc::new(b.finish())
        }
        Col::Bool => {
            let mut b = BooleanBuilder::new();
            vals.iter().for_each(|v| {
                b.append_option(match v {
                    Val::Bool(x) => Some(*x),
                    _ => None,
                })
            });
            Arc::new(b.finish())
        }
        Col::F32 => {
            let mut b = Float32Builder::new();
            vals.iter()
                .for_each(|v| b.append_option(float(v).map(|f| f as f32)));
            Arc::new(b.finish())
        }
        Col::F64 => {
            let mut b = Float64Builder::new();
            vals.iter().for_each(|v| b.append_option(float(v)));
            Arc::new(b.finish())
        }
        Col::Text | Col::Varchar | Col::Name | Col::Char => {
            let mut b = StringBuilder::new();
            vals.iter().for_each(|v| b.append_option(text(v)));
            Arc::new(b.finish())
        }
        Col::Bytes => {
            let mut b = BinaryBuilder::new();
            vals.iter().for_each(|v| b.append_option(text(v)));
            Arc::new(b.finish())
        }
        Col::Tstz => {
            let mut b = TimestampMicrosecondBuilder::new().with_timezone("+00:00");
            vals.iter().for_each(|v| {
                b.append_option(match v {
                    Val::Ts(t) => Some(*t),
                    _ => None,
                })
            });
            Arc::new(b.finish())
        }
        Col::TextArr => {
            let mut b = ListBuilder::new(StringBuilder::new());
            for v in &vals {
                match v {
                    Val::TextArr(items) => {
                        items.iter().for_each(|s| b.values().append_value(s));
                        b.append(true);
                    }
                    _ => b.append(false),
                }
            }
            Arc::new(b.finish())
        }
        Col::OidArr | Col::OidVec => {
            let mut b = ListBuilder::new(UInt32Builder::new());
            for v in &vals {
                match v {
                    Val::IntArr(items) => {
                        items
                            .iter()
                            .for_each(|i| b.values().append_option(u32::try_from(*i).ok()));
                        b.append(true);
                    }
                    _ => b.append(false),
                }
            }
            Arc::new(b.finish())
        }
        Col::I16Arr | Col::I16Vec => {
            let mut b = ListBuilder::new(Int16Builder::new());
            for v in &vals {
                match v {
                    Val::IntArr(items) => {
                        items
                            .iter()
                            .for_each(|i| b.values().append_option(i16::try_from(*i).ok()));
                        b.append(true);
                    }
                    _ => b.append(false),
                }
            }
            Arc::new(b.finish())
        }
    }
}

fn int(v: &Val) -> Option<i64> {
    match v {
        Val::Int(i) => Some(*i),
        _ => None,
    }
}

fn float(v: &Val) -> Option<f64> {
    match v {
        Val::Float(f) => Some(*f),
        Val::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn text(v: &Val) -> Option<&str> {
    match v {
        Val::Text(s) => Some(s),
        _ => None,
    }
}

#[async_trait]
impl TableProvider for SystemTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let batch = self.batch()?;
        Ok(MemorySourceConfig::try_new_exec(
            &[vec![batch]],
            self.schema.clone(),
            projection.cloned(),
        )?)
    }
}
