//! The report model (report.json, versioned) and its renderers, baseline gate, expected failures.

mod error;
mod json;
mod model;

pub use error::ReportError;
pub use json::{SCHEMA_VERSION, to_json};
pub use model::{CaseResult, Category, CategorySummary, GroupSummary, Report, Status, Summary};

#[cfg(test)]
mod fixture;
