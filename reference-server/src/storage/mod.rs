//! Durable time-series storage: WAL → memtable → time-partitioned Parquet.
