//! COPY in PostgreSQL's text, csv and binary formats: options, output, incremental input.

mod columns;
mod decoder;
mod fast;
mod options;
mod out;

pub use decoder::{CopyDecoder, CopyError};
pub use options::{CopyFormat, CopyOptions, ForceQuote};
pub use out::{copy_out_batch, copy_out_header, copy_out_rows, copy_out_trailer};

/// The 11-byte signature that opens a binary COPY stream.
pub(crate) const BINARY_SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";
