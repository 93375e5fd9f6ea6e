//! SQL layer: parse (sqlparser's PostgreSQL dialect), classify, plan and run on DataFusion,
//! and map errors to SQLSTATEs.

pub mod at_time_zone;
pub mod catalog_rewrite;
pub mod classify;
pub mod copy;
pub mod copy_run;
pub mod cursor;
pub mod datetime_fns;
pub mod do_block;
pub mod error;
pub mod error_text;
pub mod execute;
pub mod extract;
pub mod fetch_first;
mod fetch_syntax;
pub mod functions;
pub mod insert_defaults;
pub mod insert_values;
pub mod interval_fns;
pub mod interval_ops;
pub mod isfinite;
pub mod json_fns;
pub mod listen;
pub mod literals;
pub mod ordered_set;
pub mod parse;
pub mod pg_casts;
pub mod pg_functions;
pub mod pg_math;
pub mod pg_operators;
pub mod pg_result_types;
pub mod pg_strings;
pub mod pg_udf;
pub mod plpgsql;
pub mod point_lookup;
pub mod point_text;
pub mod recursive_cte;
pub mod returning;
pub mod rewrite;
mod subplan;
pub mod to_char;
pub mod typing;
pub mod upsert;

pub use classify::{Command, PlanKind};
pub use error::SqlError;
pub use execute::Outcome;
