//! `pg_index`, `pg_constraint`, `pg_indexes`, `pg_sequence` and `pg_depend` rows, built
//! from every table definition's PRIMARY KEY / UNIQUE / CHECK / FOREIGN KEY / CREATE INDEX
//! and serial columns.

use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::pgtypes::pg_type_of;
use crate::storage::ConstraintDef;

use super::oids::{BTREE_AM, PG_CLASS_OID};

/// `pg_attrdef`'s own OID (the classid of a default's dependencies).
const PG_ATTRDEF_OID: i64 = 2604;
use super::relations::{Key, Rel, referenced, referenced_index};
use super::ruledefs::{expr_text, index_def};
use super::table::{Row, Val};

/// The attribute numbers of a key's columns (a CHECK's: those its expression reads, in
/// order of appearance).
fn attnums(rel: &Rel, key: &Key) -> Vec<i64> {
    let names = match key.def {
        ConstraintDef::Check { expr, .. } => check_columns(rel, expr),
        _ => key.columns().to_vec(),
    };
    names.iter().map(|c| rel.attnum(c).unwrap_or(0)).collect()
}

fn check_columns(rel: &Rel, sql: &str) -> Vec<String> {
    let Ok(e) = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
    else {
        return Vec::new();
    };
    let all: Vec<String> = rel
        .table
        .def()
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    crate::catalog::create::expr_columns(&e, &all)
}

/// btree's default operator class and the collation of a column type, as PG 15 has them.
fn opclass_and_collation(type_oid: i64) -> (i64, i64) {
    match type_oid {
        21 => (1979, 0),
        23 => (1978, 0),
        20 => (3124, 0),
        25 | 1043 => (3126, 100),
        1042 => (426, 100),
        1700 => (3125, 0),
        1184 => (3127, 0),
        1114 => (3128, 0),
        1082 => (3122, 0),
        16 => (424, 0),
        701 => (3123, 0),
        700 => (1970, 0),
        2950 => (2968, 0),
        17 => (428, 0),
        _ => (0, 0),
    }
}

fn column_type_oid(rel: &Rel, column: &str) -> i64 {
    rel.table
        .def()
        .schema
        .column_with_name(column)
        .map_or(0, |(_, f)| i64::from(pg_type_of(f).ty.oid()))
}

pub fn index_rows(rels: &[Rel]) -> Vec<Row> {
    let mut rows = Vec::new();
    for rel in rels {
        for key in rel.keys().filter(Key::has_index) {
            let n = i64::try_from(key.columns().len()).unwrap_or(0);
            let (class, coll): (Vec<i64>, Vec<i64>) = key
                .columns()
                .iter()
                .map(|c| opclass_and_collation(column_type_oid(rel, c)))
                .unzip();
            rows.push(vec![
                ("indexrelid", Val::Int(rel.oids.index(key.pos))),
                ("indrelid", Val::Int(rel.oids.rel)),
                ("indnatts", Val::Int(n)),
                ("indnkeyatts", Val::Int(n)),
                ("indisunique", key.is_unique().into()),
                ("indisprimary", key.is_primary().into()),
                ("indimmediate", true.into()),
                ("indisvalid", true.into()),
                ("indisready", true.into()),
                ("indislive", true.into()),
                ("indkey", Val::IntArr(attnums(rel, &key))),
                ("indcollation", Val::IntArr(coll)),
                ("indclass", Val::IntArr(class)),
                ("indoption", Val::IntArr(vec![0; key.columns().len()])),
            ]);
        }
    }
    rows
}

pub fn constraint_rows(rels: &[Rel]) -> Vec<Row> {
    let mut rows = Vec::new();
    for rel in rels {
        for key in rel.keys().filter(Key::has_constraint) {
            let mut row = vec![
                ("oid", Val::Int(rel.oids.constraint(key.pos))),
                ("conname", Val::from(key.def.name())),
                ("connamespace", Val::Int(rel.nsp())),
                ("condeferrable", false.into()),
                ("condeferred", false.into()),
                ("convalidated", true.into()),
                ("conrelid", Val::Int(rel.oids.rel)),
                ("confupdtype", " ".into()),
                ("confdeltype", " ".into()),
                ("confmatchtype", " ".into()),
                ("conislocal", true.into()),
                ("conkey", Val::IntArr(attnums(rel, &key))),
            ];
            match key.def {
                ConstraintDef::Unique { primary, .. } => {
                    let t = if *primary { "p" } else { "u" };
                    row.extend([
                        ("contype", t.into()),
                        ("conindid", Val::Int(rel.oids.index(key.pos))),
                    ]);
                }
                ConstraintDef::Check { expr, .. } => row.extend([
                    ("contype", "c".into()),
                    ("conbin", Val::from(expr_text(expr, Some(rel), None, false))),
                ]),
                ConstraintDef::ForeignKey {
                    ref_table,
                    ref_columns,
                    on_delete,
                    ..
                } => {
                    let target = referenced(rels, rel, ref_table);
                    let confkey = target.map_or_else(Vec::new, |t| {
                        let cols = if ref_columns.is_empty() {
                            t.keys()
                                .find(|k| k.is_primary())
                                .map(|k| k.columns().to_vec())
                                .unwrap_or_default()
                        } else {
                            ref_columns.clone()
                        };
                        cols.iter().map(|c| t.attnum(c).unwrap_or(0)).collect()
                    });
                    row.extend([
                        ("contype", "f".into()),
                        (
                            "conindid",
                            Val::Int(
                                target
                                    .and_then(|t| referenced_index(t, ref_columns))
                                    .unwrap_or(0),
                            ),
                        ),
                        ("confrelid", Val::Int(target.map_or(0, |t| t.oids.rel))),
                        ("confupdtype", "a".into()),
                        (
                            "confdeltype",
                            match on_delete {
                                crate::storage::FkAction::NoAction => "a",
                                crate::storage::FkAction::Restrict => "r",
                                crate::storage::FkAction::Cascade => "c",
                                crate::storage::FkAction::SetNull => "n",
                                crate::storage::FkAction::SetDefault => "d",
                            }
                            .into(),
                        ),
                        ("confmatchtype", "s".into()),
                        ("confkey", Val::IntArr(confkey)),
                    ]);
                }
                ConstraintDef::Index { .. } => {}
            }
            rows.push(row);
        }
    }
    rows
}

/// The `pg_indexes` view.
pub fn indexes_view(rels: &[Rel]) -> Vec<Row> {
    let mut rows = Vec::new();
    for rel in rels {
        for key in rel.keys().filter(Key::has_index) {
            rows.push(vec![
                ("schemaname", Val::from(rel.schema())),
                ("tablename", Val::from(rel.name())),
                ("indexname", Val::from(key.def.name())),
                ("tablespace", Val::Null),
                ("indexdef", Val::from(index_def(rel, &key, 0))),
            ]);
        }
    }
    rows
}

/// `pg_class` rows of the indexes and sequences.
pub fn dependent_classes(rels: &[Rel], common: impl Fn() -> Row) -> Vec<Row> {
    let mut rows = Vec::new();
    for rel in rels {
        for key in rel.keys().filter(Key::has_index) {
            let mut r = common();
            r.extend([
                ("oid", Val::Int(rel.oids.index(key.pos))),
                ("relname", Val::from(key.def.name())),
                ("relnamespace", Val::Int(rel.nsp())),
                ("relam", Val::Int(BTREE_AM)),
                ("relfilenode", Val::Int(rel.oids.index(key.pos))),
                ("relpersistence", rel.persistence().into()),
                ("relkind", "i".into()),
                (
                    "relnatts",
                    Val::Int(i64::try_from(key.columns().len()).unwrap_or(0)),
                ),
            ]);
            rows.push(r);
        }
        for seq in rel.sequences() {
            let mut r = common();
            r.extend([
                ("oid", Val::Int(seq.oid)),
                ("relname", Val::from(seq.name)),
                ("relnamespace", Val::Int(rel.nsp())),
                ("relfilenode", Val::Int(seq.oid)),
                ("relpersistence", rel.persistence().into()),
                ("relkind", "S".into()),
                ("relnatts", Val::Int(3)),
            ]);
            rows.push(r);
        }
    }
    rows
}

/// `pg_attribute` rows of the index relations: one per key column, named and typed as the
/// table's column.
pub fn index_attributes(rels: &[Rel], mut push: impl FnMut(i64, usize, &str, i64, i64)) {
    for rel in rels {
        for key in rel.keys().filter(Key::has_index) {
            for (i, c) in key.columns().iter().enumerate() {
                let Some((_, f)) = rel.table.def().schema.column_with_name(c) else {
                    continue;
                };
                let pg = pg_type_of(f);
                push(
                    rel.oids.index(key.pos),
                    i,
                    c,
                    i64::from(pg.ty.oid()),
                    i64::from(pg.typmod),
                );
            }
        }
    }
}

/// `pg_sequence`: serial sequences start at 1 and run to their type's maximum.
pub fn sequence_rows(rels: &[Rel]) -> Vec<Row> {
    let mut rows = Vec::new();
    for rel in rels {
        for seq in rel.sequences() {
            let max = match seq.type_oid {
                21 => i64::from(i16::MAX),
                23 => i64::from(i32::MAX),
                _ => i64::MAX,
            };
            rows.push(vec![
                ("seqrelid", Val::Int(seq.oid)),
                ("seqtypid", Val::Int(seq.type_oid)),
                ("seqstart", Val::Int(1)),
                ("seqincrement", Val::Int(1)),
                ("seqmax", Val::Int(max)),
                ("seqmin", Val::Int(1)),
                ("seqcache", Val::Int(1)),
                ("seqcycle", false.into()),
            ]);
        }
    }
    rows
}

/// `pg_depend`: each serial sequence is owned by ('a'uto) its column, so pg_dump writes
/// `ALTER SEQUENCE ... OWNED BY` and drops it with the table.
pub fn depend_rows(rels: &[Rel]) -> Vec<Row> {
    let mut rows = Vec::new();
    for rel in rels {
        for seq in rel.sequences() {
            rows.push(vec![
                ("classid", Val::Int(PG_CLASS_OID)),
                ("objid", Val::Int(seq.oid)),
                ("objsubid", Val::Int(0)),
                ("refclassid", Val::Int(PG_CLASS_OID)),
                ("refobjid", Val::Int(rel.oids.rel)),
                (
                    "refobjsubid",
                    Val::Int(i64::try_from(seq.column + 1).unwrap_or(0)),
                ),
                ("deptype", "a".into()),
            ]);
            // The column's default calls nextval on it (pg_dump then sets the default after
            // creating the sequence).
            rows.push(vec![
                ("classid", Val::Int(PG_ATTRDEF_OID)),
                ("objid", Val::Int(rel.oids.default(seq.column))),
                ("objsubid", Val::Int(0)),
                ("refclassid", Val::Int(PG_CLASS_OID)),
                ("refobjid", Val::Int(seq.oid)),
                ("refobjsubid", Val::Int(0)),
                ("deptype", "n".into()),
            ]);
        }
    }
    rows
}
