//! SQL layer: parse (sqlparser's PostgreSQL dialect), classify, plan and run on DataFusion,
//! and map errors to SQLSTATEs.

pub mod catalog_rewrite;
pub mod classify;
pub mod copy;
pub mod copy_run;
pub mod error;
pub mod error_text;
pub mod execute;
pub mod functions;
pub mod insert_defaults;
pub mod parse;
pub mod pg_functions;
pub mod point_lookup;
pub mod returning;
pub mod rewrite;
pub mod typing;
pub mod upsert;

pub use classify::{Command, PlanKind};
pub use error::SqlError;
pub use execute::Outcome;
