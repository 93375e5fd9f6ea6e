//! Point lookups by unique key without scanning the table.
//!
//! A table with a PRIMARY KEY (else its first UNIQUE constraint) gets, on its first point
//! lookup, an index from the key's row-format bytes to the row: `(batch, row)` into batches the
//! index keeps alive. It lives in the table's [`State`] under the same mutex as the memtable and
//! segment list, so it always shows exactly the rows a scan started at that moment would see:
//! - inserts add their rows to it as they enter the memtable ([`Slot::on_insert`]);
//! - flushes and compactions keep it (same rows, only stored elsewhere);
//! - every other commit (DELETE, UPDATE, TRUNCATE, a transaction's rewrite) drops it, and the
//!   next lookup rebuilds it from the rows.
//!
//! Cost: the index keeps every row of the table in memory (the decoded batches, for durable
//! tables the Parquet data decompressed) plus about 50 bytes per row for the hash map. Tables
//! over [`MAX_ROWS`] rows are never indexed: their lookups take the general (scanning) path.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Int16Type, Int32Type, Int64Type};
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{HashMap, ScalarValue};

use super::StorageError;
use super::catalog::{ConstraintDef, TableDef};
use super::table::Table;

/// Tables with more rows than this are not indexed (bounded memory).
pub const MAX_ROWS: usize = 16 << 20;

/// Where a row is: (batch, row) into [`LookupIndex::batches`].
type Position = (u32, u32);

/// The key → row map of one table.
pub(crate) struct LookupIndex {
    columns: Vec<usize>,
    keys: Keys,
    batches: Vec<RecordBatch>,
}

/// The map itself, keyed the cheapest way the key's type allows.
enum Keys {
    /// One integer column (the common `id` key): the value itself, so neither building nor
    /// probing encodes or allocates anything per key.
    Int(HashMap<i64, Position>),
    /// Any other key: its row-format bytes.
    Rows {
        converter: RowConverter,
        map: HashMap<Box<[u8]>, Position>,
    },
}

/// The index as the table state holds it.
#[derive(Default)]
pub(crate) enum Slot {
    #[default]
    Absent,
    /// Being built from a snapshot; inserts meanwhile are kept to be added at the end.
    Building(Vec<RecordBatch>),
    Ready(LookupIndex),
}

impl Slot {
    /// Rows entering the memtable.
    pub(crate) fn on_insert(&mut self, batch: &RecordBatch) {
        match self {
            Slot::Absent => {}
            Slot::Building(pending) => pending.push(batch.clone()),
            Slot::Ready(index) => {
                if index.add(batch).is_err() {
                    *self = Slot::Absent;
                }
            }
        }
    }

    /// The table's rows changed other than by inserts.
    pub(crate) fn invalidate(&mut self) {
        *self = Slot::Absent;
    }
}

/// The columns of the key lookups use: the PRIMARY KEY, else the first UNIQUE constraint.
pub fn key_columns(def: &TableDef) -> Option<Vec<usize>> {
    fn unique(c: &ConstraintDef) -> Option<&Vec<String>> {
        match c {
            ConstraintDef::Unique { columns, .. }
            | ConstraintDef::Index {
                columns,
                unique: true,
                ..
            } => Some(columns),
            _ => None,
        }
    }
    let primary = def.constraints.iter().find_map(|c| match c {
        ConstraintDef::Unique {
            columns,
            primary: true,
            ..
        } => Some(columns),
        _ => None,
    });
    let names = primary.or_else(|| def.constraints.iter().find_map(unique))?;
    names
        .iter()
        .map(|n| def.schema.index_of(n).ok())
        .collect::<Option<Vec<_>>>()
        .filter(|c| !c.is_empty())
}

/// An integer key value as the `Int` map stores it.
fn int_key(v: &ScalarValue) -> Option<i64> {
    match v {
        ScalarValue::Int16(Some(v)) => Some(i64::from(*v)),
        ScalarValue::Int32(Some(v)) => Some(i64::from(*v)),
        ScalarValue::Int64(Some(v)) => Some(*v),
        _ => None,
    }
}

fn position(b: u32, r: usize) -> Result<Position, StorageError> {
    let r = u32::try_from(r)
        .map_err(|_| StorageError::SchemaMismatch("batch too large to index".into()))?;
    Ok((b, r))
}

/// Index the non-NULL values of an integer key column.
fn add_ints<I>(
    map: &mut HashMap<i64, Position>,
    b: u32,
    values: impl Iterator<Item = Option<I>>,
) -> Result<(), StorageError>
where
    i64: From<I>,
{
    for (r, v) in values.enumerate() {
        if let Some(v) = v {
            map.insert(i64::from(v), position(b, r)?);
        }
    }
    Ok(())
}

impl LookupIndex {
    fn new(def: &TableDef, columns: Vec<usize>) -> Result<Self, StorageError> {
        let types = columns
            .iter()
            .map(|i| {
                def.schema
                    .fields()
                    .get(*i)
                    .map(|f| f.data_type().clone())
                    .ok_or_else(|| StorageError::SchemaMismatch(format!("no column {i}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let keys = match types.as_slice() {
            [DataType::Int16 | DataType::Int32 | DataType::Int64] => Keys::Int(HashMap::default()),
            _ => Keys::Rows {
                converter: RowConverter::new(types.into_iter().map(SortField::new).collect())?,
                map: HashMap::default(),
            },
        };
        Ok(LookupIndex {
            columns,
            keys,
            batches: Vec::new(),
        })
    }

    /// Indexes the rows of `batch` (rows with a NULL key column are never found by `=`).
    fn add(&mut self, batch: &RecordBatch) -> Result<(), StorageError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let cols = self.key_arrays(batch)?;
        let b = u32::try_from(self.batches.len())
            .map_err(|_| StorageError::SchemaMismatch("too many batches to index".into()))?;
        match &mut self.keys {
            Keys::Int(map) => {
                map.reserve(batch.num_rows());
                let [col] = cols.as_slice() else {
                    return Err(StorageError::SchemaMismatch("key is not one column".into()));
                };
                if let Some(a) = col.as_primitive_opt::<Int64Type>() {
                    add_ints(map, b, a.iter())?;
                } else if let Some(a) = col.as_primitive_opt::<Int32Type>() {
                    add_ints(map, b, a.iter())?;
                } else if let Some(a) = col.as_primitive_opt::<Int16Type>() {
                    add_ints(map, b, a.iter())?;
                } else {
                    return Err(StorageError::SchemaMismatch(format!(
                        "key column of type {}",
                        col.data_type()
                    )));
                }
            }
            Keys::Rows { converter, map } => {
                let keys = converter.convert_columns(&cols)?;
                map.reserve(batch.num_rows());
                for (r, key) in keys.iter().enumerate() {
                    if cols.iter().any(|c| c.is_null(r)) {
                        continue;
                    }
                    map.insert(Box::from(key.as_ref()), position(b, r)?);
                }
            }
        }
        self.batches.push(batch.clone());
        Ok(())
    }

    fn key_arrays(&self, batch: &RecordBatch) -> Result<Vec<ArrayRef>, StorageError> {
        self.columns
            .iter()
            .map(|i| {
                batch
                    .columns()
                    .get(*i)
                    .cloned()
                    .ok_or_else(|| StorageError::SchemaMismatch(format!("no column {i}")))
            })
            .collect()
    }

    /// The row with key `key` (one value per key column, of the column's type), as a one-row
    /// batch sharing the stored arrays. `None` if no row has it.
    fn get(&self, key: &[ScalarValue]) -> Result<Option<FoundRow>, StorageError> {
        let found = match &self.keys {
            Keys::Int(map) => match key {
                [v] => int_key(v).and_then(|k| map.get(&k)),
                _ => None,
            },
            Keys::Rows { converter, map } => {
                let arrays = key
                    .iter()
                    .map(|v| v.to_array())
                    .collect::<Result<Vec<_>, _>>()?;
                let rows = converter.convert_columns(&arrays)?;
                rows.iter().next().and_then(|row| map.get(row.as_ref()))
            }
        };
        let Some(&(b, r)) = found else {
            return Ok(None);
        };
        Ok(self
            .batches
            .get(b as usize)
            .filter(|batch| (r as usize) < batch.num_rows())
            .map(|batch| FoundRow {
                batch: batch.clone(),
                row: r as usize,
            }))
    }

    /// Whether `key` has one non-NULL value of each key column's exact type.
    fn fits(&self, def: &TableDef, key: &[ScalarValue]) -> bool {
        typed(def, &self.columns, key)
    }
}

/// Whether `key` has one non-NULL value of the exact type of each of `columns`.
fn typed(def: &TableDef, columns: &[usize], key: &[ScalarValue]) -> bool {
    key.len() == columns.len()
        && key.iter().zip(columns).all(|(v, i)| {
            !v.is_null()
                && def
                    .schema
                    .fields()
                    .get(*i)
                    .is_some_and(|f| f.data_type() == &v.data_type())
        })
}

/// A row the index found: its batch and position, so a caller slices only the columns it
/// returns (slicing whole rows showed in point-lookup profiles).
#[derive(Debug)]
pub struct FoundRow {
    batch: RecordBatch,
    row: usize,
}

impl FoundRow {
    /// The row's values of the columns at `indices` (table order), as one-row arrays.
    pub fn columns(&self, indices: &[usize]) -> Vec<ArrayRef> {
        indices
            .iter()
            .filter_map(|i| self.batch.columns().get(*i))
            .map(|c| c.slice(self.row, 1))
            .collect()
    }
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup {
    /// The live row with that key, or none.
    Found(Option<FoundRow>),
    /// The table has no index for this key (no unique key on these columns, too large, key of
    /// another type): take the general path.
    Unavailable,
}

impl Table {
    /// The row whose lookup key ([`key_columns`]) equals `key`, one non-NULL value per key
    /// column in key order and of the column's exact type. Builds the index on first use.
    pub async fn lookup(&self, key: &[ScalarValue]) -> Result<Lookup, StorageError> {
        self.check_usable()?;
        if let Some(found) = self.lookup_ready(key)? {
            return Ok(found);
        }
        let Some(columns) = key_columns(&self.def) else {
            return Ok(Lookup::Unavailable);
        };
        if !typed(&self.def, &columns, key) {
            return Ok(Lookup::Unavailable);
        }
        if self.row_count_estimate() > MAX_ROWS {
            return Ok(Lookup::Unavailable);
        }
        // Commits hold `ops`: while we hold it the segment list and the rows in it stay put,
        // and inserts meanwhile are queued in `Slot::Building`.
        let _ops = self.ops.lock().await;
        if let Some(found) = self.lookup_ready(key)? {
            return Ok(found);
        }
        let (mem, segments) = {
            let mut st = self.lock_state()?;
            st.lookup = Slot::Building(Vec::new());
            (
                st.mem.iter().map(|e| e.batch.clone()).collect::<Vec<_>>(),
                st.segments.clone(),
            )
        };
        let abandon = Abandon(self);
        let built = self.build_index(columns, mem, &segments).await;
        std::mem::forget(abandon);
        let mut st = self.lock_state()?;
        let pending = match std::mem::take(&mut st.lookup) {
            Slot::Building(p) => p,
            _ => return Ok(Lookup::Unavailable),
        };
        let Ok(mut index) = built else {
            return Ok(Lookup::Unavailable);
        };
        for b in &pending {
            index.add(b)?;
        }
        let found = index.get(key)?;
        st.lookup = Slot::Ready(index);
        Ok(Lookup::Found(found))
    }

    fn lookup_ready(&self, key: &[ScalarValue]) -> Result<Option<Lookup>, StorageError> {
        let st = self.lock_state()?;
        match &st.lookup {
            Slot::Ready(index) if !index.fits(&self.def, key) => Ok(Some(Lookup::Unavailable)),
            Slot::Ready(index) => Ok(Some(Lookup::Found(index.get(key)?))),
            _ => Ok(None),
        }
    }

    async fn build_index(
        &self,
        columns: Vec<usize>,
        mem: Vec<RecordBatch>,
        segments: &[std::sync::Arc<super::segment::Segment>],
    ) -> Result<LookupIndex, StorageError> {
        let mut index = LookupIndex::new(&self.def, columns)?;
        for s in segments {
            for b in s.read(&self.def.schema).await? {
                index.add(&b)?;
            }
        }
        for b in &mem {
            index.add(b)?;
        }
        Ok(index)
    }
}

/// Resets a `Building` slot if the lookup building it is dropped (cancelled) mid-way, so
/// inserts stop queueing rows for a build that will never finish.
struct Abandon<'a>(&'a Table);

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if let Ok(mut st) = self.0.lock_state()
            && matches!(st.lookup, Slot::Building(_))
        {
            st.lookup = Slot::Absent;
        }
    }
}
