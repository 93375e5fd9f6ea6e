//! DELETE and UPDATE: flush the memtable, then rewrite only the segments holding matching rows
//! (segments whose time range cannot match are not even read) and commit the new segment list
//! with one manifest swap, so after a crash either the whole statement happened or none of it.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, RecordBatch};
use datafusion::arrow::compute::{
    CastOptions, cast_with_options, filter_record_batch, not, prep_null_mask_filter,
};
use datafusion::arrow::util::display::FormatOptions;
use datafusion::catalog::Session;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DFSchema};
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::PhysicalExpr;

use super::StorageError;
use super::segment::Segment;
use super::table::Table;

/// Column references without table qualifiers, so expressions planned against `t` or
/// `schema.t` resolve against the table's own schema.
pub(crate) fn unqualify(e: &Expr) -> Expr {
    e.clone()
        .transform(|e| match e {
            Expr::Column(c) if c.relation.is_some() => Ok(Transformed::yes(Expr::Column(
                Column::new_unqualified(c.name),
            ))),
            other => Ok(Transformed::no(other)),
        })
        .map(|t| t.data)
        .unwrap_or_else(|_| e.clone())
}

/// An UPDATE/DELETE with its expressions planned against the table schema.
pub(crate) struct Prepared {
    predicate: Option<Arc<dyn PhysicalExpr>>,
    assignments: Vec<(usize, Arc<dyn PhysicalExpr>)>,
}

impl Table {
    /// `DELETE FROM t [WHERE predicate]`; returns the number of rows deleted.
    pub async fn delete(
        &self,
        ctx: &SessionContext,
        predicate: Option<Expr>,
    ) -> Result<u64, StorageError> {
        self.delete_in(&ctx.state(), predicate).await
    }

    /// `UPDATE t SET col = expr, ... [WHERE predicate]`; returns the number of rows updated.
    pub async fn update(
        &self,
        ctx: &SessionContext,
        assignments: Vec<(String, Expr)>,
        predicate: Option<Expr>,
    ) -> Result<u64, StorageError> {
        self.update_in(&ctx.state(), assignments, predicate).await
    }

    pub async fn delete_in(
        &self,
        state: &dyn Session,
        predicate: Option<Expr>,
    ) -> Result<u64, StorageError> {
        let prepared = self.prepare(state, &[], predicate.as_ref())?;
        self.rewrite(prepared, predicate, false).await
    }

    pub async fn update_in(
        &self,
        state: &dyn Session,
        assignments: Vec<(String, Expr)>,
        predicate: Option<Expr>,
    ) -> Result<u64, StorageError> {
        let prepared = self.prepare(state, &assignments, predicate.as_ref())?;
        self.rewrite(prepared, predicate, true).await
    }

    pub(crate) fn prepare(
        &self,
        state: &dyn Session,
        assignments: &[(String, Expr)],
        predicate: Option<&Expr>,
    ) -> Result<Prepared, StorageError> {
        let df_schema = DFSchema::try_from(self.def.schema.as_ref().clone())?;
        let predicate = predicate
            .map(|p| state.create_physical_expr(unqualify(p), &df_schema))
            .transpose()?;
        let mut prepared = Vec::with_capacity(assignments.len());
        for (name, expr) in assignments {
            let (idx, _) = self.def.schema.column_with_name(name).ok_or_else(|| {
                StorageError::SchemaMismatch(format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    self.def.name
                ))
            })?;
            prepared.push((
                idx,
                state.create_physical_expr(unqualify(expr), &df_schema)?,
            ));
        }
        Ok(Prepared {
            predicate,
            assignments: prepared,
        })
    }

    async fn rewrite(
        &self,
        p: Prepared,
        predicate: Option<Expr>,
        update: bool,
    ) -> Result<u64, StorageError> {
        self.check_usable()?;
        let _ops = self.ops.lock().await;
        self.flush_locked().await?;
        let (segments, flushed, mut next_id) = {
            let st = self.lock_state()?;
            (st.segments.clone(), st.flushed_lsn, st.next_segment_id)
        };
        let range = self.filter_range(predicate.as_slice());
        let candidates: Vec<Arc<Segment>> =
            self.prune(&segments, &range).into_iter().cloned().collect();
        let mut touched: Vec<u64> = Vec::new();
        let mut outputs: Vec<RecordBatch> = Vec::new();
        // Rows leaving and entering the table, for its unique-key index.
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        let mut affected = 0u64;
        for seg in &candidates {
            let batches = seg.read(&self.def.schema).await?;
            let mut seg_out = Vec::with_capacity(batches.len());
            let mut seg_hits = 0usize;
            for b in &batches {
                let mask = self.matches(&p, b)?;
                let hits = mask.true_count();
                if hits == 0 {
                    seg_out.push(b.clone());
                    continue;
                }
                seg_hits += hits;
                let keep = filter_record_batch(b, &not(&mask)?)?;
                seg_out.push(keep);
                let changed = filter_record_batch(b, &mask)?;
                if update {
                    let new = self.apply_assignments(&p, &changed)?;
                    seg_out.push(new.clone());
                    added.push(new);
                }
                removed.push(changed);
            }
            if seg_hits > 0 {
                affected += seg_hits as u64;
                touched.push(seg.meta.id);
                outputs.extend(seg_out.into_iter().filter(|b| b.num_rows() > 0));
            }
        }
        if touched.is_empty() {
            return Ok(0);
        }
        self.change_keys(&removed, &added).await?;
        let new = match self.write_segments(outputs, &mut next_id).await {
            Ok(new) => new,
            Err(e) => {
                self.reset_keys().await;
                return Err(e);
            }
        };
        let mut list: Vec<Arc<Segment>> = segments
            .into_iter()
            .filter(|s| !touched.contains(&s.meta.id))
            .collect();
        list.extend(new);
        self.commit(list, flushed, next_id, 0).await?;
        Ok(affected)
    }

    /// Rows of `b` matching the predicate (NULL counts as not matching).
    pub(crate) fn matches(
        &self,
        p: &Prepared,
        b: &RecordBatch,
    ) -> Result<BooleanArray, StorageError> {
        let Some(pred) = &p.predicate else {
            return Ok(BooleanArray::from(vec![true; b.num_rows()]));
        };
        let value = pred.evaluate(b)?.into_array(b.num_rows())?;
        let mask = value
            .as_any()
            .downcast_ref::<BooleanArray>()
            .ok_or_else(|| {
                StorageError::SchemaMismatch(format!(
                    "WHERE condition must be boolean, not {}",
                    value.data_type()
                ))
            })?;
        Ok(if mask.null_count() > 0 {
            prep_null_mask_filter(mask)
        } else {
            mask.clone()
        })
    }

    pub(crate) fn apply_assignments(
        &self,
        p: &Prepared,
        changed: &RecordBatch,
    ) -> Result<RecordBatch, StorageError> {
        let mut cols: Vec<ArrayRef> = changed.columns().to_vec();
        let opts = CastOptions {
            safe: false,
            format_options: FormatOptions::default(),
        };
        for (idx, expr) in &p.assignments {
            let v = expr.evaluate(changed)?.into_array(changed.num_rows())?;
            let field = self.def.schema.field(*idx);
            let v = if v.data_type() == field.data_type() {
                v
            } else {
                cast_with_options(&v, field.data_type(), &opts).map_err(|e| {
                    StorageError::SchemaMismatch(format!(
                        "column \"{}\" is of type {} but expression is of type {}: {e}",
                        field.name(),
                        field.data_type(),
                        v.data_type()
                    ))
                })?
            };
            if let Some(slot) = cols.get_mut(*idx) {
                *slot = v;
            }
        }
        // Built with all columns nullable; `conform` then reports NOT NULL violations by name.
        let loose = Arc::new(nullable(&self.def.schema));
        self.conform(RecordBatch::try_new(loose, cols)?)
    }
}

fn nullable(schema: &datafusion::arrow::datatypes::Schema) -> datafusion::arrow::datatypes::Schema {
    let fields: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    datafusion::arrow::datatypes::Schema::new(fields)
}
