//! Rows of the `pg_catalog` relations. Relations the server has nothing for (policies,
//! triggers, publications, ...) are empty but exist with PG's columns, so the queries that
//! join them still plan.

use crate::pgtypes::pg_type_of;
use crate::session::settings::SettingRow;

use super::Sys;
use super::defs;
use super::keys;
use super::oids::*;
use super::relations::{Rel, has_fk_triggers, relations};
use super::ruledefs::{column_type, expr_text};
use super::table::{Row, Val};
use super::types::{self, col_type_oid};

/// The database encoding (`pg_encoding_to_char(6)` = `UTF8`).
pub const UTF8_ENCODING: i64 = 6;

pub fn rows(name: &str, sys: &Sys) -> Vec<Row> {
    match name {
        "pg_namespace" => namespaces(sys),
        "pg_class" => classes(sys),
        "pg_attribute" => attributes(sys),
        "pg_type" => types::rows(sys),
        "pg_database" => databases(),
        "pg_roles" | "pg_authid" | "pg_user" => roles(sys),
        "pg_am" => access_methods(),
        "pg_tablespace" => vec![
            vec![
                ("oid", Val::Int(DEFAULT_TABLESPACE)),
                ("spcname", "pg_default".into()),
                ("spcowner", Val::Int(BOOTSTRAP_ROLE)),
            ],
            vec![
                ("oid", Val::Int(GLOBAL_TABLESPACE)),
                ("spcname", "pg_global".into()),
                ("spcowner", Val::Int(BOOTSTRAP_ROLE)),
            ],
        ],
        "pg_collation" => collations(),
        "pg_attrdef" => attrdefs(sys),
        "pg_settings" => settings(sys),
        "pg_prepared_statements" => prepared_statements(sys),
        "pg_stat_activity" => vec![activity(sys)],
        "pg_stat_ssl" => vec![vec![
            ("pid", Val::Int(pid(sys))),
            (
                "ssl",
                sys.ssl.load(std::sync::atomic::Ordering::Relaxed).into(),
            ),
        ]],
        "pg_stat_gssapi" => vec![vec![("pid", Val::Int(pid(sys)))]],
        "pg_language" => languages(),
        "pg_proc" => super::functions::pg_proc_rows(),
        "pg_views" => super::view_rels::view_rels(sys)
            .iter()
            .map(|v| {
                vec![
                    ("schemaname", v.schema().into()),
                    ("viewname", Val::from(v.def.name.as_str())),
                    ("viewowner", "postgres".into()),
                    ("definition", Val::from(v.definition())),
                ]
            })
            .collect(),
        "pg_tables" => relations(sys)
            .iter()
            .map(|t| {
                vec![
                    ("schemaname", t.schema().into()),
                    ("tablename", Val::from(t.name())),
                    ("tableowner", "postgres".into()),
                    ("hasindexes", t.keys().any(|k| k.has_index()).into()),
                ]
            })
            .collect(),
        "pg_stat_user_tables" => relations(sys)
            .iter()
            .map(|t| {
                let live = i64::try_from(t.table.row_count_estimate()).unwrap_or(i64::MAX);
                vec![
                    ("relid", Val::Int(t.oids.rel)),
                    ("schemaname", t.schema().into()),
                    ("relname", Val::from(t.name())),
                    ("n_live_tup", Val::Int(live)),
                ]
            })
            .collect(),
        "pg_index" => keys::index_rows(&relations(sys)),
        "pg_constraint" => keys::constraint_rows(&relations(sys)),
        "pg_indexes" => keys::indexes_view(&relations(sys)),
        "pg_sequence" => keys::sequence_rows(&relations(sys)),
        "pg_depend" => keys::depend_rows(&relations(sys)),
        "pg_description" => super::descriptions::rows(),
        "pg_init_privs" => super::init_privs::rows(),
        // Including every relation of `super::EMPTY_RELATIONS`.
        _ => Vec::new(),
    }
}

fn pid(sys: &Sys) -> i64 {
    i64::from(sys.control.pid.load(std::sync::atomic::Ordering::Relaxed))
}

fn namespaces(sys: &Sys) -> Vec<Row> {
    let ns = |oid: i64, name: &str, owner: i64, acl: Option<Vec<&str>>| {
        vec![
            ("oid", Val::Int(oid)),
            ("nspname", Val::from(name)),
            ("nspowner", Val::Int(owner)),
            (
                "nspacl",
                acl.map_or(Val::Null, |a| {
                    Val::TextArr(a.into_iter().map(str::to_owned).collect())
                }),
            ),
        ]
    };
    let mut rows = vec![
        ns(
            PG_CATALOG_NS,
            "pg_catalog",
            BOOTSTRAP_ROLE,
            Some(vec!["postgres=UC/postgres", "=U/postgres"]),
        ),
        ns(PG_TOAST_NS, "pg_toast", BOOTSTRAP_ROLE, None),
        ns(
            PUBLIC_NS,
            "public",
            PG_DATABASE_OWNER,
            Some(vec![
                "pg_database_owner=UC/pg_database_owner",
                "=U/pg_database_owner",
            ]),
        ),
        ns(
            INFORMATION_SCHEMA_NS,
            "information_schema",
            BOOTSTRAP_ROLE,
            Some(vec!["postgres=UC/postgres", "=U/postgres"]),
        ),
    ];
    // The session's temporary schema exists once it has made a temporary table.
    if relations(sys).iter().any(|r| r.temporary) {
        rows.push(ns(TEMP_NS, TEMP_NS_NAME, BOOTSTRAP_ROLE, None));
        rows.push(ns(TEMP_TOAST_NS, TEMP_TOAST_NS_NAME, BOOTSTRAP_ROLE, None));
    }
    rows
}

fn schema_oid(schema: &str) -> i64 {
    if schema == "information_schema" {
        INFORMATION_SCHEMA_NS
    } else {
        PG_CATALOG_NS
    }
}

/// The columns of a built-in relation, from the generated definitions.
fn system_columns(schema: &str, name: &str) -> &'static [(&'static str, super::Col)] {
    let list = if schema == "information_schema" {
        defs::INFORMATION_SCHEMA
    } else {
        defs::PG_CATALOG
    };
    list.iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, cols)| *cols)
}

fn class_common() -> Row {
    vec![
        ("relowner", Val::Int(BOOTSTRAP_ROLE)),
        ("relpages", Val::Int(0)),
        ("reltuples", Val::Float(-1.0)),
        ("relpersistence", "p".into()),
        ("relreplident", "n".into()),
        ("relhasindex", false.into()),
        ("relispopulated", true.into()),
        ("relfrozenxid", Val::Int(0)),
        ("relminmxid", Val::Int(0)),
    ]
}

fn classes(sys: &Sys) -> Vec<Row> {
    let mut rows = Vec::new();
    for (schema, name, oid, kind, rowtype) in SYSTEM_RELATIONS {
        let natts = system_columns(schema, name).len();
        let mut r = class_common();
        r.extend([
            ("oid", Val::Int(*oid)),
            ("relname", Val::from(*name)),
            ("relnamespace", Val::Int(schema_oid(schema))),
            ("reltype", Val::Int(*rowtype)),
            ("relam", Val::Int(if *kind == "r" { HEAP_AM } else { 0 })),
            ("relfilenode", Val::Int(if *kind == "r" { *oid } else { 0 })),
            ("relkind", Val::from(*kind)),
            ("relnatts", Val::Int(i64::try_from(natts).unwrap_or(0))),
            (
                "relacl",
                Val::TextArr(super::init_privs::system_relation_acl()),
            ),
        ]);
        rows.push(r);
    }
    let rels = relations(sys);
    for t in &rels {
        let natts = t.table.schema().fields().len();
        let checks = t
            .keys()
            .filter(|k| matches!(k.def, crate::storage::ConstraintDef::Check { .. }))
            .count();
        let mut r = class_common();
        r.extend([
            ("oid", Val::Int(t.oids.rel)),
            ("relname", Val::from(t.name())),
            ("relnamespace", Val::Int(t.nsp())),
            ("reltype", Val::Int(t.oids.rowtype)),
            ("relam", Val::Int(HEAP_AM)),
            ("relfilenode", Val::Int(t.oids.rel)),
            ("relkind", "r".into()),
            ("relpersistence", t.persistence().into()),
            ("relnatts", Val::Int(i64::try_from(natts).unwrap_or(0))),
            ("relchecks", Val::Int(i64::try_from(checks).unwrap_or(0))),
            ("relhasindex", t.keys().any(|k| k.has_index()).into()),
            ("relhastriggers", has_fk_triggers(&rels, t).into()),
            ("relreplident", "d".into()),
        ]);
        rows.push(r);
    }
    rows.extend(keys::dependent_classes(&rels, class_common));
    rows.extend(super::view_rels::class_rows(
        &super::view_rels::view_rels(sys),
        class_common,
    ));
    rows
}

fn attributes(sys: &Sys) -> Vec<Row> {
    let mut rows = Vec::new();
    for (schema, name, oid, _, _) in SYSTEM_RELATIONS {
        for (i, (col, kind)) in system_columns(schema, name).iter().enumerate() {
            let typ = col_type_oid(*kind);
            rows.push(attribute(*oid, i, col, typ, -1, false, false));
        }
    }
    let rels = relations(sys);
    for t in &rels {
        for (i, f) in t.table.schema().fields().iter().enumerate() {
            let pg = pg_type_of(f);
            rows.push(attribute(
                t.oids.rel,
                i,
                f.name(),
                i64::from(pg.ty.oid()),
                i64::from(pg.typmod),
                !f.is_nullable(),
                t.default_of(i).is_some(),
            ));
        }
    }
    keys::index_attributes(&rels, |rel, i, name, typ, typmod| {
        rows.push(attribute(rel, i, name, typ, typmod, false, false));
    });
    super::view_rels::attributes(
        &super::view_rels::view_rels(sys),
        |rel, i, name, typ, typmod| {
            rows.push(attribute(rel, i, name, typ, typmod, false, false));
        },
    );
    rows
}

fn attribute(
    rel: i64,
    index: usize,
    name: &str,
    typ: i64,
    typmod: i64,
    notnull: bool,
    hasdef: bool,
) -> Row {
    let t = types::builtin(typ);
    let is_array = t.is_some_and(|t| t.category == 'A');
    vec![
        ("attrelid", Val::Int(rel)),
        ("attname", Val::from(name)),
        ("atttypid", Val::Int(typ)),
        ("attstattarget", Val::Int(-1)),
        ("attlen", Val::Int(t.map_or(-1, |t| t.len))),
        (
            "attnum",
            Val::Int(i64::try_from(index).map_or(0, |i| i + 1)),
        ),
        ("attndims", Val::Int(i64::from(is_array))),
        ("attcacheoff", Val::Int(-1)),
        ("atttypmod", Val::Int(typmod)),
        ("attbyval", t.is_some_and(|t| t.byval).into()),
        (
            "attalign",
            Val::from(t.map_or('i', |t| t.align).to_string()),
        ),
        (
            "attstorage",
            Val::from(t.map_or('x', |t| t.storage).to_string()),
        ),
        ("attnotnull", notnull.into()),
        ("atthasdef", hasdef.into()),
        ("attislocal", true.into()),
        ("attcollation", Val::Int(t.map_or(0, |t| t.collation))),
    ]
}

/// Defaults: `serial` columns draw from their sequence, others are DDL's DEFAULT
/// expressions, kept as SQL text and shown with the casts PostgreSQL would store.
fn attrdefs(sys: &Sys) -> Vec<Row> {
    let public_on_path = super::functions::public_on_path(sys);
    let mut rows = Vec::new();
    for t in relations(sys) {
        for i in 0..t.table.schema().fields().len() {
            let Some(text) = default_text(&t, i, public_on_path) else {
                continue;
            };
            rows.push(vec![
                ("oid", Val::Int(t.oids.default(i))),
                ("adrelid", Val::Int(t.oids.rel)),
                ("adnum", Val::Int(i64::try_from(i + 1).unwrap_or(0))),
                ("adbin", Val::from(text)),
            ]);
        }
    }
    rows
}

/// `pg_get_expr(adbin, adrelid)` of column `i`'s default (also
/// `information_schema.columns.column_default`).
pub(super) fn default_text(t: &Rel, i: usize, public_on_path: bool) -> Option<String> {
    let expr = t.default_of(i)?;
    let f = t.table.schema().fields().get(i)?.clone();
    let ty = column_type(t, f.name());
    // A sequence off the search path prints schema-qualified, as regclass does.
    let expr = match expr.strip_prefix("nextval('") {
        Some(rest) if !t.temporary && !public_on_path => format!("nextval('public.{rest}"),
        _ => expr,
    };
    Some(expr_text(&expr, Some(t), ty.as_deref(), false))
}

fn databases() -> Vec<Row> {
    let db = |oid: i64, name: &str, template: bool, conn: bool, acl: Option<Vec<String>>| {
        vec![
            ("oid", Val::Int(oid)),
            ("datname", Val::from(name)),
            ("datdba", Val::Int(BOOTSTRAP_ROLE)),
            ("encoding", Val::Int(UTF8_ENCODING)),
            ("datlocprovider", "c".into()),
            ("datistemplate", template.into()),
            ("datallowconn", conn.into()),
            ("datconnlimit", Val::Int(-1)),
            ("datfrozenxid", Val::Int(716)),
            ("datminmxid", Val::Int(1)),
            ("dattablespace", Val::Int(DEFAULT_TABLESPACE)),
            ("datcollate", "C".into()),
            ("datctype", "C".into()),
            ("datacl", acl.map_or(Val::Null, Val::TextArr)),
        ]
    };
    let template_acl = || {
        Some(vec![
            "=c/postgres".to_owned(),
            "postgres=CTc/postgres".to_owned(),
        ])
    };
    vec![
        db(POSTGRES_DB, crate::catalog::DATABASE, false, true, None),
        db(TEMPLATE1_DB, "template1", true, true, template_acl()),
        db(TEMPLATE0_DB, "template0", true, false, template_acl()),
    ]
}

/// Roles: `postgres` (the bootstrap superuser), `pg_database_owner`, every configured user
/// and the session's user; all users are superusers (the server has no privileges).
pub fn role_list(sys: &Sys) -> Vec<(i64, String)> {
    let mut names: Vec<String> = sys.users.clone();
    names.push(sys.session_user());
    names.sort();
    names.dedup();
    let mut out = vec![(BOOTSTRAP_ROLE, "postgres".to_owned())];
    let users = names.into_iter().filter(|n| n != "postgres");
    out.extend((FIRST_USER_ROLE..).zip(users));
    out.push((PG_DATABASE_OWNER, "pg_database_owner".to_owned()));
    out
}

fn roles(sys: &Sys) -> Vec<Row> {
    role_list(sys)
        .into_iter()
        .map(|(oid, name)| {
            let login = oid != PG_DATABASE_OWNER;
            vec![
                ("oid", Val::Int(oid)),
                ("rolname", Val::from(name.clone())),
                ("rolsuper", login.into()),
                ("rolinherit", true.into()),
                ("rolcreaterole", login.into()),
                ("rolcreatedb", login.into()),
                ("rolcanlogin", login.into()),
                ("rolreplication", login.into()),
                ("rolbypassrls", login.into()),
                ("rolconnlimit", Val::Int(-1)),
                (
                    "rolpassword",
                    if login { "********".into() } else { Val::Null },
                ),
                // pg_user's columns.
                ("usename", Val::from(name)),
                ("usesysid", Val::Int(oid)),
                ("usecreatedb", login.into()),
                ("usesuper", login.into()),
                ("userepl", login.into()),
                ("usebypassrls", login.into()),
                ("passwd", "********".into()),
            ]
        })
        .collect()
}

fn access_methods() -> Vec<Row> {
    [
        (HEAP_AM, "heap", "heap_tableam_handler", "t"),
        (BTREE_AM, "btree", "bthandler", "i"),
        (405, "hash", "hashhandler", "i"),
        (783, "gist", "gisthandler", "i"),
        (2742, "gin", "ginhandler", "i"),
        (4000, "spgist", "spghandler", "i"),
        (3580, "brin", "brinhandler", "i"),
    ]
    .into_iter()
    .map(|(oid, name, handler, kind)| {
        vec![
            ("oid", Val::Int(oid)),
            ("amname", name.into()),
            ("amhandler", handler.into()),
            ("amtype", kind.into()),
        ]
    })
    .collect()
}

fn collations() -> Vec<Row> {
    [
        (100, "default", "d", None),
        (950, "C", "c", Some("C")),
        (951, "POSIX", "c", Some("POSIX")),
    ]
    .into_iter()
    .map(|(oid, name, provider, locale)| {
        vec![
            ("oid", Val::Int(oid)),
            ("collname", name.into()),
            ("collnamespace", Val::Int(PG_CATALOG_NS)),
            ("collowner", Val::Int(BOOTSTRAP_ROLE)),
            ("collprovider", provider.into()),
            ("collisdeterministic", true.into()),
            ("collencoding", Val::Int(-1)),
            ("collcollate", locale.into()),
            ("collctype", locale.into()),
        ]
    })
    .collect()
}

fn languages() -> Vec<Row> {
    [(12, "internal"), (13, "c"), (14, "sql")]
        .into_iter()
        .map(|(oid, name)| {
            vec![
                ("oid", Val::Int(oid)),
                ("lanname", name.into()),
                ("lanowner", Val::Int(BOOTSTRAP_ROLE)),
                ("lanpltrusted", (name == "sql").into()),
            ]
        })
        .collect()
}

fn prepared_statements(sys: &Sys) -> Vec<Row> {
    crate::session::lock(&sys.prepared)
        .iter()
        .map(|(name, p)| {
            vec![
                ("name", Val::from(name.clone())),
                ("statement", Val::from(p.source.clone())),
                ("prepare_time", Val::Ts(p.prepare_time)),
                ("parameter_types", Val::TextArr(p.param_types.clone())),
                ("from_sql", p.from_sql.into()),
                ("generic_plans", Val::Int(0)),
                ("custom_plans", Val::Int(0)),
            ]
        })
        .collect()
}

fn settings(sys: &Sys) -> Vec<Row> {
    let all = crate::session::lock(&sys.settings).pg_settings();
    all.into_iter().map(setting_row).collect()
}

fn setting_row(s: SettingRow) -> Row {
    let opt = |v: Option<String>| v.map_or(Val::Null, Val::from);
    let source = if s.setting == s.boot {
        "default"
    } else {
        "session"
    };
    vec![
        ("name", Val::from(s.name)),
        ("setting", Val::from(s.setting)),
        ("unit", opt(s.unit)),
        ("category", "Ungrouped".into()),
        ("short_desc", Val::from(s.description)),
        ("context", s.context.into()),
        ("vartype", s.vartype.into()),
        ("source", source.into()),
        ("min_val", opt(s.min)),
        ("max_val", opt(s.max)),
        ("enumvals", s.enumvals.map_or(Val::Null, Val::TextArr)),
        ("boot_val", Val::from(s.boot.clone())),
        ("reset_val", Val::from(s.boot)),
        ("pending_restart", false.into()),
    ]
}

fn activity(sys: &Sys) -> Row {
    let settings = crate::session::lock(&sys.settings);
    let app = settings.get("application_name").unwrap_or_default();
    drop(settings);
    let user = sys.session_user();
    let usesysid = role_list(sys)
        .into_iter()
        .find(|(_, n)| *n == user)
        .map_or(BOOTSTRAP_ROLE, |(o, _)| o);
    vec![
        ("datid", Val::Int(POSTGRES_DB)),
        ("datname", crate::catalog::DATABASE.into()),
        ("pid", Val::Int(pid(sys))),
        ("usesysid", Val::Int(usesysid)),
        ("usename", Val::from(user)),
        ("application_name", Val::from(app)),
        (
            "backend_start",
            Val::Ts(super::functions::start_time_micros()),
        ),
        ("state", "active".into()),
        ("backend_type", "client backend".into()),
    ]
}
