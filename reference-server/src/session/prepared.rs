//! The session's named prepared statements. PostgreSQL has ONE namespace for statements made
//! by SQL `PREPARE` and by the protocol's Parse: `DEALLOCATE` removes either, a name cannot be
//! used twice, and `pg_prepared_statements` lists both. The protocol handlers keep their
//! statements in pgwire's portal store; this registry is the authority on names and holds what
//! SQL `EXECUTE` and the view need. Names SQL removes are queued for the protocol store, which
//! the extended-protocol handlers drain before they look a statement up.

use std::collections::BTreeMap;

use crate::sql::SqlError;

/// One named prepared statement.
#[derive(Debug, Clone)]
pub struct PreparedStatement {
    /// The query text the client sent (`pg_prepared_statements.statement`).
    pub source: String,
    /// The statement `EXECUTE` runs, with `$n` placeholders.
    pub body: String,
    /// PostgreSQL type names of `$1..$n` (`integer`, `text`).
    pub param_types: Vec<String>,
    /// Microseconds since the Unix epoch.
    pub prepare_time: i64,
    /// Made by SQL `PREPARE` (true) or by a Parse message.
    pub from_sql: bool,
}

/// Named prepared statements of one session, with the removals the protocol store has not
/// applied yet.
#[derive(Debug, Default)]
pub struct PreparedStatements {
    entries: BTreeMap<String, PreparedStatement>,
    dropped: Vec<String>,
    close_portals: bool,
    /// The query text being run, which SQL PREPARE records as its statement's source.
    source: String,
}

/// What the protocol store must do to match the registry.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct StoreChanges {
    pub dropped: Vec<String>,
    pub close_portals: bool,
}

impl PreparedStatements {
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn set_source(&mut self, sql: &str) {
        sql.clone_into(&mut self.source);
    }

    pub fn get(&self, name: &str) -> Option<&PreparedStatement> {
        self.entries.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// Adds `name`; PostgreSQL's 42P05 if it is taken.
    pub fn insert(&mut self, name: &str, stmt: PreparedStatement) -> Result<(), SqlError> {
        if self.entries.contains_key(name) {
            return Err(SqlError::new(
                "42P05",
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        self.dropped.retain(|d| d != name);
        self.entries.insert(name.to_owned(), stmt);
        Ok(())
    }

    /// SQL `DEALLOCATE name`: PostgreSQL's 26000 if there is no such statement.
    pub fn deallocate(&mut self, name: &str) -> Result<(), SqlError> {
        match self.entries.remove(name) {
            Some(stmt) => {
                if !stmt.from_sql {
                    self.dropped.push(name.to_owned());
                }
                Ok(())
            }
            None => Err(missing(name)),
        }
    }

    /// SQL `DEALLOCATE ALL` (and `DISCARD ALL`, which also closes every portal).
    pub fn deallocate_all(&mut self, close_portals: bool) {
        for (name, stmt) in std::mem::take(&mut self.entries) {
            if !stmt.from_sql {
                self.dropped.push(name);
            }
        }
        self.close_portals |= close_portals;
    }

    /// A Close message removed `name` from the protocol store.
    pub fn forget(&mut self, name: &str) {
        self.entries.remove(name);
    }

    /// The removals the protocol store has yet to apply (then forgotten).
    pub fn take_store_changes(&mut self) -> StoreChanges {
        StoreChanges {
            dropped: std::mem::take(&mut self.dropped),
            close_portals: std::mem::take(&mut self.close_portals),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &PreparedStatement)> {
        self.entries.iter()
    }
}

/// PostgreSQL's error for an unknown prepared statement name.
pub fn missing(name: &str) -> SqlError {
    SqlError::new(
        "26000",
        format!("prepared statement \"{name}\" does not exist"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(from_sql: bool) -> PreparedStatement {
        PreparedStatement {
            source: "SELECT 1".into(),
            body: "SELECT 1".into(),
            param_types: vec![],
            prepare_time: 0,
            from_sql,
        }
    }

    #[test]
    fn one_namespace_and_protocol_removals_queued() {
        let mut p = PreparedStatements::default();
        assert!(p.insert("a", stmt(false)).is_ok());
        assert_eq!(p.insert("a", stmt(true)).map_err(|e| e.code), Err("42P05"));
        assert!(p.insert("b", stmt(true)).is_ok());
        assert!(p.deallocate("a").is_ok());
        assert_eq!(p.deallocate("a").map_err(|e| e.code), Err("26000"));
        assert_eq!(
            p.take_store_changes(),
            StoreChanges {
                dropped: vec!["a".into()],
                close_portals: false
            }
        );
        p.deallocate_all(true);
        assert!(!p.contains("b"));
        assert_eq!(
            p.take_store_changes(),
            StoreChanges {
                dropped: vec![],
                close_portals: true
            }
        );
    }
}
