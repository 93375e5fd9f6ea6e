//! SQL layer: parse (sqlparser's PostgreSQL dialect), classify, plan and run on DataFusion,
//! and map errors to SQLSTATEs.

pub mod catalog_rewrite;
pub mod classify;
pub mod copy;
pub mod copy_run;
pub mod datetime_fns;
pub mod do_block;
pub mod error;
pub mod error_text;
pub mod execute;
pub mod extract;
pub mod fetch_first;
pub mod functions;
pub mod insert_defaults;
pub mod insert_values;
pub mod interval_fns;
pub mod isfinite;
pub mod listen;
pub mod literals;
pub mod ordered_set;
pub mod parse;
pub mod pg_functions;
pub mod plpgsql;
pub mod point_lookup;
pub mod returning;
pub mod rewrite;
pub mod typing;
pub mod upsert;

pub use classify::{Command, PlanKind};
pub use error::SqlError;
pub use execute::Outcome;
