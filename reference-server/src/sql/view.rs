//! Views: CREATE [OR REPLACE] VIEW, DROP VIEW, and their expansion. A view is stored as the
//! SQL text of its query (see `crate::storage::ViewDef`); every statement that names one gets
//! the view's query substituted as a derived table before DataFusion plans it, so views over
//! views, joins and aggregates plan like the equivalent subqueries, and nothing about a view
//! has to be kept in step with the tables it reads.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::sql::sqlparser::ast::{
    CreateView, Ident, ObjectName, ObjectType, Query, Statement, TableAlias, TableAliasColumnDef,
    TableFactor, VisitMut, VisitorMut, visit_relations,
};
use pgwire::api::results::Tag;
use pgwire::error::ErrorInfo;

use super::SqlError;
use super::execute::Outcome;
use crate::catalog::{SCHEMA, TEMP_SCHEMA, split_name};
use crate::session::Session;
use crate::storage::{Storage, StorageError, ViewColumn, ViewDef};

/// Views expanded in one statement at most: a view whose query names itself (possible with
/// CREATE OR REPLACE) would otherwise expand forever.
const MAX_EXPANSIONS: usize = 1000;

/// Whether the catalog statement is CREATE VIEW or DROP VIEW (run by [`Session::run_view_ddl`]).
pub fn is_view_ddl(stmt: &Statement) -> bool {
    matches!(
        stmt,
        Statement::CreateView(_)
            | Statement::Drop {
                object_type: ObjectType::View,
                ..
            }
    )
}

/// Where views live: the session's temporary ones (`pg_temp`, first on the search path, gone
/// when the session ends) and the shared ones (`public`).
#[derive(Clone, Copy)]
pub struct Views<'a> {
    pub temp: Option<&'a Storage>,
    pub shared: &'a Storage,
}

impl Views<'_> {
    /// The view a relation name refers to: unqualified (temporary first), in `pg_temp` or in
    /// `public`.
    fn find(&self, name: &ObjectName) -> Option<ViewDef> {
        let temp = |n: &str| self.temp.and_then(|t| t.view(n));
        match split_name(name) {
            (None, n) => temp(&n).or_else(|| self.shared.view(&n)),
            (Some(s), n) if s == SCHEMA => self.shared.view(&n),
            (Some(s), n) if s.eq_ignore_ascii_case(TEMP_SCHEMA) => temp(&n),
            _ => None,
        }
    }

    fn any(&self) -> bool {
        self.shared.has_views() || self.temp.is_some_and(Storage::has_views)
    }
}

/// The name a view gets, and whether it is temporary (other schemas are refused).
fn view_name(name: &ObjectName) -> Result<(String, bool), SqlError> {
    match split_name(name) {
        (None, n) => Ok((n, false)),
        (Some(s), n) if s == SCHEMA => Ok((n, false)),
        (Some(s), n) if s.eq_ignore_ascii_case(TEMP_SCHEMA) => Ok((n, true)),
        (Some(s), _) => Err(SqlError::new(
            "3F000",
            format!("schema \"{s}\" does not exist"),
        )),
    }
}

/// Replaces every relation of `stmt` that names a view (and is not a CTE of the statement)
/// with the view's query as a derived table aliased as the view (or as written).
pub fn expand(views: Views<'_>, stmt: &mut Statement) -> Result<(), SqlError> {
    if !views.any() {
        return Ok(());
    }
    let mut names = Vec::new();
    let _ = visit_relations(stmt, |r| {
        names.push(r.clone());
        ControlFlow::<()>::Continue(())
    });
    if !names.iter().any(|n| views.find(n).is_some()) {
        return Ok(());
    }
    let mut expander = Expander {
        views,
        ctes: HashSet::new(),
        expanded: 0,
    };
    let _ = stmt.visit(&mut expander);
    match expander.error() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Expander<'a> {
    views: Views<'a>,
    /// CTE names seen so far (a CTE shadows a view of the same name).
    ctes: HashSet<String>,
    expanded: usize,
}

impl Expander<'_> {
    fn error(&self) -> Option<SqlError> {
        (self.expanded > MAX_EXPANSIONS).then(|| {
            SqlError::new(
                "42P17",
                "infinite recursion detected in rules for relation (a view names itself)",
            )
        })
    }
}

impl VisitorMut for Expander<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(crate::catalog::ident(&cte.alias.name));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        let TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = factor
        else {
            return ControlFlow::Continue(());
        };
        if name.0.len() == 1 && self.ctes.contains(&split_name(name).1) {
            return ControlFlow::Continue(());
        }
        let Some(view) = self.views.find(name) else {
            return ControlFlow::Continue(());
        };
        self.expanded += 1;
        if self.expanded > MAX_EXPANSIONS {
            return ControlFlow::Break(());
        }
        let Some(query) = parse_query(&view.query) else {
            return ControlFlow::Continue(()); // planning reports the relation as missing
        };
        let alias = alias.clone().unwrap_or_else(|| TableAlias {
            explicit: true,
            name: Ident::with_quote('"', &view.name),
            columns: Vec::new(),
            at: None,
        });
        let alias = if alias.columns.is_empty() && !view.columns.is_empty() {
            TableAlias {
                columns: view
                    .columns
                    .iter()
                    .map(|c| TableAliasColumnDef {
                        name: Ident::with_quote('"', c),
                        data_type: None,
                    })
                    .collect(),
                ..alias
            }
        } else {
            alias
        };
        *factor = TableFactor::Derived {
            lateral: false,
            subquery: Box::new(query),
            alias: Some(alias),
            sample: None,
        };
        ControlFlow::Continue(())
    }
}

fn parse_query(sql: &str) -> Option<Query> {
    match super::parse::parse(sql).ok()?.pop()? {
        Statement::Query(q) => Some(*q),
        _ => None,
    }
}

impl Session {
    /// CREATE [OR REPLACE] VIEW / DROP VIEW [IF EXISTS].
    pub(super) async fn run_view_ddl(&self, stmt: &Statement) -> Result<Outcome, SqlError> {
        let outcome = match stmt {
            Statement::CreateView(cv) => self.create_view(cv).await?,
            Statement::Drop {
                names,
                if_exists,
                cascade,
                ..
            } => {
                for n in names {
                    self.drop_view(n, *if_exists, *cascade)?;
                }
                Outcome::Done(Tag::new("DROP VIEW"))
            }
            _ => return Err(SqlError::unsupported("not a view statement")),
        };
        self.shared.catalog.bump();
        Ok(outcome)
    }

    async fn create_view(&self, cv: &CreateView) -> Result<Outcome, SqlError> {
        if cv.materialized {
            return Err(SqlError::unsupported(
                "materialized views are not supported",
            ));
        }
        let (name, in_temp) = view_name(&cv.name)?;
        let temp = self.temp_storage()?;
        let storage = if cv.temporary || in_temp {
            temp.as_ref()
        } else {
            self.shared.catalog.storage.as_ref()
        };
        // Planning checks the query (relations, columns, types) now, as PostgreSQL does.
        let plan = self.plan(&Statement::Query(cv.query.clone())).await?;
        let width = plan.schema().fields().len();
        if cv.columns.len() > width {
            return Err(SqlError::new(
                "42601",
                "CREATE VIEW specifies more column names than columns",
            ));
        }
        let def = self.view_def(cv, name.clone(), &plan, &temp);
        storage
            .create_view(def, cv.or_replace)
            .map_err(|e| match e {
                StorageError::AlreadyExists(_) => {
                    SqlError::new("42P07", format!("relation \"{name}\" already exists"))
                }
                other => other.into(),
            })?;
        Ok(Outcome::Done(Tag::new("CREATE VIEW")))
    }

    fn drop_view(&self, name: &ObjectName, if_exists: bool, cascade: bool) -> Result<(), SqlError> {
        let (view, in_temp) = view_name(name)?;
        if self.views(None).find(name).is_some() || self.temp_storage()?.view(&view).is_some() {
            self.drop_dependents(&super::view_deps::Target::View(&view), cascade)?;
        }
        let temp = self.temp_storage()?;
        let shared = self.shared.catalog.storage.as_ref();
        // Unqualified: the temporary view first, as the search path finds it.
        let storages: &[&Storage] = if in_temp {
            &[temp.as_ref()]
        } else if split_name(name).0.is_some() {
            &[shared]
        } else {
            &[temp.as_ref(), shared]
        };
        for storage in storages {
            if storage.drop_view(&view)? {
                return Ok(());
            }
        }
        if storages.iter().any(|s| s.table(&view).is_some()) {
            return Err(not_a("view", &view, "DROP TABLE", "table"));
        }
        if if_exists {
            let mut info = ErrorInfo::new(
                "NOTICE".into(),
                "00000".into(),
                format!("view \"{view}\" does not exist, skipping"),
            );
            info.severity_nonlocalized = Some("NOTICE".into());
            self.notice(info);
            return Ok(());
        }
        Err(SqlError::new(
            "42P01",
            format!("view \"{view}\" does not exist"),
        ))
    }
}

impl Session {
    /// The stored form of a view: its columns with their types, its deparsed definition and
    /// the relations it reads.
    fn view_def(
        &self,
        cv: &CreateView,
        name: String,
        plan: &datafusion::logical_expr::LogicalPlan,
        temp: &Storage,
    ) -> ViewDef {
        let given: Vec<String> = cv
            .columns
            .iter()
            .map(|c| crate::catalog::ident(&c.name))
            .collect();
        let pg_names = super::classify::statement_column_names(&Statement::Query(cv.query.clone()))
            .unwrap_or_default();
        let attrs: Vec<ViewColumn> = plan
            .schema()
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let pg = crate::pgtypes::pg_type_of(f);
                ViewColumn {
                    name: given
                        .get(i)
                        .cloned()
                        .or_else(|| pg_names.get(i).cloned().flatten())
                        .unwrap_or_else(|| f.name().clone()),
                    type_oid: pg.ty.oid(),
                    typmod: pg.typmod,
                }
            })
            .collect();
        let views = self.views(Some(temp));
        let resolve = |n: &ObjectName| -> Option<(String, Vec<String>)> {
            if let Some(v) = views.find(n) {
                return Some((
                    v.name.clone(),
                    v.attrs.iter().map(|a| a.name.clone()).collect(),
                ));
            }
            let (schema, table) = split_name(n);
            let stores: Vec<&Storage> = match schema.as_deref() {
                None => vec![temp, views.shared],
                Some(s) if s == SCHEMA => vec![views.shared],
                Some(s) if s.eq_ignore_ascii_case(TEMP_SCHEMA) => vec![temp],
                Some(_) => return None,
            };
            stores.into_iter().find_map(|st| {
                let t = st.table(&table)?;
                let cols = t.def().schema.fields().iter().map(|f| f.name().clone());
                Some((table.clone(), cols.collect()))
            })
        };
        let names: Vec<String> = attrs.iter().map(|a| a.name.clone()).collect();
        let described = super::viewdef::describe(&cv.query, &names, &resolve);
        ViewDef {
            name,
            columns: given,
            query: cv.query.to_string(),
            id: 0,
            attrs,
            definition: described.definition,
            pretty_definition: described.pretty,
            uses: described.uses,
        }
    }

    /// The session's temporary storage (where its temporary views live).
    pub(super) fn temp_storage(&self) -> Result<Arc<Storage>, SqlError> {
        crate::catalog::SessionCatalog::of(&self.ctx)
            .map(|c| c.temp_storage().clone())
            .ok_or_else(|| SqlError::new("XX000", "session catalog missing"))
    }

    /// Where the views this session can name live.
    pub(super) fn views<'a>(&'a self, temp: Option<&'a Storage>) -> Views<'a> {
        Views {
            temp,
            shared: &self.shared.catalog.storage,
        }
    }
}

/// 42809 for `DROP TABLE` naming a view: PostgreSQL's wording and hint.
pub fn refuse_drop_table_of_view(views: Views<'_>, names: &[ObjectName]) -> Result<(), SqlError> {
    for n in names {
        if let Some(v) = views.find(n) {
            return Err(not_a("table", &v.name, "DROP VIEW", "view"));
        }
    }
    Ok(())
}

fn not_a(wanted: &str, name: &str, command: &str, actual: &str) -> SqlError {
    SqlError::new("42809", format!("\"{name}\" is not a {wanted}"))
        .with_hint(format!("Use {command} to remove a {actual}."))
}
