//! The implicit sequence of a `serial` / identity column, as a volatile DataFusion function
//! that the column's default calls (`nextval('t_id_seq')`).
//!
//! The next value is not persisted: it is derived from the column's maximum when the table
//! is first written after an open (see `Table::prepare_sequences`), so values stay unique
//! across restarts (PostgreSQL may skip numbers too; it never repeats them).

use std::sync::{Arc, Mutex};

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// One sequence: `None` until initialised from the table's data.
#[derive(Debug)]
pub struct Sequence {
    pub name: String,
    next: Mutex<Option<i64>>,
}

impl Sequence {
    pub fn new(name: String) -> Self {
        Sequence {
            name,
            next: Mutex::new(None),
        }
    }

    /// `nextval('name')` (as written by CREATE TABLE for serial columns) → `name`.
    pub fn parse_nextval(sql: &str) -> Option<String> {
        let rest = sql.trim().strip_prefix("nextval('")?;
        let inner = rest
            .strip_suffix("'::regclass)")
            .or_else(|| rest.strip_suffix("')"))?;
        (!inner.is_empty() && !inner.contains('\'')).then(|| inner.to_owned())
    }

    pub fn is_initialised(&self) -> bool {
        self.next.lock().map(|n| n.is_some()).unwrap_or(true)
    }

    /// Starts after `max` (the column's largest value), unless already started.
    pub fn init_after(&self, max: Option<i64>) {
        if let Ok(mut n) = self.next.lock()
            && n.is_none()
        {
            *n = Some(max.unwrap_or(0).saturating_add(1));
        }
    }

    /// `(last_value, is_called)` as a sequence relation shows them: the last value handed
    /// out, or the start value 1 before the first.
    pub fn last_value(&self) -> (i64, bool) {
        match self.next.lock().ok().and_then(|n| *n) {
            Some(next) if next > 1 => (next - 1, true),
            _ => (1, false),
        }
    }

    /// Reserves `count` values; returns the first.
    fn take(&self, count: usize) -> DFResult<i64> {
        let mut n = self
            .next
            .lock()
            .map_err(|_| DataFusionError::Execution("sequence lock poisoned".into()))?;
        let first = n.unwrap_or(1);
        let step = i64::try_from(count).unwrap_or(i64::MAX);
        let next = first.checked_add(step).ok_or_else(|| {
            DataFusionError::External(Box::new(crate::sql::SqlError::new(
                "2200H",
                format!(
                    "nextval: reached maximum value of sequence \"{}\"",
                    self.name
                ),
            )))
        })?;
        *n = Some(next);
        Ok(first)
    }

    /// The default expression that draws from this sequence.
    pub fn expr(self: &Arc<Self>) -> Expr {
        ScalarUDF::new_from_impl(NextVal {
            seq: self.clone(),
            signature: Signature::nullary(Volatility::Volatile),
        })
        .call(vec![])
    }
}

#[derive(Debug)]
struct NextVal {
    seq: Arc<Sequence>,
    signature: Signature,
}

impl PartialEq for NextVal {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.seq, &other.seq)
    }
}

impl Eq for NextVal {}

impl std::hash::Hash for NextVal {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.seq.name.hash(state);
    }
}

impl ScalarUDFImpl for NextVal {
    fn name(&self) -> &str {
        "nextval"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let n = args.number_rows;
        let first = self.seq.take(n)?;
        let values: Int64Array = (0..n as i64).map(|i| Some(first + i)).collect();
        Ok(ColumnarValue::Array(Arc::new(values)))
    }
}
