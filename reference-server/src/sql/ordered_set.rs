//! The ordered-set aggregates DataFusion lacks, `mode() WITHIN GROUP (ORDER BY x)` and
//! `percentile_disc(f) WITHIN GROUP (ORDER BY x)`, as PostgreSQL defines them: the most
//! frequent value (the first in sort order among ties), and the first sorted value whose
//! position reaches `ceil(f * n)` (position 1 at least). NULLs are ignored.

use std::cmp::Ordering;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, TypeSignature, Volatility,
};

use super::pg_udf::sql_err;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Mode,
    PercentileDisc,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct OrderedSet {
    kind: Kind,
    signature: Signature,
}

/// `mode` and `percentile_disc`.
pub fn udafs() -> [AggregateUDF; 2] {
    [Kind::Mode, Kind::PercentileDisc].map(|kind| {
        AggregateUDF::new_from_impl(OrderedSet {
            kind,
            signature: Signature::new(TypeSignature::UserDefined, Volatility::Immutable),
        })
    })
}

impl AggregateUDFImpl for OrderedSet {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Mode => "mode",
            Kind::PercentileDisc => "percentile_disc",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> DfResult<Vec<DataType>> {
        match (self.kind, args) {
            (Kind::Mode, [v]) => Ok(vec![v.clone()]),
            (Kind::PercentileDisc, [v, _]) => Ok(vec![v.clone(), DataType::Float64]),
            _ => Err(sql_err(
                "42883",
                format!(
                    "function {}() needs WITHIN GROUP (ORDER BY one expression)",
                    self.name()
                ),
            )),
        }
    }

    fn return_type(&self, args: &[DataType]) -> DfResult<DataType> {
        Ok(args.first().cloned().unwrap_or(DataType::Null))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DfResult<Vec<FieldRef>> {
        let input = args
            .input_fields
            .first()
            .map(|f| f.data_type().clone())
            .unwrap_or(DataType::Null);
        Ok(vec![
            Arc::new(Field::new(
                format!("{}[values]", args.name),
                DataType::List(Arc::new(Field::new_list_field(input, true))),
                true,
            )),
            Arc::new(Field::new(
                format!("{}[fraction]", args.name),
                DataType::Float64,
                true,
            )),
        ])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        let descending = args.order_bys.first().is_some_and(|s| s.options.descending);
        Ok(Box::new(OrderedSetAcc {
            kind: self.kind,
            descending,
            data_type: args.return_field.data_type().clone(),
            values: Vec::new(),
            fraction: None,
        }))
    }

    fn supports_within_group_clause(&self) -> bool {
        true
    }
}

#[derive(Debug)]
struct OrderedSetAcc {
    kind: Kind,
    descending: bool,
    data_type: DataType,
    values: Vec<ScalarValue>,
    fraction: Option<f64>,
}

impl OrderedSetAcc {
    fn take(&mut self, array: &ArrayRef) -> DfResult<()> {
        for i in 0..array.len() {
            if array.is_valid(i) {
                self.values.push(ScalarValue::try_from_array(array, i)?);
            }
        }
        Ok(())
    }

    fn set_fraction(&mut self, array: &ArrayRef) -> DfResult<()> {
        if self.fraction.is_some() {
            return Ok(());
        }
        let Some(f) = array.as_primitive_opt::<datafusion::arrow::datatypes::Float64Type>() else {
            return Ok(());
        };
        if let Some(v) = f.iter().flatten().next() {
            if !(0.0..=1.0).contains(&v) {
                return Err(sql_err(
                    "22003",
                    format!("percentile value {v} is not between 0 and 1"),
                ));
            }
            self.fraction = Some(v);
        }
        Ok(())
    }
}

impl Accumulator for OrderedSetAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        if let Some(v) = values.first() {
            self.take(v)?;
        }
        if let Some(f) = values.get(1) {
            self.set_fraction(f)?;
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        if let Some(lists) = states.first() {
            let lists = lists.as_list::<i32>();
            for i in 0..lists.len() {
                if lists.is_valid(i) {
                    self.take(&lists.value(i))?;
                }
            }
        }
        if let Some(f) = states.get(1) {
            self.set_fraction(f)?;
        }
        Ok(())
    }

    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        let list = ScalarValue::new_list_nullable(&self.values, &self.data_type);
        Ok(vec![
            ScalarValue::List(list),
            ScalarValue::Float64(self.fraction),
        ])
    }

    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        let descending = self.descending;
        let mut sorted = self.values.clone();
        sorted.sort_by(|a, b| {
            let o = a.partial_cmp(b).unwrap_or(Ordering::Equal);
            if descending { o.reverse() } else { o }
        });
        let picked = match self.kind {
            Kind::Mode => {
                let mut best: Option<(&ScalarValue, usize)> = None;
                let mut i = 0;
                while let Some(v) = sorted.get(i) {
                    let run = sorted[i..].iter().take_while(|x| *x == v).count();
                    if best.is_none_or(|(_, n)| run > n) {
                        best = Some((v, run));
                    }
                    i += run.max(1);
                }
                best.map(|(v, _)| v.clone())
            }
            Kind::PercentileDisc => {
                let n = sorted.len();
                let f = self.fraction.unwrap_or(0.0);
                let pos = (f * n as f64).ceil() as usize;
                sorted.get(pos.max(1) - 1).cloned()
            }
        };
        match picked {
            Some(v) => Ok(v),
            None => ScalarValue::try_from(&self.data_type),
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.values.iter().map(ScalarValue::size).sum::<usize>()
    }
}
