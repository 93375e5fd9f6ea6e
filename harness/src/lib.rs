//! pgcompat: measures, case by case, how PostgreSQL-compatible a server is.
//!
//! The data's way: `suites/` (data) → loaders → cases → checks (one per report axis) that
//! drive a target (and optionally a real PostgreSQL oracle) through a [`session`] → case
//! results → [`report`].

pub mod bench;
pub mod checks;
pub mod cli;
pub mod postgres;
pub mod report;
pub mod session;
pub mod types;
pub mod wire;
