//! reference-server: a time-series SQL server that speaks the PostgreSQL wire protocol,
//! built on pgwire + DataFusion. Layers: protocol handlers → session → SQL → catalog → storage.

pub mod pgtypes;
pub mod storage;
