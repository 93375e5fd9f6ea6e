//! `pg_init_privs`: the privileges built-in objects had at initdb. pg_dump writes GRANTs
//! for an object in `pg_catalog` only where its ACL differs from these, so without them
//! every system relation's ACL would be dumped.

use super::oids::{INFORMATION_SCHEMA_NS, PG_CATALOG_NS, PUBLIC_NS, SYSTEM_RELATIONS};
use super::table::{Row, Val};

const PG_CLASS_OID: i64 = 1259;
const PG_NAMESPACE_OID: i64 = 2615;

/// The ACL of every built-in relation (`relacl`): readable by everyone.
pub fn system_relation_acl() -> Vec<String> {
    vec!["postgres=arwdDxt/postgres".into(), "=r/postgres".into()]
}

/// The ACL of a built-in schema (`nspacl`) as initdb leaves it.
pub fn schema_acl(oid: i64) -> Vec<String> {
    if oid == PUBLIC_NS {
        vec![
            "pg_database_owner=UC/pg_database_owner".into(),
            "=U/pg_database_owner".into(),
        ]
    } else {
        vec!["postgres=UC/postgres".into(), "=U/postgres".into()]
    }
}

pub fn rows() -> Vec<Row> {
    let row = |objoid: i64, classoid: i64, acl: Vec<String>| {
        vec![
            ("objoid", Val::Int(objoid)),
            ("classoid", Val::Int(classoid)),
            ("objsubid", Val::Int(0)),
            ("privtype", "i".into()),
            ("initprivs", Val::TextArr(acl)),
        ]
    };
    let schemas = [PG_CATALOG_NS, PUBLIC_NS, INFORMATION_SCHEMA_NS]
        .into_iter()
        .map(|oid| row(oid, PG_NAMESPACE_OID, schema_acl(oid)));
    let relations = SYSTEM_RELATIONS
        .iter()
        .map(|(_, _, oid, ..)| row(*oid, PG_CLASS_OID, system_relation_acl()));
    schemas.chain(relations).collect()
}
