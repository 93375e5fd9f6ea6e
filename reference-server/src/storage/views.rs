//! Views: a name and the SQL text of its query, kept in `catalog.json` next to the table
//! definitions, so CREATE / DROP VIEW commit with the same atomic catalog rename as tables.

use serde::{Deserialize, Serialize};

use super::{Storage, StorageError, catalog};

/// `CREATE VIEW name [(columns)] AS query`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewDef {
    pub name: String,
    /// Column names given in the statement (empty: the query's own names).
    #[serde(default)]
    pub columns: Vec<String>,
    /// The query, as SQL text (PostgreSQL syntax).
    pub query: String,
    /// Unique forever, drawn from the table ids (fixes the view's OIDs); 0 until stored.
    #[serde(default)]
    pub id: u64,
    /// The view's columns with their PostgreSQL types, fixed at creation as PostgreSQL
    /// fixes them (`pg_attribute` rows).
    #[serde(default)]
    pub attrs: Vec<ViewColumn>,
    /// `pg_get_viewdef`'s text, deparsed at creation (None: the query as written).
    #[serde(default)]
    pub definition: Option<String>,
    /// `pg_get_viewdef(v, true)`'s text (None: as `definition`).
    #[serde(default)]
    pub pretty_definition: Option<String>,
    /// The relations the query reads and the columns it uses of each, which DROP and
    /// ALTER TABLE ... DROP COLUMN check (PostgreSQL's `pg_depend` rows of the view's rule).
    #[serde(default)]
    pub uses: Vec<ViewUse>,
}

/// One column of a view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewColumn {
    pub name: String,
    pub type_oid: u32,
    pub typmod: i32,
}

/// A relation (table or view) a view reads, and which of its columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewUse {
    pub relation: String,
    pub columns: Vec<String>,
}

impl Storage {
    /// Creates (or with `or_replace` replaces) a view; durable before returning. A table of
    /// the same name, or an existing view without `or_replace`, is `AlreadyExists`.
    /// A replaced view keeps its id (and so its OID), as in PostgreSQL.
    pub fn create_view(&self, mut def: ViewDef, or_replace: bool) -> Result<(), StorageError> {
        self.check_open()?;
        let mut cat = self.lock_catalog()?;
        if cat.tables.iter().any(|t| t.name == def.name) {
            return Err(StorageError::AlreadyExists(def.name));
        }
        let mut next = cat.clone();
        match next.views.iter_mut().find(|v| v.name == def.name) {
            Some(_) if !or_replace => return Err(StorageError::AlreadyExists(def.name)),
            Some(v) => {
                def.id = v.id;
                *v = def;
            }
            None => {
                def.id = next.next_table_id.max(1);
                next.next_table_id = def.id + 1;
                next.views.push(def);
            }
        }
        if let Some(dir) = &self.dir {
            catalog::save(&dir.join("catalog.json"), &next)?;
        }
        *cat = next;
        Ok(())
    }

    /// Drops a view; `Ok(false)` if there is none of that name.
    pub fn drop_view(&self, name: &str) -> Result<bool, StorageError> {
        self.check_open()?;
        let mut cat = self.lock_catalog()?;
        let Some(pos) = cat.views.iter().position(|v| v.name == name) else {
            return Ok(false);
        };
        let mut next = cat.clone();
        next.views.remove(pos);
        if let Some(dir) = &self.dir {
            catalog::save(&dir.join("catalog.json"), &next)?;
        }
        *cat = next;
        Ok(true)
    }

    /// The view of that name, if any.
    pub fn view(&self, name: &str) -> Option<ViewDef> {
        let cat = self.lock_catalog().ok()?;
        cat.views.iter().find(|v| v.name == name).cloned()
    }

    /// Every view, in creation order.
    pub fn views(&self) -> Vec<ViewDef> {
        self.lock_catalog()
            .map(|c| c.views.clone())
            .unwrap_or_default()
    }

    /// Whether any view exists (lets statements skip view expansion cheaply).
    pub fn has_views(&self) -> bool {
        self.lock_catalog().is_ok_and(|c| !c.views.is_empty())
    }
}
