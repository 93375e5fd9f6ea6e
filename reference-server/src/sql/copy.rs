//! COPY statements: what to copy, in which direction, with which options. Options are
//! validated (and the formats encoded/decoded) by [`crate::pgtypes`], as PostgreSQL does.

use datafusion::sql::sqlparser::ast::{
    CopyLegacyOption, CopyOption, CopySource, CopyTarget, ObjectName, Query,
};

pub use crate::pgtypes::{CopyFormat, CopyOptions};

use super::SqlError;

/// What to copy, in which direction.
#[derive(Debug, Clone)]
pub enum CopySpec {
    From {
        table: ObjectName,
        columns: Vec<String>,
        options: CopyOptions,
    },
    To {
        source: CopyOut,
        options: CopyOptions,
    },
}

#[derive(Debug, Clone)]
pub enum CopyOut {
    Table {
        table: ObjectName,
        columns: Vec<String>,
    },
    Query(Box<Query>),
}

impl CopySpec {
    pub fn new(
        source: &CopySource,
        to: bool,
        target: &CopyTarget,
        options: &[CopyOption],
        legacy: &[CopyLegacyOption],
    ) -> Result<Self, SqlError> {
        let options =
            CopyOptions::from_sqlparser(options, legacy).map_err(crate::sql::SqlError::from)?;
        match (to, target) {
            (false, CopyTarget::Stdin) => match source {
                CopySource::Table {
                    table_name,
                    columns,
                } => Ok(Self::From {
                    table: table_name.clone(),
                    columns: columns.iter().map(|c| c.value.clone()).collect(),
                    options,
                }),
                CopySource::Query(_) => Err(SqlError::syntax("COPY FROM does not accept a query")),
            },
            (true, CopyTarget::Stdout) => Ok(Self::To {
                source: match source {
                    CopySource::Table {
                        table_name,
                        columns,
                    } => CopyOut::Table {
                        table: table_name.clone(),
                        columns: columns.iter().map(|c| c.value.clone()).collect(),
                    },
                    CopySource::Query(q) => CopyOut::Query(q.clone()),
                },
                options,
            }),
            _ => Err(SqlError::new(
                "42501",
                "COPY to or from a file or program is not allowed; use STDIN/STDOUT",
            )),
        }
    }
}
