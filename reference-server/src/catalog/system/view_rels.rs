//! Views as `pg_class` relations (relkind `v`) with their `pg_attribute` columns, so
//! clients that introspect through the catalogs (psql's `\d`, pg_dump, drivers) see them.

use crate::storage::ViewDef;

use super::Sys;
use super::oids::{PUBLIC_NS, TEMP_NS, TEMP_NS_NAME, TableOids, table_oids, temp_table_oids};
use super::table::{Row, Val};

/// One view with its OIDs (from its never-reused id, like a table's).
pub struct ViewRel {
    pub def: ViewDef,
    pub oids: TableOids,
    pub temporary: bool,
}

impl ViewRel {
    pub fn nsp(&self) -> i64 {
        if self.temporary { TEMP_NS } else { PUBLIC_NS }
    }

    pub fn schema(&self) -> &'static str {
        if self.temporary {
            TEMP_NS_NAME
        } else {
            crate::catalog::SCHEMA
        }
    }

    pub fn definition(&self) -> String {
        super::relations::view_definition(&self.def)
    }

    /// `pg_get_viewdef(v, true)`.
    pub fn pretty_definition(&self) -> String {
        self.def
            .pretty_definition
            .clone()
            .unwrap_or_else(|| self.definition())
    }
}

/// Every view the session sees: its temporary ones first, as the search path looks.
pub fn view_rels(sys: &Sys) -> Vec<ViewRel> {
    let mut out = Vec::new();
    if let Some(temp) = &sys.temp {
        out.extend(temp.views().into_iter().map(|def| ViewRel {
            oids: temp_table_oids(def.id),
            def,
            temporary: true,
        }));
    }
    out.extend(sys.storage.views().into_iter().map(|def| ViewRel {
        oids: table_oids(def.id),
        def,
        temporary: false,
    }));
    out
}

/// The view named `name` in `schema` (None = either).
pub fn view_named<'a>(
    views: &'a [ViewRel],
    schema: Option<&str>,
    name: &str,
) -> Option<&'a ViewRel> {
    views.iter().find(|v| {
        v.def.name == name
            && match schema {
                None => true,
                Some(s) if s == "pg_temp" || s == TEMP_NS_NAME => v.temporary,
                Some(s) => s == crate::catalog::SCHEMA && !v.temporary,
            }
    })
}

/// `pg_class` rows of the views, on top of the columns every relation shares.
pub fn class_rows(views: &[ViewRel], common: fn() -> Row) -> Vec<Row> {
    views
        .iter()
        .map(|v| {
            let mut r = common();
            r.extend([
                ("oid", Val::Int(v.oids.rel)),
                ("relname", Val::from(v.def.name.as_str())),
                ("relnamespace", Val::Int(v.nsp())),
                ("reltype", Val::Int(v.oids.rowtype)),
                ("relkind", "v".into()),
                (
                    "relpersistence",
                    (if v.temporary { "t" } else { "p" }).into(),
                ),
                (
                    "relnatts",
                    Val::Int(i64::try_from(v.def.attrs.len()).unwrap_or(0)),
                ),
                ("relhasrules", true.into()),
            ]);
            r
        })
        .collect()
}

/// `pg_attribute` rows of the views' columns: (relation, 0-based index, name, type, typmod).
pub fn attributes(views: &[ViewRel], mut push: impl FnMut(i64, usize, &str, i64, i64)) {
    for v in views {
        for (i, a) in v.def.attrs.iter().enumerate() {
            push(
                v.oids.rel,
                i,
                &a.name,
                i64::from(a.type_oid),
                i64::from(a.typmod),
            );
        }
    }
}
