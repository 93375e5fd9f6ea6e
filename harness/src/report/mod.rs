//! The report model (report.json, versioned) and its renderers, baseline gate, expected failures.
//!
//! Checks produce [`CaseResult`]s; the runner pushes them into a [`Report`], applies the
//! reviewed [`ExpectedFailures`] list, writes every rendering with [`write_all`] and gates CI
//! with [`compare`] against a stored baseline report.

mod baseline;
mod error;
mod expected;
mod html;
mod json;
mod junit;
mod markdown;
mod model;
mod table;
mod text;
mod write;

pub use baseline::{Change, Comparison, compare};
pub use error::ReportError;
pub use expected::ExpectedFailures;
pub use html::to_html;
pub use json::{SCHEMA_VERSION, to_json};
pub use junit::to_junit;
pub use markdown::to_markdown;
pub use model::{CaseResult, Category, CategorySummary, GroupSummary, Report, Status, Summary};
pub use table::summary_table;
pub use write::write_all;

#[cfg(test)]
mod fixture;
