//! Rows of the `information_schema` views, as PostgreSQL 15 fills them for a superuser.

use crate::pgtypes::{PgColumnType, pg_type_of};

use super::oids::SYSTEM_RELATIONS;
use super::table::{Row, Val};
use super::types::{builtin, format_type};
use super::{Sys, relations};
use crate::catalog::DATABASE;
use crate::storage::ConstraintDef;

pub fn rows(name: &str, sys: &Sys) -> Vec<Row> {
    match name {
        "tables" => tables(sys),
        "columns" => columns(sys),
        "schemata" => ["pg_toast", "pg_catalog", "public", "information_schema"]
            .into_iter()
            .map(|s| {
                let owner = if s == "public" {
                    "pg_database_owner"
                } else {
                    "postgres"
                };
                vec![
                    ("catalog_name", DATABASE.into()),
                    ("schema_name", s.into()),
                    ("schema_owner", owner.into()),
                ]
            })
            .collect(),
        "table_constraints" => table_constraints(sys),
        "key_column_usage" => key_column_usage(sys),
        "views" => views(sys),
        // No routines, sequences... yet.
        _ => Vec::new(),
    }
}

/// PRIMARY KEY, UNIQUE, FOREIGN KEY and CHECK constraints of every table.
fn table_constraints(sys: &Sys) -> Vec<Row> {
    let mut rows = Vec::new();
    for t in relations(sys) {
        for k in t.keys().filter(|k| k.has_constraint()) {
            let kind = match k.def {
                ConstraintDef::Unique { primary: true, .. } => "PRIMARY KEY",
                ConstraintDef::Unique { .. } | ConstraintDef::Index { .. } => "UNIQUE",
                ConstraintDef::ForeignKey { .. } => "FOREIGN KEY",
                ConstraintDef::Check { .. } => "CHECK",
            };
            rows.push(vec![
                ("constraint_catalog", DATABASE.into()),
                ("constraint_schema", t.schema().into()),
                ("constraint_name", Val::from(k.def.name())),
                ("table_catalog", DATABASE.into()),
                ("table_schema", t.schema().into()),
                ("table_name", Val::from(t.name())),
                ("constraint_type", kind.into()),
                ("is_deferrable", "NO".into()),
                ("initially_deferred", "NO".into()),
                ("enforced", "YES".into()),
                (
                    "nulls_distinct",
                    if kind == "UNIQUE" || kind == "PRIMARY KEY" {
                        "YES".into()
                    } else {
                        Val::Null
                    },
                ),
            ]);
        }
    }
    rows
}

/// The columns of every PRIMARY KEY, UNIQUE and FOREIGN KEY constraint.
fn key_column_usage(sys: &Sys) -> Vec<Row> {
    let mut rows = Vec::new();
    for t in relations(sys) {
        for k in t.keys().filter(|k| k.has_constraint()) {
            let fk = matches!(k.def, ConstraintDef::ForeignKey { .. });
            for (i, col) in k.columns().iter().enumerate() {
                let pos = i64::try_from(i + 1).unwrap_or(0);
                rows.push(vec![
                    ("constraint_catalog", DATABASE.into()),
                    ("constraint_schema", t.schema().into()),
                    ("constraint_name", Val::from(k.def.name())),
                    ("table_catalog", DATABASE.into()),
                    ("table_schema", t.schema().into()),
                    ("table_name", Val::from(t.name())),
                    ("column_name", Val::from(col.as_str())),
                    ("ordinal_position", Val::Int(pos)),
                    (
                        "position_in_unique_constraint",
                        if fk { Val::Int(pos) } else { Val::Null },
                    ),
                ]);
            }
        }
    }
    rows
}

fn table_row(schema: &str, name: &str, kind: &str) -> Row {
    let base = kind == "r";
    vec![
        ("table_catalog", DATABASE.into()),
        ("table_schema", schema.into()),
        ("table_name", name.into()),
        (
            "table_type",
            if schema.starts_with("pg_temp") {
                "LOCAL TEMPORARY"
            } else if base {
                "BASE TABLE"
            } else {
                "VIEW"
            }
            .into(),
        ),
        ("is_insertable_into", if base { "YES" } else { "NO" }.into()),
        ("is_typed", "NO".into()),
    ]
}

fn tables(sys: &Sys) -> Vec<Row> {
    let mut rows: Vec<Row> = SYSTEM_RELATIONS
        .iter()
        .map(|(schema, name, _, kind, _)| table_row(schema, name, kind))
        .collect();
    rows.extend(
        relations(sys)
            .iter()
            .map(|t| table_row(t.schema(), t.name(), "r")),
    );
    rows.extend(
        super::relations::views(sys)
            .iter()
            .map(|(schema, v)| table_row(schema, &v.name, "v")),
    );
    rows
}

/// User views (not updatable here: no INSERT / UPDATE / DELETE through a view).
fn views(sys: &Sys) -> Vec<Row> {
    super::relations::views(sys)
        .iter()
        .map(|(schema, v)| {
            vec![
                ("table_catalog", DATABASE.into()),
                ("table_schema", (*schema).into()),
                ("table_name", Val::from(v.name.as_str())),
                (
                    "view_definition",
                    Val::from(super::relations::view_definition(v)),
                ),
                ("check_option", "NONE".into()),
                ("is_updatable", "NO".into()),
                ("is_insertable_into", "NO".into()),
                ("is_trigger_updatable", "NO".into()),
                ("is_trigger_deletable", "NO".into()),
                ("is_trigger_insertable_into", "NO".into()),
            ]
        })
        .collect()
}

fn columns(sys: &Sys) -> Vec<Row> {
    let public_on_path = super::functions::public_on_path(sys);
    let mut rows = Vec::new();
    for t in relations(sys) {
        for (i, f) in t.table.schema().fields().iter().enumerate() {
            let mut row = column_row(t.name(), i + 1, f.name(), &pg_type_of(f), f.is_nullable());
            if let Some(d) = super::pg_catalog::default_text(&t, i, public_on_path) {
                row.push(("column_default", Val::from(d)));
            }
            rows.push(row);
        }
    }
    rows
}

/// A column's row, without `column_default` (NULL unless the caller adds it).
fn column_row(table: &str, position: usize, name: &str, col: &PgColumnType, nullable: bool) -> Row {
    let oid = i64::from(col.ty.oid());
    let t = builtin(oid);
    let typname = t.map_or("", |t| t.name);
    let is_array = t.is_some_and(|t| t.category == 'A');
    let data_type = if is_array {
        "ARRAY".to_owned()
    } else {
        // information_schema spells types without modifiers.
        format_type(None, oid, None)
    };
    let mut r = vec![
        ("table_catalog", DATABASE.into()),
        ("table_schema", "public".into()),
        ("table_name", table.into()),
        ("column_name", name.into()),
        (
            "ordinal_position",
            Val::Int(i64::try_from(position).unwrap_or(0)),
        ),
        ("is_nullable", if nullable { "YES" } else { "NO" }.into()),
        ("data_type", Val::from(data_type)),
        ("udt_catalog", DATABASE.into()),
        ("udt_schema", "pg_catalog".into()),
        ("udt_name", typname.into()),
        ("dtd_identifier", Val::from(position.to_string())),
        ("is_self_referencing", "NO".into()),
        ("is_identity", "NO".into()),
        ("identity_cycle", "NO".into()),
        ("is_generated", "NEVER".into()),
        ("is_updatable", "YES".into()),
    ];
    r.extend(type_details(typname, col));
    r
}

/// Length/precision columns, as PostgreSQL's `_pg_char_max_length` & co compute them.
fn type_details(typname: &str, col: &PgColumnType) -> Row {
    let int = |v: i64| Val::Int(v);
    match typname {
        "int2" => vec![
            ("numeric_precision", int(16)),
            ("numeric_precision_radix", int(2)),
            ("numeric_scale", int(0)),
        ],
        "int4" => vec![
            ("numeric_precision", int(32)),
            ("numeric_precision_radix", int(2)),
            ("numeric_scale", int(0)),
        ],
        "int8" => vec![
            ("numeric_precision", int(64)),
            ("numeric_precision_radix", int(2)),
            ("numeric_scale", int(0)),
        ],
        "float4" => vec![
            ("numeric_precision", int(24)),
            ("numeric_precision_radix", int(2)),
        ],
        "float8" => vec![
            ("numeric_precision", int(53)),
            ("numeric_precision_radix", int(2)),
        ],
        "numeric" => match col.numeric_precision_scale() {
            Some((p, s)) => vec![
                ("numeric_precision", int(i64::from(p))),
                ("numeric_precision_radix", int(10)),
                ("numeric_scale", int(i64::from(s))),
            ],
            None => vec![("numeric_precision_radix", int(10))],
        },
        "varchar" | "bpchar" | "text" => {
            let len = col.char_length().and_then(|n| i64::try_from(n).ok());
            vec![
                ("character_maximum_length", len.into()),
                (
                    "character_octet_length",
                    Val::Int(len.map_or(1_073_741_824, |n| n * 4)),
                ),
            ]
        }
        "date" => vec![("datetime_precision", int(0))],
        "time" | "timetz" | "timestamp" | "timestamptz" | "interval" => {
            let p = if col.typmod >= 0 {
                i64::from(col.typmod)
            } else {
                6
            };
            vec![("datetime_precision", int(p))]
        }
        _ => Vec::new(),
    }
}
