//! Arrow ⇄ PostgreSQL values: type mapping, text/binary encoding, COPY formats, parameters.
//!
//! One codec shared by query results, COPY and Bind parameters so that every path renders a
//! value exactly as PostgreSQL 15 would. Values travel as Arrow arrays; the PostgreSQL type a
//! column was declared with rides along in the Arrow field metadata under [`PG_TYPE_KEY`].

mod binary_in;
mod binary_out;
pub mod copy;
mod datetime;
mod datum;
mod error;
mod float;
mod interval_in;
pub mod jsonb;
mod mapping;
mod numeric;
mod params;
mod rows;
mod settings;
mod text_in;
mod text_out;

pub use binary_out::encode_binary;
pub use copy::{
    CopyDecoder, CopyError, CopyFormat, CopyOptions, ForceQuote, copy_out_batch, copy_out_header,
    copy_out_rows, copy_out_trailer,
};
pub use datetime::{MONTH_NAMES, date2j, j2date};
pub use error::PgTypeError;
pub use interval_in::parse_interval;
pub use mapping::{
    PG_DEFAULT_KEY, PG_TYPE_KEY, PgColumnType, UNCONSTRAINED_NUMERIC, array_type_of, arrow_to_pg,
    from_sql_type, is_serial_type, parse_type_name, pg_type_of, pg_type_to_arrow, typlen,
};
pub use numeric::{QUOTIENT, parse_numeric_text};
pub use params::{decode_param, decode_text};
pub use rows::encode_data_rows;
pub use settings::{FormatSettings, SessionTz};
pub use text_out::encode_text;
