//! `pg_type`: PostgreSQL's built-in types plus the row types of user tables, and
//! `format_type`, PostgreSQL's SQL spelling of a type with its modifier.

use super::oids::PG_CATALOG_NS;
use super::table::{Col, Row, Val};
use super::{Sys, relations};

/// One built-in `pg_type` row (the columns that differ between types).
#[derive(Debug)]
pub struct BuiltinType {
    pub oid: i64,
    pub name: &'static str,
    pub len: i64,
    pub byval: bool,
    pub typtype: char,
    pub category: char,
    pub preferred: bool,
    pub elem: i64,
    pub array: i64,
    pub input: &'static str,
    pub output: &'static str,
    pub receive: &'static str,
    pub send: &'static str,
    pub modin: &'static str,
    pub modout: &'static str,
    pub align: char,
    pub storage: char,
    pub collation: i64,
    pub subscript: &'static str,
}

/// The built-in type with this OID.
pub fn builtin(oid: i64) -> Option<&'static BuiltinType> {
    BUILTIN_TYPES.iter().find(|t| t.oid == oid)
}

/// The built-in type with this `typname`.
pub fn builtin_by_name(name: &str) -> Option<&'static BuiltinType> {
    BUILTIN_TYPES.iter().find(|t| t.name == name)
}

/// The `pg_type` OID of a catalog column kind.
pub fn col_type_oid(col: Col) -> i64 {
    match col {
        Col::Oid => 26,
        Col::Bool => 16,
        Col::Text => 25,
        Col::Varchar => 1043,
        Col::Name => 19,
        Col::Char => 18,
        Col::I16 => 21,
        Col::I32 => 23,
        Col::I64 => 20,
        Col::F32 => 700,
        Col::F64 => 701,
        Col::Bytes => 17,
        Col::Tstz => 1184,
        Col::TextArr => 1009,
        Col::OidArr => 1028,
        Col::I16Arr => 1005,
        Col::I16Vec => 22,
        Col::OidVec => 30,
    }
}

/// `pg_type`'s rows.
pub fn rows(sys: &Sys) -> Vec<Row> {
    let mut rows: Vec<Row> = BUILTIN_TYPES.iter().map(builtin_row).collect();
    for t in relations(sys) {
        let oids = t.oids;
        let composite = vec![
            ("oid", Val::Int(oids.rowtype)),
            ("typname", Val::from(t.name())),
            ("typtype", "c".into()),
            ("typcategory", "C".into()),
            ("typrelid", Val::Int(oids.rel)),
            ("typarray", Val::Int(oids.array_type)),
            ("typinput", "record_in".into()),
            ("typoutput", "record_out".into()),
            ("typreceive", "record_recv".into()),
            ("typsend", "record_send".into()),
            ("typalign", "d".into()),
            ("typstorage", "x".into()),
        ];
        let array = vec![
            ("oid", Val::Int(oids.array_type)),
            ("typname", Val::from(format!("_{}", t.name()))),
            ("typtype", "b".into()),
            ("typcategory", "A".into()),
            ("typelem", Val::Int(oids.rowtype)),
            ("typsubscript", "array_subscript_handler".into()),
            ("typinput", "array_in".into()),
            ("typoutput", "array_out".into()),
            ("typreceive", "array_recv".into()),
            ("typsend", "array_send".into()),
            ("typanalyze", "array_typanalyze".into()),
            ("typalign", "d".into()),
            ("typstorage", "x".into()),
        ];
        for mut r in [composite, array] {
            r.extend(common(t.nsp(), -1));
            rows.push(r);
        }
    }
    rows
}

fn common(namespace: i64, len: i64) -> Row {
    vec![
        ("typnamespace", Val::Int(namespace)),
        ("typowner", Val::Int(super::oids::BOOTSTRAP_ROLE)),
        ("typlen", Val::Int(len)),
        ("typisdefined", true.into()),
        ("typdelim", ",".into()),
        ("typtypmod", Val::Int(-1)),
        ("typmodin", "-".into()),
        ("typmodout", "-".into()),
        ("typanalyze", "-".into()),
        ("typsubscript", "-".into()),
    ]
}

fn builtin_row(t: &BuiltinType) -> Row {
    let analyze = if t.category == 'A' {
        "array_typanalyze"
    } else {
        "-"
    };
    let mut r = vec![
        ("oid", Val::Int(t.oid)),
        ("typname", t.name.into()),
        ("typbyval", t.byval.into()),
        ("typtype", Val::from(t.typtype.to_string())),
        ("typcategory", Val::from(t.category.to_string())),
        ("typispreferred", t.preferred.into()),
        ("typelem", Val::Int(t.elem)),
        ("typarray", Val::Int(t.array)),
        ("typinput", t.input.into()),
        ("typoutput", t.output.into()),
        ("typreceive", t.receive.into()),
        ("typsend", t.send.into()),
        ("typalign", Val::from(t.align.to_string())),
        ("typstorage", Val::from(t.storage.to_string())),
        ("typcollation", Val::Int(t.collation)),
    ];
    // Later entries win when a row is read by name, so the generic ones go first.
    let mut row = common(PG_CATALOG_NS, t.len);
    row.retain(|(k, _)| !matches!(*k, "typmodin" | "typmodout" | "typanalyze" | "typsubscript"));
    row.append(&mut r);
    row.push(("typmodin", t.modin.into()));
    row.push(("typmodout", t.modout.into()));
    row.push(("typanalyze", analyze.into()));
    row.push(("typsubscript", t.subscript.into()));
    row
}

/// PostgreSQL's `format_type(oid, typmod)`; `typmod` is `None` for SQL NULL.
pub fn format_type(sys: Option<&Sys>, oid: i64, typmod: Option<i64>) -> String {
    let given = typmod.is_some();
    let m = typmod.unwrap_or(-1);
    let with_mod = given && m >= 0;
    let Some(t) = builtin(oid) else {
        if let Some(sys) = sys
            && let Some(t) = relations(sys)
                .into_iter()
                .find(|t| t.oids.rowtype == oid || t.oids.array_type == oid)
        {
            let base = quote_ident(t.name());
            return if t.oids.array_type == oid {
                format!("{base}[]")
            } else {
                base
            };
        }
        return "???".to_owned();
    };
    if t.category == 'A' && t.elem != 0 && t.len == -1 {
        return format!("{}[]", format_type(sys, t.elem, typmod));
    }
    let precision = |base: &str, suffix: &str| {
        if with_mod {
            format!("{base}({m}){suffix}")
        } else {
            format!("{base}{suffix}")
        }
    };
    match t.name {
        "bool" => "boolean".into(),
        "bpchar" if with_mod => format!("character({})", m - 4),
        "bpchar" if given => "bpchar".into(),
        "bpchar" => "character".into(),
        "varchar" if with_mod => format!("character varying({})", m - 4),
        "varchar" => "character varying".into(),
        "bit" if with_mod => format!("bit({m})"),
        "bit" => "bit".into(),
        "varbit" if with_mod => format!("bit varying({m})"),
        "varbit" => "bit varying".into(),
        "char" => "\"char\"".into(),
        "float4" => "real".into(),
        "float8" => "double precision".into(),
        "int2" => "smallint".into(),
        "int4" => "integer".into(),
        "int8" => "bigint".into(),
        "numeric" if with_mod => {
            let t = m - 4;
            let scale = ((t & 0x7ff) ^ 1024) - 1024;
            format!("numeric({},{scale})", (t >> 16) & 0xffff)
        }
        "time" => precision("time", " without time zone"),
        "timetz" => precision("time", " with time zone"),
        "timestamp" => precision("timestamp", " without time zone"),
        "timestamptz" => precision("timestamp", " with time zone"),
        "interval" => "interval".into(),
        name => name.into(),
    }
}

/// PostgreSQL's `quote_ident`: quotes unless the name is a lower-case plain identifier.
pub fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !crate::sql::parse::is_reserved_keyword(name);
    if plain {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// PostgreSQL 15's built-in types the server knows, as in its `pg_type` (generated from a real
/// PostgreSQL 15): (oid, typname, typlen, typbyval, typtype, typcategory, typispreferred,
/// typelem, typarray, typinput, typoutput, typreceive, typsend, typmodin, typmodout,
/// typalign, typstorage, typcollation, typsubscript).
#[rustfmt::skip]
pub(super) const BUILTIN_TYPES: &[BuiltinType] = &[
    BuiltinType { oid: 16, name: "bool", len: 1, byval: true, typtype: 'b', category: 'B', preferred: true, elem: 0, array: 1000, input: "boolin", output: "boolout", receive: "boolrecv", send: "boolsend", modin: "-", modout: "-", align: 'c', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 17, name: "bytea", len: -1, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 1001, input: "byteain", output: "byteaout", receive: "bytearecv", send: "byteasend", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "-" },
    BuiltinType { oid: 18, name: "char", len: 1, byval: true, typtype: 'b', category: 'Z', preferred: false, elem: 0, array: 1002, input: "charin", output: "charout", receive: "charrecv", send: "charsend", modin: "-", modout: "-", align: 'c', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 19, name: "name", len: 64, byval: false, typtype: 'b', category: 'S', preferred: false, elem: 18, array: 1003, input: "namein", output: "nameout", receive: "namerecv", send: "namesend", modin: "-", modout: "-", align: 'c', storage: 'p', collation: 950, subscript: "raw_array_subscript_handler" },
    BuiltinType { oid: 20, name: "int8", len: 8, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 1016, input: "int8in", output: "int8out", receive: "int8recv", send: "int8send", modin: "-", modout: "-", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 21, name: "int2", len: 2, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 1005, input: "int2in", output: "int2out", receive: "int2recv", send: "int2send", modin: "-", modout: "-", align: 's', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 22, name: "int2vector", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 21, array: 1006, input: "int2vectorin", output: "int2vectorout", receive: "int2vectorrecv", send: "int2vectorsend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 23, name: "int4", len: 4, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 1007, input: "int4in", output: "int4out", receive: "int4recv", send: "int4send", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 24, name: "regproc", len: 4, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 1008, input: "regprocin", output: "regprocout", receive: "regprocrecv", send: "regprocsend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 25, name: "text", len: -1, byval: false, typtype: 'b', category: 'S', preferred: true, elem: 0, array: 1009, input: "textin", output: "textout", receive: "textrecv", send: "textsend", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 100, subscript: "-" },
    BuiltinType { oid: 26, name: "oid", len: 4, byval: true, typtype: 'b', category: 'N', preferred: true, elem: 0, array: 1028, input: "oidin", output: "oidout", receive: "oidrecv", send: "oidsend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 27, name: "tid", len: 6, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 1010, input: "tidin", output: "tidout", receive: "tidrecv", send: "tidsend", modin: "-", modout: "-", align: 's', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 28, name: "xid", len: 4, byval: true, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 1011, input: "xidin", output: "xidout", receive: "xidrecv", send: "xidsend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 29, name: "cid", len: 4, byval: true, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 1012, input: "cidin", output: "cidout", receive: "cidrecv", send: "cidsend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 30, name: "oidvector", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 26, array: 1013, input: "oidvectorin", output: "oidvectorout", receive: "oidvectorrecv", send: "oidvectorsend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 114, name: "json", len: -1, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 199, input: "json_in", output: "json_out", receive: "json_recv", send: "json_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "-" },
    BuiltinType { oid: 142, name: "xml", len: -1, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 143, input: "xml_in", output: "xml_out", receive: "xml_recv", send: "xml_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "-" },
    BuiltinType { oid: 143, name: "_xml", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 142, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 194, name: "pg_node_tree", len: -1, byval: false, typtype: 'b', category: 'Z', preferred: false, elem: 0, array: 0, input: "pg_node_tree_in", output: "pg_node_tree_out", receive: "pg_node_tree_recv", send: "pg_node_tree_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 100, subscript: "-" },
    BuiltinType { oid: 199, name: "_json", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 114, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 600, name: "point", len: 16, byval: false, typtype: 'b', category: 'G', preferred: false, elem: 701, array: 1017, input: "point_in", output: "point_out", receive: "point_recv", send: "point_send", modin: "-", modout: "-", align: 'd', storage: 'p', collation: 0, subscript: "raw_array_subscript_handler" },
    BuiltinType { oid: 650, name: "cidr", len: -1, byval: false, typtype: 'b', category: 'I', preferred: false, elem: 0, array: 651, input: "cidr_in", output: "cidr_out", receive: "cidr_recv", send: "cidr_send", modin: "-", modout: "-", align: 'i', storage: 'm', collation: 0, subscript: "-" },
    BuiltinType { oid: 651, name: "_cidr", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 650, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 700, name: "float4", len: 4, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 1021, input: "float4in", output: "float4out", receive: "float4recv", send: "float4send", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 701, name: "float8", len: 8, byval: true, typtype: 'b', category: 'N', preferred: true, elem: 0, array: 1022, input: "float8in", output: "float8out", receive: "float8recv", send: "float8send", modin: "-", modout: "-", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 705, name: "unknown", len: -2, byval: false, typtype: 'p', category: 'X', preferred: false, elem: 0, array: 0, input: "unknownin", output: "unknownout", receive: "unknownrecv", send: "unknownsend", modin: "-", modout: "-", align: 'c', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 790, name: "money", len: 8, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 791, input: "cash_in", output: "cash_out", receive: "cash_recv", send: "cash_send", modin: "-", modout: "-", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 791, name: "_money", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 790, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 829, name: "macaddr", len: 6, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 1040, input: "macaddr_in", output: "macaddr_out", receive: "macaddr_recv", send: "macaddr_send", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 869, name: "inet", len: -1, byval: false, typtype: 'b', category: 'I', preferred: true, elem: 0, array: 1041, input: "inet_in", output: "inet_out", receive: "inet_recv", send: "inet_send", modin: "-", modout: "-", align: 'i', storage: 'm', collation: 0, subscript: "-" },
    BuiltinType { oid: 1000, name: "_bool", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 16, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1001, name: "_bytea", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 17, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1002, name: "_char", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 18, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1003, name: "_name", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 19, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 950, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1005, name: "_int2", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 21, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1006, name: "_int2vector", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 22, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1007, name: "_int4", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 23, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1008, name: "_regproc", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 24, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1009, name: "_text", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 25, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 100, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1010, name: "_tid", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 27, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1011, name: "_xid", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 28, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1012, name: "_cid", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 29, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1013, name: "_oidvector", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 30, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1014, name: "_bpchar", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1042, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "bpchartypmodin", modout: "bpchartypmodout", align: 'i', storage: 'x', collation: 100, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1015, name: "_varchar", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1043, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "varchartypmodin", modout: "varchartypmodout", align: 'i', storage: 'x', collation: 100, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1016, name: "_int8", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 20, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1017, name: "_point", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 600, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1021, name: "_float4", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 700, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1022, name: "_float8", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 701, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1028, name: "_oid", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 26, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1033, name: "aclitem", len: 12, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 1034, input: "aclitemin", output: "aclitemout", receive: "-", send: "-", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 1034, name: "_aclitem", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1033, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1040, name: "_macaddr", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 829, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1041, name: "_inet", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 869, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1042, name: "bpchar", len: -1, byval: false, typtype: 'b', category: 'S', preferred: false, elem: 0, array: 1014, input: "bpcharin", output: "bpcharout", receive: "bpcharrecv", send: "bpcharsend", modin: "bpchartypmodin", modout: "bpchartypmodout", align: 'i', storage: 'x', collation: 100, subscript: "-" },
    BuiltinType { oid: 1043, name: "varchar", len: -1, byval: false, typtype: 'b', category: 'S', preferred: false, elem: 0, array: 1015, input: "varcharin", output: "varcharout", receive: "varcharrecv", send: "varcharsend", modin: "varchartypmodin", modout: "varchartypmodout", align: 'i', storage: 'x', collation: 100, subscript: "-" },
    BuiltinType { oid: 1082, name: "date", len: 4, byval: true, typtype: 'b', category: 'D', preferred: false, elem: 0, array: 1182, input: "date_in", output: "date_out", receive: "date_recv", send: "date_send", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 1083, name: "time", len: 8, byval: true, typtype: 'b', category: 'D', preferred: false, elem: 0, array: 1183, input: "time_in", output: "time_out", receive: "time_recv", send: "time_send", modin: "timetypmodin", modout: "timetypmodout", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 1114, name: "timestamp", len: 8, byval: true, typtype: 'b', category: 'D', preferred: false, elem: 0, array: 1115, input: "timestamp_in", output: "timestamp_out", receive: "timestamp_recv", send: "timestamp_send", modin: "timestamptypmodin", modout: "timestamptypmodout", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 1115, name: "_timestamp", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1114, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "timestamptypmodin", modout: "timestamptypmodout", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1182, name: "_date", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1082, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1183, name: "_time", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1083, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "timetypmodin", modout: "timetypmodout", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1184, name: "timestamptz", len: 8, byval: true, typtype: 'b', category: 'D', preferred: true, elem: 0, array: 1185, input: "timestamptz_in", output: "timestamptz_out", receive: "timestamptz_recv", send: "timestamptz_send", modin: "timestamptztypmodin", modout: "timestamptztypmodout", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 1185, name: "_timestamptz", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1184, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "timestamptztypmodin", modout: "timestamptztypmodout", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1186, name: "interval", len: 16, byval: false, typtype: 'b', category: 'T', preferred: true, elem: 0, array: 1187, input: "interval_in", output: "interval_out", receive: "interval_recv", send: "interval_send", modin: "intervaltypmodin", modout: "intervaltypmodout", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 1187, name: "_interval", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1186, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "intervaltypmodin", modout: "intervaltypmodout", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1231, name: "_numeric", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1700, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "numerictypmodin", modout: "numerictypmodout", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1263, name: "_cstring", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 2275, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1266, name: "timetz", len: 12, byval: false, typtype: 'b', category: 'D', preferred: false, elem: 0, array: 1270, input: "timetz_in", output: "timetz_out", receive: "timetz_recv", send: "timetz_send", modin: "timetztypmodin", modout: "timetztypmodout", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 1270, name: "_timetz", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1266, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "timetztypmodin", modout: "timetztypmodout", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1560, name: "bit", len: -1, byval: false, typtype: 'b', category: 'V', preferred: false, elem: 0, array: 1561, input: "bit_in", output: "bit_out", receive: "bit_recv", send: "bit_send", modin: "bittypmodin", modout: "bittypmodout", align: 'i', storage: 'x', collation: 0, subscript: "-" },
    BuiltinType { oid: 1561, name: "_bit", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1560, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "bittypmodin", modout: "bittypmodout", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1562, name: "varbit", len: -1, byval: false, typtype: 'b', category: 'V', preferred: true, elem: 0, array: 1563, input: "varbit_in", output: "varbit_out", receive: "varbit_recv", send: "varbit_send", modin: "varbittypmodin", modout: "varbittypmodout", align: 'i', storage: 'x', collation: 0, subscript: "-" },
    BuiltinType { oid: 1563, name: "_varbit", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 1562, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "varbittypmodin", modout: "varbittypmodout", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 1700, name: "numeric", len: -1, byval: false, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 1231, input: "numeric_in", output: "numeric_out", receive: "numeric_recv", send: "numeric_send", modin: "numerictypmodin", modout: "numerictypmodout", align: 'i', storage: 'm', collation: 0, subscript: "-" },
    BuiltinType { oid: 2202, name: "regprocedure", len: 4, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 2207, input: "regprocedurein", output: "regprocedureout", receive: "regprocedurerecv", send: "regproceduresend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2205, name: "regclass", len: 4, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 2210, input: "regclassin", output: "regclassout", receive: "regclassrecv", send: "regclasssend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2206, name: "regtype", len: 4, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 2211, input: "regtypein", output: "regtypeout", receive: "regtyperecv", send: "regtypesend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2207, name: "_regprocedure", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 2202, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 2210, name: "_regclass", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 2205, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 2211, name: "_regtype", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 2206, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 2249, name: "record", len: -1, byval: false, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 2287, input: "record_in", output: "record_out", receive: "record_recv", send: "record_send", modin: "-", modout: "-", align: 'd', storage: 'x', collation: 0, subscript: "-" },
    BuiltinType { oid: 2275, name: "cstring", len: -2, byval: false, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 1263, input: "cstring_in", output: "cstring_out", receive: "cstring_recv", send: "cstring_send", modin: "-", modout: "-", align: 'c', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2276, name: "any", len: 4, byval: true, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 0, input: "any_in", output: "any_out", receive: "-", send: "-", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2277, name: "anyarray", len: -1, byval: false, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 0, input: "anyarray_in", output: "anyarray_out", receive: "anyarray_recv", send: "anyarray_send", modin: "-", modout: "-", align: 'd', storage: 'x', collation: 0, subscript: "-" },
    BuiltinType { oid: 2278, name: "void", len: 4, byval: true, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 0, input: "void_in", output: "void_out", receive: "void_recv", send: "void_send", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2279, name: "trigger", len: 4, byval: true, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 0, input: "trigger_in", output: "trigger_out", receive: "-", send: "-", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2281, name: "internal", len: 8, byval: true, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 0, input: "internal_in", output: "internal_out", receive: "-", send: "-", modin: "-", modout: "-", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2283, name: "anyelement", len: 4, byval: true, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 0, input: "anyelement_in", output: "anyelement_out", receive: "-", send: "-", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2776, name: "anynonarray", len: 4, byval: true, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 0, input: "anynonarray_in", output: "anynonarray_out", receive: "-", send: "-", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2950, name: "uuid", len: 16, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 2951, input: "uuid_in", output: "uuid_out", receive: "uuid_recv", send: "uuid_send", modin: "-", modout: "-", align: 'c', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 2951, name: "_uuid", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 2950, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 3220, name: "pg_lsn", len: 8, byval: true, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 3221, input: "pg_lsn_in", output: "pg_lsn_out", receive: "pg_lsn_recv", send: "pg_lsn_send", modin: "-", modout: "-", align: 'd', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 3221, name: "_pg_lsn", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 3220, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'd', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 3614, name: "tsvector", len: -1, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 3643, input: "tsvectorin", output: "tsvectorout", receive: "tsvectorrecv", send: "tsvectorsend", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "-" },
    BuiltinType { oid: 3643, name: "_tsvector", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 3614, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 3802, name: "jsonb", len: -1, byval: false, typtype: 'b', category: 'U', preferred: false, elem: 0, array: 3807, input: "jsonb_in", output: "jsonb_out", receive: "jsonb_recv", send: "jsonb_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "jsonb_subscript_handler" },
    BuiltinType { oid: 3807, name: "_jsonb", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 3802, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 3838, name: "event_trigger", len: 4, byval: true, typtype: 'p', category: 'P', preferred: false, elem: 0, array: 0, input: "event_trigger_in", output: "event_trigger_out", receive: "-", send: "-", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 4089, name: "regnamespace", len: 4, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 4090, input: "regnamespacein", output: "regnamespaceout", receive: "regnamespacerecv", send: "regnamespacesend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 4090, name: "_regnamespace", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 4089, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
    BuiltinType { oid: 4096, name: "regrole", len: 4, byval: true, typtype: 'b', category: 'N', preferred: false, elem: 0, array: 4097, input: "regrolein", output: "regroleout", receive: "regrolerecv", send: "regrolesend", modin: "-", modout: "-", align: 'i', storage: 'p', collation: 0, subscript: "-" },
    BuiltinType { oid: 4097, name: "_regrole", len: -1, byval: false, typtype: 'b', category: 'A', preferred: false, elem: 4096, array: 0, input: "array_in", output: "array_out", receive: "array_recv", send: "array_send", modin: "-", modout: "-", align: 'i', storage: 'x', collation: 0, subscript: "array_subscript_handler" },
];
