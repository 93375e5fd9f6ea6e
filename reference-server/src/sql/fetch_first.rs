//! `FETCH { FIRST | NEXT } [n] { ROW | ROWS } ONLY` is the SQL-standard LIMIT: rewritten to
//! LIMIT (keeping any OFFSET), since DataFusion plans only the LIMIT form. `WITH TIES` is
//! left for DataFusion to refuse.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, LimitClause, Query, Statement, Value, VisitMut, VisitorMut,
};

pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut FetchToLimit);
}

struct FetchToLimit;

impl VisitorMut for FetchToLimit {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let Some(fetch) = query.fetch.as_ref().filter(|f| !f.with_ties && !f.percent) else {
            return ControlFlow::Continue(());
        };
        // `FETCH FIRST ROW ONLY` without a count means one row.
        let limit = fetch
            .quantity
            .clone()
            .unwrap_or_else(|| Expr::value(Value::Number("1".into(), false)));
        match &mut query.limit_clause {
            None => {
                query.limit_clause = Some(LimitClause::LimitOffset {
                    limit: Some(limit),
                    offset: None,
                    limit_by: Vec::new(),
                });
            }
            Some(LimitClause::LimitOffset {
                limit: l @ None, ..
            }) => *l = Some(limit),
            // LIMIT and FETCH together: PostgreSQL's syntax error, left to the planner.
            Some(_) => return ControlFlow::Continue(()),
        }
        query.fetch = None;
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fetch_first_becomes_limit() {
        let mut stmts = crate::sql::parse::parse(
            "SELECT a FROM t ORDER BY a OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY; SELECT 1 FETCH NEXT ROW ONLY",
        )
        .unwrap_or_default();
        for s in &mut stmts {
            super::rewrite(s);
        }
        let text: Vec<String> = stmts.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            text,
            vec![
                "SELECT a FROM t ORDER BY a LIMIT 3 OFFSET 2 ROWS",
                "SELECT 1 LIMIT 1"
            ]
        );
    }
}
