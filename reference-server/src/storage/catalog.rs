//! Table definitions and the on-disk catalog (`catalog.json`).
//!
//! Arrow schemas are persisted as an Arrow IPC schema message (base64 inside the JSON), which
//! round-trips every type and all field/schema metadata exactly (e.g. `pg_type`).

use std::io::Cursor;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::ipc::reader::StreamReader;
use datafusion::arrow::ipc::writer::StreamWriter;
use serde::{Deserialize, Serialize};

use super::StorageError;
use super::fsutil;

/// A table's definition, as given to [`super::Storage::create_table`].
#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    pub name: String,
    /// Arrow schema; field metadata is persisted and returned unchanged.
    pub schema: SchemaRef,
    /// Column used for time partitioning and pruning (timestamp or date type); None = one partition.
    pub time_column: Option<String>,
    /// Columns of the PRIMARY KEY (also listed, enforced, in `constraints`).
    pub primary_key: Vec<String>,
    /// PRIMARY KEY / UNIQUE / CHECK / FOREIGN KEY constraints, enforced on every write.
    pub constraints: Vec<ConstraintDef>,
    /// Column defaults as SQL expression text (PostgreSQL syntax), applied when a write
    /// omits the column.
    pub defaults: Vec<ColumnDefault>,
}

/// A table constraint, persisted with the table (NOT NULL is the Arrow field's nullability).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConstraintDef {
    /// PRIMARY KEY (`primary`) or UNIQUE over `columns`; rows with a NULL key never conflict.
    Unique {
        name: String,
        columns: Vec<String>,
        primary: bool,
    },
    /// `CHECK (expr)`: a row fails when `expr` is false (NULL passes).
    Check { name: String, expr: String },
    /// `CREATE [UNIQUE] INDEX name ON t (columns)`: unique ones are enforced like UNIQUE.
    Index {
        name: String,
        columns: Vec<String>,
        unique: bool,
    },
    /// `FOREIGN KEY (columns) REFERENCES table (ref_columns) [ON DELETE action]`.
    ForeignKey {
        name: String,
        columns: Vec<String>,
        ref_table: String,
        ref_columns: Vec<String>,
        /// What deleting a referenced row does (catalogs written before it: NO ACTION).
        #[serde(default)]
        on_delete: FkAction,
    },
}

/// A foreign key's referential action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ConstraintDef {
    pub fn name(&self) -> &str {
        match self {
            Self::Unique { name, .. }
            | Self::Check { name, .. }
            | Self::Index { name, .. }
            | Self::ForeignKey { name, .. } => name,
        }
    }
}

/// `DEFAULT expr` of one column; `serial` columns have `nextval('<table>_<col>_seq')`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDefault {
    pub column: String,
    pub expr: String,
}

impl TableDef {
    /// Index of the time column, checked to exist and to have a supported type.
    pub(crate) fn time_index(&self) -> Result<Option<usize>, StorageError> {
        let Some(name) = &self.time_column else {
            return Ok(None);
        };
        let (idx, field) = self.schema.column_with_name(name).ok_or_else(|| {
            StorageError::InvalidDefinition(format!("time column \"{name}\" does not exist"))
        })?;
        match field.data_type() {
            DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 => Ok(Some(idx)),
            other => Err(StorageError::InvalidDefinition(format!(
                "time column \"{name}\" has unsupported type {other}"
            ))),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        if self.name.is_empty() {
            return Err(StorageError::InvalidDefinition("empty table name".into()));
        }
        if self.schema.fields().is_empty() {
            return Err(StorageError::InvalidDefinition(format!(
                "table \"{}\" has no columns",
                self.name
            )));
        }
        self.time_index()?;
        Ok(())
    }
}

/// One table as stored in `catalog.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CatalogEntry {
    /// Unique forever (never reused), so WAL records of a dropped table never reach a new
    /// table with the same name.
    pub id: u64,
    pub name: String,
    /// Directory under `tables/`.
    pub dir: String,
    pub schema_ipc: String,
    pub time_column: Option<String>,
    pub primary_key: Vec<String>,
    /// Partition width fixed at creation, so reopening with other options keeps files valid.
    pub partition_micros: i64,
    /// Human-readable column list, for operators only (the IPC schema is authoritative).
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub constraints: Vec<ConstraintDef>,
    #[serde(default)]
    pub defaults: Vec<ColumnDefault>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct CatalogFile {
    pub version: u32,
    pub next_table_id: u64,
    pub tables: Vec<CatalogEntry>,
    #[serde(default)]
    pub views: Vec<super::views::ViewDef>,
}

pub(crate) const CATALOG_VERSION: u32 = 1;

impl CatalogEntry {
    pub fn new(id: u64, def: &TableDef, partition_micros: i64) -> Result<Self, StorageError> {
        Ok(CatalogEntry {
            id,
            name: def.name.clone(),
            dir: table_dir_name(id, &def.name),
            schema_ipc: B64.encode(encode_schema(&def.schema)?),
            time_column: def.time_column.clone(),
            primary_key: def.primary_key.clone(),
            partition_micros,
            columns: def
                .schema
                .fields()
                .iter()
                .map(|f| format!("{} {}", f.name(), f.data_type()))
                .collect(),
            constraints: def.constraints.clone(),
            defaults: def.defaults.clone(),
        })
    }

    pub fn to_def(&self) -> Result<TableDef, StorageError> {
        let bytes = B64.decode(&self.schema_ipc).map_err(|e| {
            StorageError::Corrupt(format!("catalog: schema of \"{}\": {e}", self.name))
        })?;
        let schema = decode_schema(&bytes).map_err(|e| {
            StorageError::Corrupt(format!("catalog: schema of \"{}\": {e}", self.name))
        })?;
        let def = TableDef {
            name: self.name.clone(),
            schema,
            time_column: self.time_column.clone(),
            primary_key: self.primary_key.clone(),
            constraints: self.constraints.clone(),
            defaults: self.defaults.clone(),
        };
        def.validate()
            .map_err(|e| StorageError::Corrupt(format!("catalog: {e}")))?;
        if self.partition_micros <= 0 {
            return Err(StorageError::Corrupt(format!(
                "catalog: partition width of \"{}\" is not positive",
                self.name
            )));
        }
        Ok(def)
    }
}

/// `<id>_<name with unsafe characters replaced>`: unique, filesystem-safe, still readable.
fn table_dir_name(id: u64, name: &str) -> String {
    let safe: String = name
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{id}_{safe}")
}

pub(crate) fn encode_schema(schema: &Schema) -> Result<Vec<u8>, StorageError> {
    let mut buf = Vec::new();
    let mut w = StreamWriter::try_new(&mut buf, schema)?;
    w.finish()?;
    drop(w);
    Ok(buf)
}

pub(crate) fn decode_schema(bytes: &[u8]) -> Result<SchemaRef, StorageError> {
    let reader = StreamReader::try_new(Cursor::new(bytes), None)?;
    Ok(reader.schema())
}

pub(crate) fn load(path: &Path) -> Result<Option<CatalogFile>, StorageError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let cat: CatalogFile = serde_json::from_slice(&bytes)
        .map_err(|e| StorageError::Corrupt(format!("{}: {e}", path.display())))?;
    if cat.version != CATALOG_VERSION {
        return Err(StorageError::Corrupt(format!(
            "{}: unsupported catalog version {}",
            path.display(),
            cat.version
        )));
    }
    Ok(Some(cat))
}

pub(crate) fn save(path: &Path, cat: &CatalogFile) -> Result<(), StorageError> {
    let bytes = serde_json::to_vec_pretty(cat)
        .map_err(|e| StorageError::Corrupt(format!("catalog encode: {e}")))?;
    fsutil::atomic_write(path, &bytes)?;
    Ok(())
}
