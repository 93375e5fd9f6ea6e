//! Checks: each turns cases of one report axis into case results; none prints.

pub mod flow;
pub mod sql;
