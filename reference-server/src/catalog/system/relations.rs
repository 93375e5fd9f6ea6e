//! The user relations a session sees — its temporary tables, then the shared tables — with
//! their OIDs and schema, and the indexes, constraints, defaults and sequences their
//! definitions imply, so every catalog relation and function reads one consistent model.

use std::sync::Arc;

use crate::catalog::sequence::Sequence;
use crate::pgtypes::PG_DEFAULT_KEY;
use crate::storage::{ConstraintDef, Storage, Table, ViewDef};

use super::Sys;
use super::oids::{PUBLIC_NS, TEMP_NS, TEMP_NS_NAME, TableOids, table_oids, temp_table_oids};

/// One user table.
#[derive(Clone)]
pub struct Rel {
    pub table: Arc<Table>,
    pub oids: TableOids,
    pub temporary: bool,
}

/// A constraint or index of a table definition, by its position there (which fixes its
/// OIDs).
pub struct Key<'a> {
    pub pos: usize,
    pub def: &'a ConstraintDef,
}

impl Key<'_> {
    /// Whether it has an index relation (PRIMARY KEY, UNIQUE, CREATE INDEX).
    pub fn has_index(&self) -> bool {
        matches!(
            self.def,
            ConstraintDef::Unique { .. } | ConstraintDef::Index { .. }
        )
    }

    /// Whether it has a `pg_constraint` row (everything but a plain CREATE INDEX).
    pub fn has_constraint(&self) -> bool {
        !matches!(self.def, ConstraintDef::Index { .. })
    }

    /// The indexed (or constrained) columns.
    pub fn columns(&self) -> &[String] {
        match self.def {
            ConstraintDef::Unique { columns, .. }
            | ConstraintDef::Index { columns, .. }
            | ConstraintDef::ForeignKey { columns, .. } => columns,
            ConstraintDef::Check { .. } => &[],
        }
    }

    pub fn is_primary(&self) -> bool {
        matches!(self.def, ConstraintDef::Unique { primary: true, .. })
    }

    pub fn is_unique(&self) -> bool {
        matches!(
            self.def,
            ConstraintDef::Unique { .. } | ConstraintDef::Index { unique: true, .. }
        )
    }
}

/// The implicit sequence of a `serial` column.
pub struct Seq {
    pub oid: i64,
    pub name: String,
    /// 0-based column index.
    pub column: usize,
    /// The column's type (`int4` for serial, `int8` for bigserial...).
    pub type_oid: i64,
}

impl Rel {
    pub fn name(&self) -> &str {
        &self.table.def().name
    }

    pub fn nsp(&self) -> i64 {
        if self.temporary { TEMP_NS } else { PUBLIC_NS }
    }

    /// The schema name as `pg_namespace` has it.
    pub fn schema(&self) -> &'static str {
        if self.temporary {
            TEMP_NS_NAME
        } else {
            crate::catalog::SCHEMA
        }
    }

    /// `relpersistence`.
    pub fn persistence(&self) -> &'static str {
        if self.temporary { "t" } else { "p" }
    }

    /// The 1-based attribute number of a column.
    pub fn attnum(&self, column: &str) -> Option<i64> {
        let (i, _) = self.table.def().schema.column_with_name(column)?;
        i64::try_from(i + 1).ok()
    }

    pub fn keys(&self) -> impl Iterator<Item = Key<'_>> {
        self.table
            .def()
            .constraints
            .iter()
            .enumerate()
            .map(|(pos, def)| Key { pos, def })
    }

    /// A column's default as SQL text (`nextval('t_id_seq'::regclass)` for serial ones).
    pub fn default_of(&self, column: usize) -> Option<String> {
        let def = self.table.def();
        let field = def.schema.fields().get(column)?;
        if let Some(d) = def.defaults.iter().find(|d| d.column == *field.name()) {
            return Some(match Sequence::parse_nextval(&d.expr) {
                Some(seq) => format!("nextval('{seq}'::regclass)"),
                None => d.expr.clone(),
            });
        }
        (field.metadata().get(PG_DEFAULT_KEY).map(String::as_str) == Some("serial"))
            .then(|| format!("nextval('{}_{}_seq'::regclass)", self.name(), field.name()))
    }

    /// The sequences the table's serial columns draw from.
    pub fn sequences(&self) -> Vec<Seq> {
        let def = self.table.def();
        def.schema
            .fields()
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let name = Sequence::parse_nextval(&self.default_of(i)?)?;
                Some(Seq {
                    oid: self.oids.sequence(i),
                    name,
                    column: i,
                    type_oid: i64::from(crate::pgtypes::pg_type_of(f).ty.oid()),
                })
            })
            .collect()
    }
}

/// Every user table the session sees: its temporary ones first (as the search path looks).
pub fn relations(sys: &Sys) -> Vec<Rel> {
    let mut out = Vec::new();
    if let Some(temp) = &sys.temp {
        out.extend(tables_of(temp, true));
    }
    out.extend(tables_of(&sys.storage, false));
    out
}

/// Every view the session sees, with its schema name: its temporary ones, then the shared.
pub fn views(sys: &Sys) -> Vec<(&'static str, ViewDef)> {
    let mut out = Vec::new();
    if let Some(temp) = &sys.temp {
        out.extend(temp.views().into_iter().map(|v| (TEMP_NS_NAME, v)));
    }
    out.extend(
        sys.storage
            .views()
            .into_iter()
            .map(|v| (crate::catalog::SCHEMA, v)),
    );
    out
}

/// A view's `pg_get_viewdef` text: deparsed at creation as PostgreSQL prints it, or (for
/// queries not deparsed here) the query as written in the same frame (a leading space, a
/// closing semicolon).
pub fn view_definition(v: &ViewDef) -> String {
    v.definition
        .clone()
        .unwrap_or_else(|| format!(" {};", v.query))
}

fn tables_of(storage: &Storage, temporary: bool) -> Vec<Rel> {
    let mut names = storage.table_names();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let table = storage.table(&name)?;
            let oids = if temporary {
                temp_table_oids(table.id)
            } else {
                table_oids(table.id)
            };
            Some(Rel {
                table,
                oids,
                temporary,
            })
        })
        .collect()
}

/// The table a FOREIGN KEY of `from` references: a temporary table may reference either
/// kind, a permanent one only a permanent one.
pub fn referenced<'a>(rels: &'a [Rel], from: &Rel, name: &str) -> Option<&'a Rel> {
    rels.iter()
        .find(|r| r.name() == name && (from.temporary || !r.temporary))
}

/// The unique index of `rel` a foreign key's referenced columns use (the primary key when
/// the FK names no columns).
pub fn referenced_index(rel: &Rel, columns: &[String]) -> Option<i64> {
    rel.keys()
        .find(|k| {
            k.is_unique()
                && if columns.is_empty() {
                    k.is_primary()
                } else {
                    k.columns() == columns
                }
        })
        .map(|k| rel.oids.index(k.pos))
}

/// Whether any foreign key refers to `rel` or starts from it (PostgreSQL gives both tables
/// FK triggers, so `relhastriggers` is true for both and psql shows their FK sections).
pub fn has_fk_triggers(rels: &[Rel], rel: &Rel) -> bool {
    let outgoing = rel
        .keys()
        .any(|k| matches!(k.def, ConstraintDef::ForeignKey { .. }));
    outgoing
        || rels.iter().any(|r| {
            r.keys().any(|k| match k.def {
                ConstraintDef::ForeignKey { ref_table, .. } => {
                    referenced(rels, r, ref_table).is_some_and(|t| t.oids.rel == rel.oids.rel)
                }
                _ => false,
            })
        })
}

/// The relation with OID `oid` (table, index or sequence): (table, what it is).
pub enum Object<'a> {
    Table(&'a Rel),
    Index(&'a Rel, Key<'a>),
    Sequence(&'a Rel, Seq),
}

impl Object<'_> {
    pub fn name(&self) -> String {
        match self {
            Object::Table(r) => r.name().to_owned(),
            Object::Index(_, k) => k.def.name().to_owned(),
            Object::Sequence(_, s) => s.name.clone(),
        }
    }

    pub fn rel(&self) -> &Rel {
        match self {
            Object::Table(r) | Object::Index(r, _) | Object::Sequence(r, _) => r,
        }
    }
}

pub fn object(rels: &[Rel], oid: i64) -> Option<Object<'_>> {
    for r in rels {
        if r.oids.rel == oid {
            return Some(Object::Table(r));
        }
        if let Some(k) = r
            .keys()
            .find(|k| k.has_index() && r.oids.index(k.pos) == oid)
        {
            return Some(Object::Index(r, k));
        }
        if let Some(s) = r.sequences().into_iter().find(|s| s.oid == oid) {
            return Some(Object::Sequence(r, s));
        }
    }
    None
}

/// The relation named `name` in `schema` (None = search path: temporary tables first).
pub fn object_named(rels: &[Rel], schema: Option<&str>, name: &str) -> Option<i64> {
    rels.iter()
        .filter(|r| match schema {
            None => true,
            Some(s) if s == "pg_temp" || s == TEMP_NS_NAME => r.temporary,
            Some(s) => s == crate::catalog::SCHEMA && !r.temporary,
        })
        .find_map(|r| {
            if r.name() == name {
                return Some(r.oids.rel);
            }
            if let Some(k) = r.keys().find(|k| k.has_index() && k.def.name() == name) {
                return Some(r.oids.index(k.pos));
            }
            r.sequences()
                .into_iter()
                .find(|s| s.name == name)
                .map(|s| s.oid)
        })
}
