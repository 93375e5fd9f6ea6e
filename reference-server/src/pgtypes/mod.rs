//! Arrow ⇄ PostgreSQL values: type mapping, text/binary encoding, COPY formats, parameters.
