//! What depends on what: views read tables and other views, so DROP TABLE / DROP VIEW /
//! ALTER TABLE ... DROP COLUMN of something a view uses fails with PostgreSQL's 2BP01
//! (listing the dependents) unless CASCADE, which drops the dependent views first and says
//! so in a NOTICE.

use datafusion::sql::sqlparser::ast::{AlterTable, AlterTableOperation, ObjectName, Statement};
use pgwire::error::ErrorInfo;

use super::SqlError;
use crate::catalog::{ident, split_name};
use crate::session::Session;
use crate::storage::{Storage, ViewDef};

/// What is being dropped.
pub enum Target<'a> {
    Table(&'a str),
    View(&'a str),
    Column { table: &'a str, column: &'a str },
}

impl Target<'_> {
    fn describe(&self) -> String {
        match self {
            Target::Table(t) => format!("table {t}"),
            Target::View(v) => format!("view {v}"),
            Target::Column { table, column } => format!("column {column} of table {table}"),
        }
    }
}

/// A view that would go, and the line PostgreSQL's DETAIL gives it.
struct Dependent {
    view: String,
    line: String,
}

/// The views depending on `target`, directly or through other views, depth-first in
/// creation order (PostgreSQL's listing order).
fn dependents(views: &[ViewDef], target: &Target<'_>) -> Vec<Dependent> {
    let mut out: Vec<Dependent> = Vec::new();
    let direct = views.iter().filter(|v| {
        v.uses.iter().any(|u| match target {
            Target::Table(t) | Target::View(t) => u.relation == *t,
            Target::Column { table, column } => {
                u.relation == *table && u.columns.iter().any(|c| c == column)
            }
        })
    });
    for v in direct {
        push(
            views,
            v,
            format!("view {} depends on {}", v.name, target.describe()),
            &mut out,
        );
    }
    out
}

fn push(views: &[ViewDef], v: &ViewDef, line: String, out: &mut Vec<Dependent>) {
    if out.iter().any(|d| d.view == v.name) {
        return;
    }
    out.push(Dependent {
        view: v.name.clone(),
        line,
    });
    for w in views
        .iter()
        .filter(|w| w.uses.iter().any(|u| u.relation == v.name))
    {
        push(
            views,
            w,
            format!("view {} depends on view {}", w.name, v.name),
            out,
        );
    }
}

impl Session {
    /// Every view the session can name (temporary first).
    fn all_views(&self) -> Vec<ViewDef> {
        let mut all = self.temp_storage().map(|t| t.views()).unwrap_or_default();
        all.extend(self.shared.catalog.storage.views());
        all
    }

    /// Checks (or with `cascade` drops) the views depending on `target`. Dropping `target`
    /// itself is the caller's.
    pub(super) fn drop_dependents(
        &self,
        target: &Target<'_>,
        cascade: bool,
    ) -> Result<(), SqlError> {
        let deps = dependents(&self.all_views(), target);
        if deps.is_empty() {
            return Ok(());
        }
        if !cascade {
            let lines: Vec<&str> = deps.iter().map(|d| d.line.as_str()).collect();
            return Err(SqlError::new(
                "2BP01",
                format!(
                    "cannot drop {} because other objects depend on it",
                    target.describe()
                ),
            )
            .with_detail(lines.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        let temp = self.temp_storage()?;
        let stores: [&Storage; 2] = [temp.as_ref(), self.shared.catalog.storage.as_ref()];
        for d in deps.iter().rev() {
            for s in stores {
                if s.drop_view(&d.view)? {
                    break;
                }
            }
        }
        let lines: Vec<String> = deps
            .iter()
            .map(|d| format!("drop cascades to view {}", d.view))
            .collect();
        let mut info = if let [one] = lines.as_slice() {
            ErrorInfo::new("NOTICE".into(), "00000".into(), one.clone())
        } else {
            let mut info = ErrorInfo::new(
                "NOTICE".into(),
                "00000".into(),
                format!("drop cascades to {} other objects", lines.len()),
            );
            info.detail = Some(lines.join("\n"));
            info
        };
        info.severity_nonlocalized = Some("NOTICE".into());
        self.notice(info);
        self.shared.catalog.bump();
        Ok(())
    }

    /// DROP TABLE of tables views read: 2BP01, or with CASCADE the views go first.
    pub(super) fn drop_table_dependents(
        &self,
        names: &[ObjectName],
        cascade: bool,
    ) -> Result<(), SqlError> {
        for n in names {
            let table = split_name(n).1;
            self.drop_dependents(&Target::Table(&table), cascade)?;
        }
        Ok(())
    }

    /// ALTER TABLE ... DROP COLUMN of a column a view uses.
    pub(super) fn drop_column_dependents(&self, stmt: &Statement) -> Result<(), SqlError> {
        let Statement::AlterTable(AlterTable {
            name, operations, ..
        }) = stmt
        else {
            return Ok(());
        };
        let table = split_name(name).1;
        for op in operations {
            if let AlterTableOperation::DropColumn {
                column_names,
                drop_behavior,
                ..
            } = op
            {
                let cascade = matches!(
                    drop_behavior,
                    Some(datafusion::sql::sqlparser::ast::DropBehavior::Cascade)
                );
                for c in column_names {
                    let column = ident(c);
                    self.drop_dependents(
                        &Target::Column {
                            table: &table,
                            column: &column,
                        },
                        cascade,
                    )?;
                }
            }
        }
        Ok(())
    }
}
