//! The time column: normalising values to microseconds, partition keys, sorting and splitting
//! batches per partition, and deriving a time range from filter expressions for pruning.

use std::collections::BTreeMap;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, UInt32Array};
use datafusion::arrow::compute::{SortOptions, sort_to_indices, take_record_batch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Field, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{Between, BinaryExpr, Cast, Expr, Operator, TryCast};

use super::StorageError;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Partition key of rows whose time value is NULL (or of tables without a time column).
pub(crate) type PartitionKey = Option<i64>;

/// Inclusive min/max of the time column in microseconds (None: no non-NULL values).
pub(crate) type MinMax = Option<(i64, i64)>;

/// One partition's rows, sorted by time.
pub(crate) struct Part {
    pub key: PartitionKey,
    pub batch: RecordBatch,
    pub range: MinMax,
}

/// The time column's values as microseconds since the epoch (floor for finer units, saturating).
pub(crate) fn micros(col: &ArrayRef) -> Result<Vec<Option<i64>>, StorageError> {
    fn conv<T: datafusion::arrow::datatypes::ArrowPrimitiveType<Native = N>, N: Copy>(
        col: &ArrayRef,
        f: impl Fn(N) -> i64,
    ) -> Vec<Option<i64>> {
        col.as_primitive::<T>().iter().map(|v| v.map(&f)).collect()
    }
    Ok(match col.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => {
            conv::<TimestampSecondType, _>(col, |v| v.saturating_mul(1_000_000))
        }
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            conv::<TimestampMillisecondType, _>(col, |v| v.saturating_mul(1_000))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            conv::<TimestampMicrosecondType, _>(col, |v| v)
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            conv::<TimestampNanosecondType, _>(col, |v| v.div_euclid(1_000))
        }
        DataType::Date32 => {
            conv::<Date32Type, _>(col, |v| i64::from(v).saturating_mul(MICROS_PER_DAY))
        }
        DataType::Date64 => conv::<Date64Type, _>(col, |v| v.saturating_mul(1_000)),
        other => {
            return Err(StorageError::SchemaMismatch(format!(
                "unsupported time column type {other}"
            )));
        }
    })
}

/// A scalar comparable with the time column, as microseconds (floor).
fn scalar_micros(v: &ScalarValue) -> Option<i64> {
    match v {
        ScalarValue::TimestampSecond(Some(v), _) => Some(v.saturating_mul(1_000_000)),
        ScalarValue::TimestampMillisecond(Some(v), _) => Some(v.saturating_mul(1_000)),
        ScalarValue::TimestampMicrosecond(Some(v), _) => Some(*v),
        ScalarValue::TimestampNanosecond(Some(v), _) => Some(v.div_euclid(1_000)),
        ScalarValue::Date32(Some(v)) => Some(i64::from(*v).saturating_mul(MICROS_PER_DAY)),
        ScalarValue::Date64(Some(v)) => Some(v.saturating_mul(1_000)),
        _ => None,
    }
}

/// Inclusive [min, max] micros bounds; `None` on a side = unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct TimeRange {
    pub lo: Option<i64>,
    pub hi: Option<i64>,
}

impl TimeRange {
    /// Whether rows with times in [min, max] may satisfy the range. Conservative.
    pub fn may_overlap(&self, min: i64, max: i64) -> bool {
        self.lo.is_none_or(|lo| max >= lo) && self.hi.is_none_or(|hi| min <= hi)
    }

    pub fn is_unbounded(&self) -> bool {
        self.lo.is_none() && self.hi.is_none()
    }

    fn narrow_lo(&mut self, v: i64) {
        self.lo = Some(self.lo.map_or(v, |lo| lo.max(v)));
    }

    fn narrow_hi(&mut self, v: i64) {
        self.hi = Some(self.hi.map_or(v, |hi| hi.min(v)));
    }
}

fn is_time_col(e: &Expr, time_col: &Field) -> bool {
    match e {
        Expr::Column(c) => c.name == *time_col.name(),
        // A cast to micro- or nanoseconds in the column's own time zone keeps values (at the
        // microsecond resolution bounds use) and order, so bounds on it bound the column.
        Expr::Cast(Cast { expr, field }) | Expr::TryCast(TryCast { expr, field }) => {
            let zone = match time_col.data_type() {
                DataType::Timestamp(_, tz) => tz.clone(),
                _ => None,
            };
            matches!(field.data_type(),
                DataType::Timestamp(TimeUnit::Microsecond | TimeUnit::Nanosecond, tz) if *tz == zone)
                && is_time_col(expr, time_col)
        }
        _ => false,
    }
}

fn literal(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(v, _) => scalar_micros(v),
        _ => None,
    }
}

/// Time bounds implied by the conjunction of `filters` (only `col op literal` and BETWEEN
/// conjuncts are understood; anything else leaves the range wider, never narrower).
pub(crate) fn range_from_filters<'a>(
    filters: impl IntoIterator<Item = &'a Expr>,
    time_col: &Field,
) -> TimeRange {
    let mut r = TimeRange::default();
    for f in filters {
        for c in split_conjunction(f) {
            apply_conjunct(&mut r, c, time_col);
        }
    }
    r
}

fn apply_conjunct(r: &mut TimeRange, e: &Expr, time_col: &Field) {
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (op, v) = if is_time_col(left, time_col) {
                match literal(right) {
                    Some(v) => (*op, v),
                    None => return,
                }
            } else if is_time_col(right, time_col) {
                match (literal(left), op.swap()) {
                    (Some(v), Some(op)) => (op, v),
                    _ => return,
                }
            } else {
                return;
            };
            match op {
                Operator::Eq => {
                    r.narrow_lo(v);
                    r.narrow_hi(v);
                }
                Operator::Gt | Operator::GtEq => r.narrow_lo(v),
                Operator::Lt | Operator::LtEq => r.narrow_hi(v),
                _ => {}
            }
        }
        Expr::Between(Between {
            expr,
            negated: false,
            low,
            high,
        }) if is_time_col(expr, time_col) => {
            if let Some(v) = literal(low) {
                r.narrow_lo(v);
            }
            if let Some(v) = literal(high) {
                r.narrow_hi(v);
            }
        }
        _ => {}
    }
}

pub(crate) fn partition_key(t: Option<i64>, width_micros: i64) -> PartitionKey {
    t.map(|t| t.div_euclid(width_micros.max(1)))
}

/// Sorts `batch` by the time column (nulls last) and splits it per partition.
/// Returns (key, batch, min micros, max micros) per non-empty partition.
pub(crate) fn split_by_partition(
    batch: &RecordBatch,
    time_idx: Option<usize>,
    width_micros: i64,
) -> Result<Vec<Part>, StorageError> {
    let Some(idx) = time_idx else {
        return Ok(vec![Part {
            key: None,
            batch: batch.clone(),
            range: None,
        }]);
    };
    let col = batch.column(idx);
    let order = sort_to_indices(
        col,
        Some(SortOptions {
            descending: false,
            nulls_first: false,
        }),
        None,
    )?;
    let sorted = take_record_batch(batch, &order)?;
    let times = micros(sorted.column(idx))?;
    let mut groups: BTreeMap<PartitionKey, (Vec<u32>, MinMax)> = BTreeMap::new();
    for (row, t) in times.iter().enumerate() {
        let row = u32::try_from(row)
            .map_err(|_| StorageError::SchemaMismatch("batch too large".into()))?;
        let g = groups.entry(partition_key(*t, width_micros)).or_default();
        g.0.push(row);
        if let Some(t) = t {
            g.1 = Some(g.1.map_or((*t, *t), |(lo, hi)| (lo.min(*t), hi.max(*t))));
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for (key, (rows, range)) in groups {
        let part = if rows.len() == sorted.num_rows() {
            sorted.clone()
        } else {
            take_record_batch(&sorted, &UInt32Array::from(rows))?
        };
        out.push(Part {
            key,
            batch: part,
            range,
        });
    }
    Ok(out)
}
