//! Keeps pgwire's statement store and the session's prepared-statement registry
//! ([`crate::session::prepared`]) one namespace: Parse registers its named statements, Close
//! forgets them, and what SQL `DEALLOCATE` / `DISCARD ALL` removed leaves the store before
//! the next extended-protocol message looks a statement or portal up.

use pgwire::api::store::PortalStore;
use pgwire::api::{ClientPortalStore, DEFAULT_NAME};

use super::Backend;
use super::extended::Statement;
use crate::session::prepared::PreparedStatement;
use crate::sql::SqlError;
use crate::sql::prepare::type_name_of;

impl Backend {
    /// Applies SQL-side removals to the protocol store.
    pub(super) fn sync_statement_store<C>(&self, client: &C)
    where
        C: ClientPortalStore,
        C::PortalStore: PortalStore<Statement = Statement>,
    {
        let changes = self.session.prepared().take_store_changes();
        let store = client.portal_store();
        for name in &changes.dropped {
            store.rm_statement(name);
        }
        if changes.close_portals {
            store.clear_portals();
        }
    }

    /// PostgreSQL's 42P05 when a Parse names a statement SQL PREPARE made.
    pub(super) fn check_parse_name(&self, name: &str) -> Result<(), SqlError> {
        if name != DEFAULT_NAME && self.session.prepared().contains(name) {
            return Err(SqlError::new(
                "42P05",
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        Ok(())
    }

    /// Records a named statement Parse stored (for `EXECUTE`, `DEALLOCATE` and
    /// `pg_prepared_statements`).
    pub(super) fn register_parsed(&self, name: &str, sql: &str, stmt: Option<&Statement>) {
        if name == DEFAULT_NAME {
            return;
        }
        let param_types = stmt
            .map(|s| s.param_types.iter().map(type_name_of).collect())
            .unwrap_or_default();
        let entry = PreparedStatement {
            source: sql.to_owned(),
            body: sql.to_owned(),
            param_types,
            prepare_time: crate::sql::prepare::now_micros(),
            from_sql: false,
        };
        // The store refused duplicates already: a clash here cannot happen.
        let _ = self.session.prepared().insert(name, entry);
    }

    /// A Close message removed a statement.
    pub(super) fn forget_statement(&self, name: &str) {
        self.session.prepared().forget(name);
    }
}
