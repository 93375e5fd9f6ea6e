//! `pg_description`: the comments PostgreSQL 15 ships on its schemas. pg_dump compares the
//! public schema's with the default and writes `COMMENT ON SCHEMA public IS ''` when it is
//! missing. (The server has no COMMENT ON for user objects.)

use super::table::{Row, Val};

/// `pg_namespace`'s own OID (the classoid of a schema's comment).
const PG_NAMESPACE_OID: i64 = 2615;

pub fn rows() -> Vec<Row> {
    [
        (11, "system catalog schema"),
        (99, "reserved schema for TOAST tables"),
        (2200, "standard public schema"),
    ]
    .into_iter()
    .map(|(objoid, text)| {
        vec![
            ("objoid", Val::Int(objoid)),
            ("classoid", Val::Int(PG_NAMESPACE_OID)),
            ("objsubid", Val::Int(0)),
            ("description", Val::from(text)),
        ]
    })
    .collect()
}
