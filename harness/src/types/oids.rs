//! The built-in PostgreSQL 15 types this module knows: OID, `typname`, and how to decode them.

/// How a type's binary form is decoded (one variant per output routine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    Int2,
    Int4,
    Int8,
    /// 4-byte unsigned: oid, xid, cid.
    Uint4,
    /// 8-byte unsigned: xid8.
    Uint8,
    /// reg* types: an OID that PostgreSQL prints as a name (see [`super::render_binary`]).
    RegOid,
    Float4,
    Float8,
    Numeric,
    /// text, varchar, bpchar, name, json, xml, ...: the bytes are the text.
    Text,
    Jsonb,
    /// The one-byte `"char"` type.
    Char,
    Bytea,
    Date,
    Time,
    TimeTz,
    Timestamp,
    TimestampTz,
    Interval,
    Uuid,
    Inet,
    Macaddr,
    Macaddr8,
    Money,
    Bit,
    Point,
    Lseg,
    Box,
    Line,
    Path,
    Polygon,
    Circle,
    Tid,
    PgLsn,
    /// int2vector / oidvector: array wire format, space-separated output.
    Vector,
    /// An array whose elements have the given type.
    Array(u32),
    /// A range over the given element type.
    Range(u32),
    /// A multirange of the given range type.
    Multirange(u32),
    Record,
}

pub(crate) struct TypeInfo {
    pub(crate) oid: u32,
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
}

const fn t(oid: u32, name: &'static str, kind: Kind) -> TypeInfo {
    TypeInfo { oid, name, kind }
}

use Kind::*;

/// Sorted by OID (a unit test checks it) so lookups can binary-search.
static TYPES: &[TypeInfo] = &[
    t(16, "bool", Bool),
    t(17, "bytea", Bytea),
    t(18, "char", Char),
    t(19, "name", Text),
    t(20, "int8", Int8),
    t(21, "int2", Int2),
    t(22, "int2vector", Vector),
    t(23, "int4", Int4),
    t(24, "regproc", RegOid),
    t(25, "text", Text),
    t(26, "oid", Uint4),
    t(27, "tid", Tid),
    t(28, "xid", Uint4),
    t(29, "cid", Uint4),
    t(30, "oidvector", Vector),
    t(114, "json", Text),
    t(142, "xml", Text),
    t(143, "_xml", Array(142)),
    t(199, "_json", Array(114)),
    t(271, "_xid8", Array(5069)),
    t(600, "point", Point),
    t(601, "lseg", Lseg),
    t(602, "path", Path),
    t(603, "box", Box),
    t(604, "polygon", Polygon),
    t(628, "line", Line),
    t(629, "_line", Array(628)),
    t(650, "cidr", Inet),
    t(651, "_cidr", Array(650)),
    t(700, "float4", Float4),
    t(701, "float8", Float8),
    t(705, "unknown", Text),
    t(718, "circle", Circle),
    t(719, "_circle", Array(718)),
    t(774, "macaddr8", Macaddr8),
    t(775, "_macaddr8", Array(774)),
    t(790, "money", Money),
    t(791, "_money", Array(790)),
    t(829, "macaddr", Macaddr),
    t(869, "inet", Inet),
    t(1000, "_bool", Array(16)),
    t(1001, "_bytea", Array(17)),
    t(1002, "_char", Array(18)),
    t(1003, "_name", Array(19)),
    t(1005, "_int2", Array(21)),
    t(1006, "_int2vector", Array(22)),
    t(1007, "_int4", Array(23)),
    t(1008, "_regproc", Array(24)),
    t(1009, "_text", Array(25)),
    t(1010, "_tid", Array(27)),
    t(1011, "_xid", Array(28)),
    t(1012, "_cid", Array(29)),
    t(1013, "_oidvector", Array(30)),
    t(1014, "_bpchar", Array(1042)),
    t(1015, "_varchar", Array(1043)),
    t(1016, "_int8", Array(20)),
    t(1017, "_point", Array(600)),
    t(1018, "_lseg", Array(601)),
    t(1019, "_path", Array(602)),
    t(1020, "_box", Array(603)),
    t(1021, "_float4", Array(700)),
    t(1022, "_float8", Array(701)),
    t(1027, "_polygon", Array(604)),
    t(1028, "_oid", Array(26)),
    t(1040, "_macaddr", Array(829)),
    t(1041, "_inet", Array(869)),
    t(1042, "bpchar", Text),
    t(1043, "varchar", Text),
    t(1082, "date", Date),
    t(1083, "time", Time),
    t(1114, "timestamp", Timestamp),
    t(1115, "_timestamp", Array(1114)),
    t(1182, "_date", Array(1082)),
    t(1183, "_time", Array(1083)),
    t(1184, "timestamptz", TimestampTz),
    t(1185, "_timestamptz", Array(1184)),
    t(1186, "interval", Interval),
    t(1187, "_interval", Array(1186)),
    t(1231, "_numeric", Array(1700)),
    t(1263, "_cstring", Array(2275)),
    t(1266, "timetz", TimeTz),
    t(1270, "_timetz", Array(1266)),
    t(1560, "bit", Bit),
    t(1561, "_bit", Array(1560)),
    t(1562, "varbit", Bit),
    t(1563, "_varbit", Array(1562)),
    t(1700, "numeric", Numeric),
    t(1790, "refcursor", Text),
    t(2201, "_refcursor", Array(1790)),
    t(2202, "regprocedure", RegOid),
    t(2203, "regoper", RegOid),
    t(2204, "regoperator", RegOid),
    t(2205, "regclass", RegOid),
    t(2206, "regtype", RegOid),
    t(2207, "_regprocedure", Array(2202)),
    t(2208, "_regoper", Array(2203)),
    t(2209, "_regoperator", Array(2204)),
    t(2210, "_regclass", Array(2205)),
    t(2211, "_regtype", Array(2206)),
    t(2249, "record", Record),
    t(2275, "cstring", Text),
    t(2287, "_record", Array(2249)),
    t(2950, "uuid", Uuid),
    t(2951, "_uuid", Array(2950)),
    t(3220, "pg_lsn", PgLsn),
    t(3221, "_pg_lsn", Array(3220)),
    t(3734, "regconfig", RegOid),
    t(3735, "_regconfig", Array(3734)),
    t(3769, "regdictionary", RegOid),
    t(3770, "_regdictionary", Array(3769)),
    t(3802, "jsonb", Jsonb),
    t(3807, "_jsonb", Array(3802)),
    t(3904, "int4range", Range(23)),
    t(3905, "_int4range", Array(3904)),
    t(3906, "numrange", Range(1700)),
    t(3907, "_numrange", Array(3906)),
    t(3908, "tsrange", Range(1114)),
    t(3909, "_tsrange", Array(3908)),
    t(3910, "tstzrange", Range(1184)),
    t(3911, "_tstzrange", Array(3910)),
    t(3912, "daterange", Range(1082)),
    t(3913, "_daterange", Array(3912)),
    t(3926, "int8range", Range(20)),
    t(3927, "_int8range", Array(3926)),
    t(4089, "regnamespace", RegOid),
    t(4090, "_regnamespace", Array(4089)),
    t(4096, "regrole", RegOid),
    t(4097, "_regrole", Array(4096)),
    t(4191, "regcollation", RegOid),
    t(4192, "_regcollation", Array(4191)),
    t(4451, "int4multirange", Multirange(3904)),
    t(4532, "nummultirange", Multirange(3906)),
    t(4533, "tsmultirange", Multirange(3908)),
    t(4534, "tstzmultirange", Multirange(3910)),
    t(4535, "datemultirange", Multirange(3912)),
    t(4536, "int8multirange", Multirange(3926)),
    t(5069, "xid8", Uint8),
    t(6150, "_int4multirange", Array(4451)),
    t(6151, "_nummultirange", Array(4532)),
    t(6152, "_tsmultirange", Array(4533)),
    t(6153, "_tstzmultirange", Array(4534)),
    t(6155, "_datemultirange", Array(4535)),
    t(6157, "_int8multirange", Array(4536)),
];

pub(crate) fn lookup(oid: u32) -> Option<&'static TypeInfo> {
    TYPES
        .binary_search_by_key(&oid, |t| t.oid)
        .ok()
        .and_then(|i| TYPES.get(i))
}

/// The `regtype` OID.
pub(crate) const REGTYPE: u32 = 2206;

/// What `format_type()` (and so `regtype` output) prints for a built-in type with no typmod:
/// the SQL-standard spelling where PostgreSQL has one, else `typname`; arrays add `[]`.
pub(crate) fn format_type(oid: u32) -> Option<String> {
    let info = lookup(oid)?;
    if let Kind::Array(elem) = info.kind {
        return format_type(elem).map(|e| format!("{e}[]"));
    }
    let sql_name = match info.name {
        "int2" => "smallint",
        "int4" => "integer",
        "int8" => "bigint",
        "float4" => "real",
        "float8" => "double precision",
        "bool" => "boolean",
        "varchar" => "character varying",
        "bpchar" => "character",
        "varbit" => "bit varying",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        "time" => "time without time zone",
        "timetz" => "time with time zone",
        "char" => "\"char\"",
        other => other,
    };
    Some(sql_name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(TYPES.windows(2).all(|w| w[0].oid < w[1].oid));
    }

    #[test]
    fn containers_point_at_known_types() {
        for info in TYPES {
            if let Array(e) | Range(e) | Multirange(e) = info.kind {
                assert!(lookup(e).is_some(), "{} points at unknown {e}", info.name);
            }
        }
    }
}
